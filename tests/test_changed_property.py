"""Property: after any edit of a tracked file, `sluice verify --changed` re-renders every
target whose full-render output changed (a superset, never a subset), each target once,
and renders each Flux target as the full render does (its Kustomization built through the
memo of the run before).

Runs over fixture repositories and the real-world corpus in ../shared/realworld (skipped
when absent): each repository is copied into a fresh git repository, the reads index is
built cold, then hypothesis picks a file and an edit (a scalar replaced, a document added,
the file emptied, a new file written beside it). For Flux trees, the memo kept by the
cold run must also build every Kustomization as a build without it does.

onedr0p/home-ops (Flux, 79 targets, ~2 s a full render here) runs in its own test with fewer
examples, each costing a full render and a hook run. The corpus dropped the two scripts its
sonarr kustomization feeds to a configMapGenerator; placeholders stand in for them (content
that only becomes ConfigMap data)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from renderer.core.errors import SluiceError
from renderer.core.fs import RepoFS
from renderer.fleet.flux import flux_sources
from renderer.fleet.pipeline import render_repo
from renderer.flux import expand_flux_tree
from renderer.flux.memo import KsMemo
from renderer.verify import _config, verify_repo
from renderer.verify.changed import plan_changed, render_changed
from renderer.verify.index import load_index
from renderer.verify.tree import Digests

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent / "shared" / "realworld"
REPOS = [ROOT / "fixtures" / name for name in ("zero-config", "flux/cluster")] + [
    REALWORLD / name for name in (
        "argoproj__argocd-example-apps", "fluxcd__flux2-kustomize-helm-example", "fluxcd__flux2-multi-tenancy",
        "mmalyska__home-ops", "stefanprodan__podinfo",
    )
]
ONEDR0P = REALWORLD / "onedr0p__home-ops"
ONEDR0P_DROPPED = ("kubernetes/apps/default/sonarr/app/resources/refresh-series.sh",
                   "kubernetes/apps/default/sonarr/app/resources/tag-resolution.sh")
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]


def _outputs(root: Path) -> dict[str, bytes] | None:
    """Each target's manifest from a full render; None when the tree does not render."""
    try:
        bundles = render_repo(root, write=False)
    except SluiceError:
        return None
    return {f"{a.cluster}/{a.app_dir}": a.files["manifest.yaml"] for a in bundles.apps}


class Repo:
    """A repository copied into a git work tree, with its cold index and full outputs."""

    def __init__(self, source: Path, placeholders: tuple[str, ...] = ()) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="sluice-prop-")
        self.root = Path(self.tmp.name) / "repo"
        shutil.copytree(source, self.root, ignore=shutil.ignore_patterns(".git", ".sluice", ".oracle"))
        for rel in placeholders:
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).write_text("#!/bin/sh\n# placeholder for a script the corpus dropped\n")
        for path in self.root.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        subprocess.run([*GIT, "init", "-q"], cwd=self.root, check=True)
        subprocess.run([*GIT, "add", "-A"], cwd=self.root, check=True)
        subprocess.run([*GIT, "commit", "-qm", "dry"], cwd=self.root, check=True)
        self.files = sorted(subprocess.run([*GIT, "ls-files"], cwd=self.root, check=True, capture_output=True,
                                           text=True).stdout.split())
        self.base = _outputs(self.root)
        if self.base is not None:
            verify_repo(self.root, changed=True, schemas=False)  # the cold index


_REPOS: dict[Path, Repo] = {}


def _repo(source: Path, placeholders: tuple[str, ...] = ()) -> Repo:
    if not source.is_dir():
        pytest.skip(f"{source} is absent")
    if source not in _REPOS:
        _REPOS[source] = Repo(source, placeholders)
    repo = _REPOS[source]
    if repo.base is None:
        pytest.skip(f"{source.name} does not render as it is")
    return repo


