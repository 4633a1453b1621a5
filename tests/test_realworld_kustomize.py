"""The real-world kustomize corpus: kubectl's recorded sha256 per kustomization of fetched
public repositories (fixtures/realworld-kustomize/corpus.json), built again by sluice.

The trees are not committed; they come from local git mirrors (SLUICE_MIRRORS, default
/work/.mirror). Without a mirror the entry is skipped with the reason."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from renderer.kustomize.conformance import CORPUS_MANIFEST, DEFAULT_MIRRORS, mirror_dir, run_manifest

MIRRORS = Path(os.environ.get("SLUICE_MIRRORS", str(DEFAULT_MIRRORS)))
ENTRIES = json.loads(CORPUS_MANIFEST.read_text()) if CORPUS_MANIFEST.exists() else []
REPOS = sorted({e["repo"] for e in ENTRIES})


@pytest.mark.parametrize("repo", REPOS)
def test_realworld_repository_matches_kubectl(repo: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    if not mirror_dir(MIRRORS, repo).is_dir():
        pytest.skip(f"no local mirror of {repo} under {MIRRORS} (set SLUICE_MIRRORS; see tools/realworld_corpus.py)")
    entries = [e for e in ENTRIES if e["repo"] == repo]
    results = run_manifest(entries, MIRRORS, tmp_path_factory.mktemp("realworld"))
    if all(r.skipped for r in results):
        pytest.skip(f"the mirror of {repo} lacks the recorded commit")
    failures = [f"{r.dir}: {r.error}" for r in results if not r.identical and not r.skipped]
    assert not failures, "\n".join(failures)
