"""Tests that read ../shared skip where it is absent; a wrong path must not look like that.

When the package moved into layers, the corpus paths in renderer/kustomize/conformance.py
kept their old depth and the conformance suites skipped silently ("../shared is absent")
on a machine that had it. Here every path into ../shared that tests skip on is checked
against the checkout's real sibling: present means found."""
from __future__ import annotations

from pathlib import Path

import pytest

from renderer.kustomize.conformance import CORPUS_MANIFEST, default_corpus, default_realworld

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent: nothing to cross-check")


def test_corpus_paths_point_into_the_sibling_shared_directory() -> None:
    assert default_corpus() == SHARED / "conformance" / "kustomize"
    assert default_realworld() == SHARED / "realworld"


@pytest.mark.parametrize("path", ["conformance/kustomize", "realworld", "realworld/kustomize-oracle.json",
                                  "bench/make_fleet.py"])
def test_what_the_suites_read_is_there(path: str) -> None:
    assert (SHARED / path).exists(), f"{SHARED / path} is missing: the suites that need it would skip"


def test_the_fetched_corpus_manifest_is_in_fixtures() -> None:
    assert CORPUS_MANIFEST == ROOT / "fixtures" / "realworld-kustomize" / "corpus.json" and CORPUS_MANIFEST.is_file()
