"""The real-world kustomize corpus: kubectl's recorded sha256 per kustomization of fetched
public repositories (fixtures/realworld-kustomize/corpus.json), built again by sluice; where
kubectl rejected a kustomization (an `error` entry) sluice must reject it too.

The trees are not committed; they come from local git mirrors (SLUICE_MIRRORS, default
/work/.mirror). Without a mirror a repository's test is skipped with the reason. The default
suite builds a deterministic sample of each repository (SAMPLE_PER_REPO entries, by sha256 of
the path); SLUICE_CORPUS_FULL=1 builds every entry, as `tools/realworld_corpus.py check` does.
Exports are cached by commit under SLUICE_CORPUS_CACHE (default: the temp dir)."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from renderer.kustomize.conformance import CORPUS_MANIFEST, DEFAULT_MIRRORS, mirror_dir, run_manifest, sample_entries

MIRRORS = Path(os.environ.get("SLUICE_MIRRORS", str(DEFAULT_MIRRORS)))
CACHE = Path(os.environ.get("SLUICE_CORPUS_CACHE", str(Path(tempfile.gettempdir()) / "sluice-realworld")))
SAMPLE_PER_REPO = 6
ENTRIES = json.loads(CORPUS_MANIFEST.read_text())
CHOSEN = ENTRIES if os.environ.get("SLUICE_CORPUS_FULL") == "1" else sample_entries(ENTRIES, SAMPLE_PER_REPO)
REPOS = sorted({e["repo"] for e in ENTRIES})


def test_manifest_covers_many_repositories_and_rejections() -> None:
    assert len(REPOS) >= 30 and len(ENTRIES) >= 600
    assert any("error" in e for e in ENTRIES) and all(("sha256" in e) != ("error" in e) for e in ENTRIES)


def test_sample_is_deterministic_and_bounded() -> None:
    again = sample_entries(list(reversed(ENTRIES)), SAMPLE_PER_REPO)
    assert sorted(map(json.dumps, again)) == sorted(map(json.dumps, sample_entries(ENTRIES, SAMPLE_PER_REPO)))
    for repo in REPOS:
        assert 1 <= sum(e["repo"] == repo for e in again) <= SAMPLE_PER_REPO


@pytest.mark.parametrize("repo", REPOS)
def test_realworld_repository_matches_kubectl(repo: str) -> None:
    if not mirror_dir(MIRRORS, repo).is_dir():
        pytest.skip(f"no local mirror of {repo} under {MIRRORS} (set SLUICE_MIRRORS; see tools/realworld_corpus.py)")
    entries = [e for e in CHOSEN if e["repo"] == repo]
    results = run_manifest(entries, MIRRORS, CACHE)
    if all(r.skipped for r in results):
        pytest.skip(f"the mirror of {repo} lacks the recorded commit")
    failures = [f"{r.dir}: {r.error}" for r in results if not r.identical and not r.skipped]
    assert not failures, "\n".join(failures)
