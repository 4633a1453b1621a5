"""Kustomize, reimplemented: build a kustomization directory into resources.

`Builder(fs, options).build(path)` is the entry point; one Builder per render shares
base builds between overlays.
"""
from __future__ import annotations

from .build import BuildOptions, Builder, load_resources
from .kustomization import find_kustomization as _find


def find_kustomization(fs, path: str) -> str | None:  # type: ignore[no-untyped-def]
    """The kustomization file name in directory `path` (None if there is none)."""
    return _find(fs, path)


__all__ = ["Builder", "BuildOptions", "find_kustomization", "load_resources"]
