"""--jobs, --cache-dir, --shard and `hydrate --bundles`: every way of splitting a render gives
the bytes of a single-process one; a cache is checked, never trusted; an incomplete or
mismatched shard set is refused (exit 2, nothing pushed); shards joined give the same
commits as one `hydrate` against a real bare remote."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.cli.app import cli
from renderer.fleet.pipeline import render_repo
from renderer.fleet.shards import SHARD_FILE, parse_shard, shard_of
from renderer.core.errors import InputError

try:
    from tests.gitrepos import git, init_bare, isolated_git_env, refs_of
except ModuleNotFoundError:  # tests/ is not a package
    from gitrepos import git, init_bare, isolated_git_env, refs_of

__all__ = ["isolated_git_env"]

REPO_URL = "https://git.example.com/org/fleet.git"


def make_fleet(root: Path, services: int = 4, clusters: int = 3, *, crd: bool = False) -> Path:
    """Bases shared by one overlay per cluster, one Application per (service, cluster)."""
    def w(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    w("sluice.yaml", f"repoURL: {REPO_URL}\napplications: [apps]\nclusters: [clusters]\noutput: {{dir: out}}\n")
    w(".gitignore", "out/\n")
    for s in range(services):
        svc = f"svc{s}"
        w(f"base/{svc}/kustomization.yaml", "resources: [deploy.yaml]\n")
        w(f"base/{svc}/deploy.yaml", f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {svc}}}\n"
                                     f"spec: {{replicas: 1}}\n")
    for c in range(clusters):
        cl = f"c{c}"
        w(f"clusters/{cl}.yaml", f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {cl}\n  namespace: argocd\n"
                                 f"  labels: {{argocd.argoproj.io/secret-type: cluster}}\n"
                                 f"stringData: {{name: {cl}, server: 'https://{cl}.example.com'}}\n")
        for s in range(services):
            svc = f"svc{s}"
            extra = ""
            if crd and s == 0:
                extra = "- widget.yaml\n"
                w(f"overlays/{cl}/{svc}/widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
            if crd and s == services - 1:
                extra = "- crd.yaml\n"
                w(f"overlays/{cl}/{svc}/crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                  "metadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Cluster\n"
                  "  names: {kind: Widget, plural: widgets}\n  versions: []\n")
            w(f"overlays/{cl}/{svc}/kustomization.yaml",
              f"resources:\n- ../../../base/{svc}\n{extra}images: [{{name: {svc}, newTag: '1.{c}'}}]\n")
            w(f"apps/{cl}/{svc}.yaml", f"apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
                                       f"metadata: {{name: {svc}-{cl}, namespace: argocd}}\nspec:\n"
                                       f"  source: {{repoURL: '{REPO_URL}', path: overlays/{cl}/{svc}}}\n"
                                       f"  destination: {{name: {cl}, namespace: {svc}}}\n")
    return root


def snapshot(bundles):  # noqa: ANN001, ANN201 - a comparable view of Bundles
    return bundles.files(), bundles.notes, bundles.warnings, bundles.preserve


def test_jobs_cache_and_shards_give_single_process_bytes(tmp_path: Path) -> None:
    root = make_fleet(tmp_path / "fleet")
    single = snapshot(render_repo(root, write=False))
    assert snapshot(render_repo(root, write=False, jobs=2)) == single
    cache = tmp_path / "cache"
    assert snapshot(render_repo(root, write=False, cache_dir=cache)) == single  # cold
    assert snapshot(render_repo(root, write=False, cache_dir=cache, jobs=2)) == single  # warm, in workers
    (root / "base/svc1/deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc1}\n"
                                               "spec: {replicas: 7}\n")
    changed = snapshot(render_repo(root, write=False))
    assert changed != single
    assert snapshot(render_repo(root, write=False, cache_dir=cache)) == changed  # one file changed: no stale entry


def test_hydrated_branches_are_computed_once_per_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The set of hydrated branches is linear in the plan's targets: computed per rendered
    target (to look for app-of-apps children), it made a cold fleet render quadratic."""
    import renderer.fleet.discover as discover
    import renderer.fleet.pipeline as pipeline

    root = make_fleet(tmp_path / "fleet", services=6, clusters=3)
    calls = []
    original = discover.hydrated_branches

    def counting(plan):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(plan)

    monkeypatch.setattr(discover, "hydrated_branches", counting)
    monkeypatch.setattr(pipeline, "hydrated_branches", counting)
    result = render_repo(root, write=False)
    assert len(result.files()) >= 18  # every (service, cluster) target rendered
    assert len(calls) == 1


