"""The hook's plan cache (renderer/verify/plancache.py) on the demo fleet in a real git
repository: kept across edits discovery cannot see, dropped when one could change the
plan, and never trusted when planted."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitrepos import demo_fleet, git, isolated_git_env  # noqa: F401 - fixture
from renderer.core.fs import RepoFS
from renderer.verify import _config, _plan, verify_repo
from renderer.verify.changed import plan_changed
from renderer.verify.index import PLAN_FILE, load_index
from renderer.verify.plancache import decode_plan, encode_plan, reuse
from renderer.verify.tree import Digests

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(tmp_path: Path, isolated_git_env: Path) -> Path:
    return demo_fleet(tmp_path)


def _kept(repo: Path) -> bool:
    saved = load_index(repo)
    config = _config(RepoFS(repo))
    return reuse(repo, saved.discovery, config, Digests(repo)) is not None


def _plain_manifest(repo: Path) -> Path:
    """A file discovery screened (for Argo CD objects, AppProjects, CRDs) and passed over."""
    screens = load_index(repo).discovery["screens"]
    return repo / next(p for p, (_, names) in sorted(screens.items()) if "crd" in names)


def test_plan_round_trips_through_json(demo: Path) -> None:
    _, plan = _plan(demo)
    data = encode_plan(plan)
    assert data is not None
    assert decode_plan(json.loads(json.dumps(data)), plan.config) == plan


def test_kept_across_an_edit_discovery_only_screened(demo: Path) -> None:
    verify_repo(demo, changed=True, schemas=False)
    assert _kept(demo)
    path = _plain_manifest(demo)
    path.write_text(path.read_text() + "# an edit\n")
    assert _kept(demo)
    cold = _plan(demo)[1]
    assert plan_changed(demo, lambda fs: _config(fs))[1] == cold


def test_dropped_when_an_edit_could_change_the_plan(demo: Path) -> None:
    verify_repo(demo, changed=True, schemas=False)
    path = _plain_manifest(demo)
    path.write_text(path.read_text() + "# now mentions CustomResourceDefinition\n")
    assert not _kept(demo)
    path.write_text(path.read_text().replace("# now mentions CustomResourceDefinition\n", ""))
    app = next(p for p in sorted((demo / "apps").rglob("*.yaml")) if "kind: Application" in p.read_text())
    app.write_text(app.read_text() + "\n")
    assert not _kept(demo)


def test_dropped_when_a_file_is_added(demo: Path) -> None:
    verify_repo(demo, changed=True, schemas=False)
    (demo / "base" / "new.txt").write_text("x\n")
    assert not _kept(demo)


def test_a_committed_index_is_never_used(demo: Path) -> None:
    verify_repo(demo, changed=True, schemas=False)
    git("add", "-f", PLAN_FILE, cwd=demo)  # the discovery record alone is enough to refuse it all
    git("commit", "-q", "-m", "planted", cwd=demo)
    assert len(verify_repo(demo, changed=True, schemas=False).skipped) == 0


def test_a_planted_discovery_naming_outside_paths_is_invalid(demo: Path, tmp_path: Path) -> None:
    verify_repo(demo, changed=True, schemas=False)
    index = json.loads((demo / PLAN_FILE).read_text())
    secret = tmp_path / "outside.txt"
    secret.write_text("secret")
    for bad in ("../outside.txt", str(secret), ".git/config", "/dev/zero", "/ls ..", "/is ../outside.txt"):
        planted = json.loads(json.dumps(index))
        planted["discovery"]["reads"][bad] = None
        (demo / PLAN_FILE).write_text(json.dumps(planted))
        assert load_index(demo).discovery is not None
        assert not _kept(demo)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["c", "f", "t", "d", "k", "s", "l", "x"]), inner, max_size=3),
                            max_leaves=12))
def test_hostile_plans_decode_or_are_refused(demo: Path, garbage: object) -> None:
    """Whatever a planted index holds as `plan`, reuse gives a plan or None, never raises."""
    verify_repo(demo, changed=True, schemas=False) if not (demo / PLAN_FILE).exists() else None
    saved = load_index(demo).discovery
    config = _config(RepoFS(demo))
    result = reuse(demo, {**saved, "plan": garbage}, config, Digests(demo))
    assert result is None


MAKE_FLEET = REPO_ROOT.parent / "shared" / "bench" / "make_fleet.py"


@pytest.mark.skipif(not MAKE_FLEET.exists(), reason="../shared/bench/make_fleet.py is absent (the shared workload generators)")
def test_every_unit_records_the_base_it_shares(tmp_path: Path, isolated_git_env: Path) -> None:
    """Units render through one Builder (bases memoised across clusters): a unit served from
    the memo still records the base's files, so an edit there re-renders every cluster's."""
    import subprocess
    import sys

    repo = tmp_path / "fleet"
    subprocess.run([sys.executable, str(MAKE_FLEET), str(repo),
                    "--services", "2", "--clusters", "3"], check=True, stdout=subprocess.DEVNULL)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "fleet", cwd=repo)
    first = verify_repo(repo, changed=True, schemas=False)
    assert len(first.targets) == 6
    index = load_index(repo)
    targets = {k: index.reads(r.reads) for k, r in index.targets.items()}
    base = sorted(p for p in targets[next(iter(sorted(targets)))] if p.startswith("base/"))
    assert base
    service = base[0].split("/")[1]
    mine = [k for k in targets if service in k]
    assert len(mine) == 3 and all(set(base) <= set(targets[k]) for k in mine)
    (repo / base[-1]).write_text((repo / base[-1]).read_text() + "# edit\n")
    assert sorted(verify_repo(repo, changed=True, schemas=False).targets) == sorted(mine)
