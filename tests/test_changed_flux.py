"""`sluice verify --changed` on a Flux cluster tree (a copy of fixtures/flux/cluster in a
real git repository): one target per Kustomization, rebuilt through the hook's memo
(renderer/flux/memo.py) only where an edit reaches: its own files, the Kustomization that
defines it, those whose objects it looks up (substituteFrom)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitrepos import git, isolated_git_env  # noqa: F401 - fixture
from renderer.verify import _config, verify_repo
from renderer.verify.changed import plan_changed, render_changed
from renderer.verify.index import INDEX_FILE, load_index

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flux" / "cluster"
TREE = "clusters/dev"


@pytest.fixture
def fleet(tmp_path: Path, isolated_git_env: Path) -> Path:
    repo = tmp_path / "fleet"
    shutil.copytree(FIXTURE, repo)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "fleet", cwd=repo)
    return repo


def _checked(repo: Path) -> list[str]:
    return sorted(verify_repo(repo, changed=True, schemas=False).targets)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_edit_rebuilds_only_the_kustomization_it_reaches(fleet: Path) -> None:
    assert _checked(fleet) == ["dev/apps", "dev/flux-system", "dev/infra"]
    assert _checked(fleet) == []
    _edit(fleet / "apps/base/deployment.yaml", "replicas: 1", "replicas: 2")
    assert _checked(fleet) == ["dev/apps"]
    assert _checked(fleet) == ["dev/apps"]  # still differs from HEAD
    git("checkout", "--", ".", cwd=fleet)
    assert _checked(fleet) == ["dev/apps"]  # differs from what was checked, once
    assert _checked(fleet) == []


def test_a_looked_up_object_brings_its_consumer_along(fleet: Path) -> None:
    """`apps` substitutes variables from a Secret that `infra` renders: an edit to that
    Secret re-checks both, and `apps` shows the new value."""
    _checked(fleet)
    _edit(fleet / "infra/cluster-vars.yaml", "tier: cGxhdGludW0=", "tier: ZGlhbW9uZA==")  # "diamond"
    fs, plan, state = plan_changed(fleet, lambda view: _config(view))
    pairs, skipped, _ = render_changed(fleet, fs, plan, {}, state=state)
    assert sorted(f"{t.cluster}/{t.app_dir}" for t, _ in pairs) == ["dev/apps", "dev/infra"]
    assert skipped == ["dev/flux-system"]
    apps = next(a for t, a in pairs if t.app_dir == "apps")
    web = next(d for d in yaml.safe_load_all(apps.files["manifest.yaml"]) if d["kind"] == "Deployment")
    assert web["metadata"]["annotations"]["tier"] == "diamond"


def test_the_memo_serves_what_an_edit_did_not_reach(fleet: Path) -> None:
    _checked(fleet)
    _edit(fleet / "apps/base/deployment.yaml", "    bare: $env\n", "    bare: $env\n    extra: one\n")
    fs, plan, state = plan_changed(fleet, lambda view: _config(view))
    before = dict(state.index.flux[TREE])  # as loaded
    render_changed(fleet, fs, plan, {}, state=state)
    after = state.memo.finished()[TREE]
    assert sorted(after) == sorted(before) == ["flux-system/apps", "flux-system/flux-system", "flux-system/infra"]
    assert after["flux-system/infra"] is before["flux-system/infra"]  # served, not built again
    assert after["flux-system/flux-system"] is before["flux-system/flux-system"]
    assert after["flux-system/apps"].out != before["flux-system/apps"].out


def test_a_file_added_where_flux_lists_a_directory_is_checked(fleet: Path) -> None:
    """infra/ has no kustomization file: Flux applies every YAML file below it, a new one too."""
    _checked(fleet)
    (fleet / "infra/sub/leak.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leak\n  namespace: team-a\nstringData:\n  password: hunter2\n")
    result = verify_repo(fleet, changed=True, schemas=False)
    assert "dev/infra" in result.targets and "dev/flux-system" in result.skipped
    assert [(f.app, f.check, f.resource) for f in result.errors] == [("infra", "secret", "Secret team-a/leak")]
    (fleet / "infra/sub/leak.yaml").unlink()
    assert "dev/infra" in _checked(fleet)  # gone again: differs from what was checked
    assert _checked(fleet) == []


def test_a_kustomization_added_to_the_tree_is_a_new_target(fleet: Path) -> None:
    _checked(fleet)
    (fleet / "clusters/dev/extra.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: extra\n"
        "  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./infra/sub\n  prune: true\n"
        "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    # the root Kustomization read the new file: what it defines is checked again (its objects might have moved)
    assert _checked(fleet) == ["dev/apps", "dev/extra", "dev/flux-system", "dev/infra"]
    git("add", "-A", cwd=fleet)
    git("commit", "-q", "-m", "extra", cwd=fleet)
    assert _checked(fleet) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                            max_leaves=10),
       field=st.sampled_from(["ks", "generators", "lookups", "notes", "output", "out", "reads", None]))
def test_a_planted_memo_is_refused_never_trusted(fleet: Path, garbage: object, field: str | None) -> None:
    """Whatever a planted index holds for a build, the hook renders as it would cold."""
    if not (fleet / INDEX_FILE).exists():
        _checked(fleet)
    index = json.loads((fleet / INDEX_FILE).read_text())
    record = index["flux"][TREE]["flux-system/apps"]
    if field is None:
        index["flux"][TREE] = garbage
    else:
        record[field] = garbage
    (fleet / INDEX_FILE).write_text(json.dumps(index))
    refused = not load_index(fleet).targets
    result = verify_repo(fleet, changed=True, schemas=False)
    if refused:  # the whole index went: everything is rendered again
        assert sorted(result.targets) == ["dev/apps", "dev/flux-system", "dev/infra"]
    else:  # well formed by chance (no build, other notes): records like any, their inputs still checked
        assert set(result.targets) <= {"dev/apps", "dev/flux-system", "dev/infra"}
    assert len(result.targets) + len(result.skipped) == 3


def _reuse(repo: Path):  # type: ignore[no-untyped-def]
    from renderer.core.fs import RepoFS
    from renderer.verify.plancache import reuse
    from renderer.verify.tree import Digests

    return reuse(repo, load_index(repo).discovery, _config(RepoFS(repo)), Digests(repo))


def test_an_edit_only_a_flux_build_read_plans_only_the_flux_targets_again(fleet: Path) -> None:
    from renderer.verify import _plan

    _checked(fleet)
    kept = _reuse(fleet)
    assert kept is not None and not kept.flux_stale
    _edit(fleet / "apps/base/deployment.yaml", "    bare: $env\n", "    bare: $env\n    extra: one\n")
    kept = _reuse(fleet)
    assert kept is not None and kept.flux_stale and kept.flux_dirs == [TREE]  # finding the tree read nothing edited
    assert plan_changed(fleet, lambda view: _config(view))[1] == _plan(fleet)[1]
    git("checkout", "--", ".", cwd=fleet)
    (fleet / "infra/instance.yaml").write_text(  # finding cluster directories reads a FluxInstance's sync.path
        "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: flux-system\n"
        "spec:\n  sync:\n    kind: GitRepository\n    path: clusters/dev\n")
    _checked(fleet)
    _edit(fleet / "infra/instance.yaml", "path: clusters/dev", "path: clusters/dev2")
    kept = _reuse(fleet)
    assert kept is not None and kept.flux_stale and kept.flux_dirs is None  # found again
    assert plan_changed(fleet, lambda view: _config(view))[1] == _plan(fleet)[1]
    (fleet / "clusters/dev/extra.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n")
    assert _reuse(fleet) is None  # a file added: discovery again
