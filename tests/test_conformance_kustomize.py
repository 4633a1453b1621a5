"""sluice build against kubectl kustomize, over ../shared/conformance/kustomize.

Each case is checked for structural equality (same YAML documents) and byte identity.
A case that uses a feature sluice does not implement yet is an expected failure, by
feature (never by case name). The counts are printed at the end of the session.
"""
from __future__ import annotations

import pytest

from pathlib import Path

from renderer.kustomize.conformance import (
    case_dirs,
    default_corpus,
    default_realworld,
    run_case,
    run_realworld,
)

CORPUS = default_corpus()
OWN = Path(__file__).resolve().parent.parent / "fixtures" / "conformance"  # recorded with tools/record_oracle.py
# kustomization fields sluice does not implement yet; cases using them may fail (none today:
# helmCharts inflate through the Helm engine with --enable-helm, see tests/test_helm_release.py)
UNSUPPORTED_FEATURES: frozenset[str] = frozenset()

CASES = case_dirs(CORPUS) if CORPUS.is_dir() else []
RESULTS: dict[str, object] = {}


def _result(case):  # type: ignore[no-untyped-def]
    if case.name not in RESULTS:
        RESULTS[case.name] = run_case(case)
    return RESULTS[case.name]


OWN_CASES = case_dirs(OWN)
needs_corpus = pytest.mark.skipif(not CASES, reason=f"conformance corpus not found at {CORPUS} (../shared is absent)")


@pytest.mark.parametrize("case", OWN_CASES, ids=[c.name for c in OWN_CASES])
def test_own_cases_byte_identical(case) -> None:  # type: ignore[no-untyped-def]
    """sluice's own cases (crds, images, replicas, JSON 6902, $patch, ...): kubectl's output recorded."""
    result = run_case(case)
    assert result.identical, result.error or "output differs from kubectl's byte for byte"


@needs_corpus
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_structural(case, request) -> None:  # type: ignore[no-untyped-def]
    result = _result(case)
    if not result.structural:
        blocked = result.features & UNSUPPORTED_FEATURES
        if blocked:
            pytest.xfail(f"uses unsupported feature(s): {', '.join(sorted(blocked))}")
    assert result.structural, result.error


@needs_corpus
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_byte_identical(case) -> None:  # type: ignore[no-untyped-def]
    result = _result(case)
    if not result.identical:
        blocked = result.features & UNSUPPORTED_FEATURES
        if blocked:
            pytest.xfail(f"uses unsupported feature(s): {', '.join(sorted(blocked))}")
    assert result.identical, result.error or "output differs from kubectl's byte for byte"


REALWORLD = default_realworld()


@pytest.mark.skipif(not (REALWORLD / "kustomize-oracle.json").is_file(), reason=f"real-world corpus not found at {REALWORLD} (../shared is absent)")
def test_realworld_kustomizations_match_kubectl(request) -> None:  # type: ignore[no-untyped-def]
    """Every kustomization of the real repositories: same sha256 as kubectl's output, or an
    error where kubectl failed too (remote bases, files missing from the corpus)."""
    results = run_realworld(REALWORLD)
    request.config.stash[REALWORLD_KEY] = results
    failures = [f"{r.dir}: {r.error}" for r in results if not r.identical]
    assert not failures, "\n".join(failures)


REALWORLD_KEY = pytest.StashKey[list]()