def test_cluster_scoped_crd_in_another_chunk_falls_back_exactly(tmp_path: Path) -> None:
    root = make_fleet(tmp_path / "fleet", services=8, clusters=1, crd=True)
    single = render_repo(root, write=False)
    widget = next(r for r in single.apps[0].resources if r["kind"] == "Widget")
    assert "namespace" not in widget["metadata"]  # cluster-scoped by the CRD
    assert snapshot(render_repo(root, write=False, jobs=2)) == snapshot(single)
    assert snapshot(render_repo(root, write=False, jobs=2, cache_dir=tmp_path / "cache")) == snapshot(single)


def test_tampered_or_corrupt_cache_entries_are_ignored(tmp_path: Path) -> None:
    root = make_fleet(tmp_path / "fleet")
    cache = tmp_path / "cache"
    single = snapshot(render_repo(root, write=False))
    render_repo(root, write=False, cache_dir=cache)
    entries = sorted((cache / "v1" / "entries").rglob("*.json"))
    assert entries
    for i, path in enumerate(entries):  # edit content (digest no longer matches), truncate, or garbage
        data = path.read_text()
        path.write_text(data.replace("svc", "evil") if i % 3 == 0 else data[: len(data) // 2] if i % 3 == 1 else "{")
    assert snapshot(render_repo(root, write=False, cache_dir=cache)) == single
    for path in (cache / "v1" / "index").rglob("*.json"):
        path.write_text('{"entries": ["../../etc/passwd", 7]}')
    assert snapshot(render_repo(root, write=False, cache_dir=cache)) == single


def test_worker_errors_are_the_same_typed_errors(tmp_path: Path) -> None:
    root = make_fleet(tmp_path / "fleet")
    (root / "overlays/c1/svc2/kustomization.yaml").write_text("resources: [: bad\n")
    runner = CliRunner()
    out = {}
    for jobs in ("1", "2"):
        result = runner.invoke(cli, ["render", str(root), "--out", str(tmp_path / f"out{jobs}"), "--jobs", jobs])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        out[jobs] = result.output
        assert not (tmp_path / f"out{jobs}").exists()
    assert out["1"] == out["2"] and "overlays/c1/svc2/kustomization.yaml" in out["1"]


@given(st.sets(st.text(min_size=1, max_size=12), min_size=1, max_size=40), st.integers(min_value=1, max_value=8),
       st.text(min_size=1, max_size=12))
@settings(max_examples=60, deadline=None)
def test_rendezvous_shards_are_stable_when_targets_are_added(keys: set[str], count: int, new: str) -> None:
    before = {k: shard_of(k, count) for k in keys}
    assert all(1 <= s <= count for s in before.values())
    after = {k: shard_of(k, count) for k in keys | {new}}
    assert all(after[k] == before[k] for k in keys)


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
def test_bad_shard_spec(text: str) -> None:
    with pytest.raises(InputError):
        parse_shard(text)


def _dry(tmp_path: Path) -> Path:
    root = make_fleet(tmp_path / "dry", services=5, clusters=3)
    git("init", "--quiet", "--initial-branch=main", str(root))
    git("add", "-A", cwd=root)
    git("commit", "--quiet", "-m", "fleet", cwd=root,
        env={"GIT_AUTHOR_DATE": "2025-08-01T10:00:00Z", "GIT_COMMITTER_DATE": "2025-08-01T10:00:00Z"})
    return root


FIXED = {"GIT_AUTHOR_DATE": "2025-08-02T10:00:00Z", "GIT_COMMITTER_DATE": "2025-08-02T10:00:00Z"}


def test_shards_joined_push_the_commits_one_hydrate_pushes(tmp_path: Path, isolated_git_env: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in FIXED.items():
        monkeypatch.setenv(key, value)
    root = _dry(tmp_path)
    runner = CliRunner()
    single, joined = init_bare(tmp_path / "single.git"), init_bare(tmp_path / "joined.git")
    author = ["--author", "CI <ci@example.com>"]
    result = runner.invoke(cli, ["hydrate", str(root), "--remote", str(single), "--jobs", "1", *author])
    assert result.exit_code == 0, result.output
    shards = [tmp_path / f"shard{i}" for i in (1, 2, 3)]
    for i, out in enumerate(shards, 1):
        result = runner.invoke(cli, ["render", str(root), "--out", str(out), "--shard", f"{i}/3", "--jobs", "2"])
        assert result.exit_code == 0, result.output
        assert json.loads((out / SHARD_FILE).read_text())["shard"] == i
    result = runner.invoke(cli, ["hydrate", str(root), "--remote", str(joined), "--bundles", *map(str, shards), *author])
    assert result.exit_code == 0, result.output
    assert refs_of(single) == refs_of(joined) and len(refs_of(single)) >= 3


def test_mismatched_shard_sets_are_refused(tmp_path: Path, isolated_git_env: Path) -> None:
    root = _dry(tmp_path)
    runner = CliRunner()
    remote = init_bare(tmp_path / "remote.git")
    shards = [tmp_path / f"shard{i}" for i in (1, 2)]
    for i, out in enumerate(shards, 1):
        assert runner.invoke(cli, ["render", str(root), "--out", str(out), "--shard", f"{i}/2"]).exit_code == 0

    def hydrate(*dirs: Path) -> str:
        result = runner.invoke(cli, ["hydrate", str(root), "--remote", str(remote), "--bundles", *map(str, dirs)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and refs_of(remote) == {}
        return result.output

    assert "missing shard(s) 2 of 2" in hydrate(shards[0])
    assert "given twice" in hydrate(shards[0], shards[0], shards[1])
    other = tmp_path / "other"
    assert runner.invoke(cli, ["render", str(root), "--out", str(other), "--shard", "2/3"]).exit_code == 0
    assert "different shard count" in hydrate(shards[0], other)
    overlap = tmp_path / "overlap"
    shutil.copytree(shards[1], overlap)
    manifest = json.loads((overlap / SHARD_FILE).read_text())
    manifest["shard"] = 1
    (overlap / SHARD_FILE).write_text(json.dumps(manifest))
    assert "given twice" in hydrate(shards[0], overlap)
    app = next(p for p in sorted(shards[1].rglob("manifest.yaml")))
    app.write_text(app.read_text() + "# edited\n")
    assert "files differ" in hydrate(shards[0], shards[1])
    (root / "extra.txt").write_text("x")
    git("add", "-A", cwd=root)
    git("commit", "--quiet", "-m", "next", cwd=root)
    fresh = [tmp_path / f"fresh{i}" for i in (1, 2)]
    for i, out in enumerate(fresh, 1):
        assert runner.invoke(cli, ["render", str(root), "--out", str(out), "--shard", f"{i}/2"]).exit_code == 0
    assert "different dry commit" in hydrate(shards[0], fresh[1])


def test_shared_parse_views_serve_text_and_record_the_read(tmp_path: Path) -> None:
    """A file decoded for one unit is served to the next from the shared cache, as text
    (the cache holds text and digest), and logged as that unit's input too."""
    from renderer.fleet.workers import SharedParseFS

    (tmp_path / "a.yaml").write_text("x: 1\n")
    shared: dict[str, Any] = {"text": {}, "yaml": {}, "digests": {}}
    first = SharedParseFS(str(tmp_path), shared)
    assert first.read_text("a.yaml") == "x: 1\n"
    second = SharedParseFS(str(tmp_path), shared)
    assert second.read_text("a.yaml") == "x: 1\n"
    assert second.reads["a.yaml"] == first.reads["a.yaml"] is not None
