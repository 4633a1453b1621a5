"""CustomResourceDefinitions kept anywhere in the repository (a `crds/` folder, a bootstrap
directory) though no rendered target applies them: their schemas still validate the
custom resources the fleet renders."""
from __future__ import annotations

import os
from typing import Any, Iterable

from ..core import screens
from ..core.errors import SluiceError
from ..core.fs import RepoFS

_MAX_BYTES = 8 * 1024 * 1024


def crd_files(fs: RepoFS) -> list[str]:
    """Repo-relative YAML files that mention CustomResourceDefinition (screened through
    `fs`, so the hook's plan cache knows which files could add one)."""
    found: list[str] = []
    root = str(fs.root)
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(directory, name)
            try:
                if os.path.islink(path) or os.path.getsize(path) > _MAX_BYTES:
                    continue
                rel = fs.relpath(path)
                if fs.screen(rel, screens.CRD, screens.SCREENS[screens.CRD]):
                    found.append(rel)
            except (OSError, SluiceError):
                continue
    return found


def repository_crds(fs: RepoFS, files: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The CRDs in `files` (default: `crd_files(fs)`)."""
    found: list[dict[str, Any]] = []
    for rel in crd_files(fs) if files is None else files:
        try:
            docs = fs.load_yaml(rel)
        except (SluiceError, ValueError):
            continue
        found.extend(doc for doc, _ in docs if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition")
    return found
