"""Ceilings on the work one run may do: set by whoever runs sluice, never by the repository.

A pull request controls `sluice.yaml`, so its `limits` may lower these ceilings but cannot
raise them; the command line (`--limit KEY=N`) or the Python API (`with raised_limits(...)`)
raises them for one run. A context variable carries them, so every entry point (CLI
command, API call) sees the ceilings of its own run and nothing leaks between runs.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Mapping

from .errors import InputError

DEFAULTS: Mapping[str, int] = {
    "generatedApplications": 10_000,  # Applications one ApplicationSet generator may produce
    "helmRenderSeconds": 60,  # one Helm chart render
    "helmOutputBytes": 64 * 1024 * 1024,  # one Helm chart render's output
    "helmRenderMemory": 4 * 1024 * 1024 * 1024,  # the address space of the process a Helm render runs in
}
_CEILINGS: ContextVar[Mapping[str, int]] = ContextVar("sluice_limit_ceilings", default=DEFAULTS)


def ceilings() -> Mapping[str, int]:
    """The ceilings of the current run."""
    return _CEILINGS.get()


def parse_limit(text: str) -> tuple[str, int]:
    """`KEY=N` as given on the command line."""
    key, sep, value = text.partition("=")
    if not sep or key not in DEFAULTS:
        raise InputError(f"--limit {text!r}: expected KEY=N with KEY one of {', '.join(DEFAULTS)}")
    if not value.isdigit() or len(value) > 18 or int(value) < 1:
        raise InputError(f"--limit {text!r}: N must be a whole number from 1 to 10^18")
    return key, int(value)


@contextmanager
def raised_limits(values: Mapping[str, int]) -> Iterator[Mapping[str, int]]:
    """Run with these ceilings (the others stay at their defaults)."""
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise InputError(f"unknown limit {unknown[0]!r}: one of {', '.join(DEFAULTS)}")
    token = _CEILINGS.set({**DEFAULTS, **values})
    try:
        yield _CEILINGS.get()
    finally:
        _CEILINGS.reset(token)


def how_to_raise(key: str) -> str:
    """The hint an exceeded limit gives: sluice.yaml up to the ceiling, the command line above it."""
    return (f"raise limits.{key} in sluice.yaml if this is intended (above {ceilings()[key]}, "
            f"the run's ceiling, it also takes --limit {key}=N on the command line)")