NEW_FILE = "sluice-prop-new.yaml"
NEW_DOC = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sluice-prop-new\ndata: {k: v}\n"


def _edit(text: str, how: str, pick: int) -> str:
    if how == "empty":
        return ""
    if how == "document":
        return text + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sluice-prop-edit\ndata: {k: v}\n"
    words = [w for w in set(text.replace(":", " ").split()) if w.isidentifier() and len(w) > 2]
    if not words:
        return text + "\n# edited\n"
    word = sorted(words)[pick % len(words)]
    return text.replace(word, word + "x", 1)


@pytest.mark.parametrize("source", REPOS, ids=lambda p: p.name)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_an_edit_rerenders_a_superset_of_what_changed(source: Path, data: Any) -> None:
    _check_an_edit(_repo(source), data)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_edit_rerenders_a_superset_of_what_changed_onedr0p(data: Any) -> None:
    _check_an_edit(_repo(ONEDR0P, ONEDR0P_DROPPED), data)


def _memo_builds_as_without(root: Path) -> None:
    """Every Flux tree built through the memo the index holds (recorded before the edit)
    equals the build without it."""
    index = load_index(root)
    if not index.flux:
        return
    digests = Digests(root)
    fs = RepoFS(root)
    config = _config(fs)
    memo = KsMemo(index.flux, fresh=lambda reads: all(digests(p) == d for p, d in reads.items()))
    for tree in sorted(t for t in index.flux if "#" not in t):
        plain = expand_flux_tree(RepoFS(root), tree, source_fs=flux_sources(config), notes=[])
        kept = expand_flux_tree(fs, tree, source_fs=flux_sources(config), notes=[], memo=memo, memo_tree=tree)
        assert kept == plain, f"the memo built {tree} otherwise"


def _hook(root: Path) -> tuple[list[str], list[str], dict[str, bytes]]:
    """verify --changed's render (no checks): targets rendered, skipped, and the Flux ones' manifests."""
    fs, plan, state = plan_changed(root, lambda view: _config(view))
    pairs, skipped, _ = render_changed(root, fs, plan, {}, state=state)
    flux = {f"{t.cluster}/{t.app_dir}": a.files["manifest.yaml"] for t, a in pairs if t.source.type == "flux"}
    return [f"{t.cluster}/{t.app_dir}" for t, _ in pairs], skipped, flux


def _check_an_edit(repo: Repo, data: Any) -> None:
    rel = data.draw(st.sampled_from(repo.files), label="file")
    how = data.draw(st.sampled_from(["scalar", "document", "empty", "add"]), label="edit")
    pick = data.draw(st.integers(min_value=0, max_value=10_000), label="pick")
    path = repo.root / rel
    if how == "add":
        path = path.parent / NEW_FILE
        assume(not path.exists())
    original = path.read_bytes() if path.exists() else None
    try:
        text = original.decode("utf-8") if original is not None else ""
    except UnicodeDecodeError:
        assume(False)
        return
    try:
        path.write_text(NEW_DOC if how == "add" else _edit(text, how, pick), encoding="utf-8")
        after = _outputs(repo.root)
        assume(after is not None)  # an edit that breaks the render fails both ways: nothing to compare
        assert after is not None
        # a target the edit removed has nothing to check; every other changed one must be rendered
        differ = {k for k in after if repo.base.get(k) != after[k]}
        _memo_builds_as_without(repo.root)
        rendered, skipped, flux = _hook(repo.root)
        assert len(rendered) == len(set(rendered)), "no target counted twice"
        missed = differ - set(rendered)
        assert not missed, f"editing {rel} ({how}) changed {sorted(missed)} but --changed did not re-render them"
        assert len(set(rendered) | set(skipped)) == len(rendered) + len(skipped)
        wrong = sorted(k for k, manifest in flux.items() if after.get(k) != manifest)
        assert not wrong, f"editing {rel} ({how}): --changed rendered {wrong} otherwise than a full render"
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
