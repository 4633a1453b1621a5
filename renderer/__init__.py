"""sluice: offline, deterministic GitOps rendering.

The package is a pure core (load, build, render) under a thin CLI; see README.md. The
functions below mirror the commands for use from Python.
"""
from __future__ import annotations

import os
from typing import Any

__version__ = "0.1.0"


def build(directory: str | os.PathLike[str], *, repo: str | os.PathLike[str] | None = None, load_restrictor: str = "rootOnly",
          reorder: str = "legacy") -> list[dict[str, Any]]:
    """Like `sluice build DIRECTORY`: the kustomization's resources as plain dicts.

    Reads are confined as `kubectl kustomize` confines them (each kustomization's files in
    or below its directory; bases and components anywhere), or to `repo` when given."""
    from pathlib import Path

    from .core.fs import RepoFS, build_root
    from .kustomize import BuildOptions, Builder

    target = Path(directory).resolve()
    fs = RepoFS(Path(repo).resolve() if repo else build_root(target))
    return Builder(fs, BuildOptions(load_restrictor=load_restrictor, reorder=reorder)).build(fs.relpath(target))


def render(repo: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *, write: bool = False,
           allow_secrets: bool = False) -> Any:
    """Like `sluice render REPO`: the fleet's bundles (written to `out` when `write`).
    A plaintext Secret is an InputError unless `allow_secrets` (or sluice.yaml) opts in."""
    from .fleet.pipeline import render_repo

    return render_repo(repo, out, write=write, allow_plaintext_secrets=allow_secrets)


__all__ = ["__version__", "build", "render"]
