"""CustomResourceDefinitions kept anywhere in the repository (a `crds/` folder, a bootstrap
directory) though no rendered target applies them: their schemas still validate the
custom resources the fleet renders."""
from __future__ import annotations

import os
from typing import Any

from ..core.errors import SluiceError
from ..core.fs import RepoFS

_MAX_BYTES = 8 * 1024 * 1024


def repository_crds(fs: RepoFS) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
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
                with open(path, "rb") as handle:
                    if b"CustomResourceDefinition" not in handle.read():
                        continue
                docs = fs.load_yaml(fs.relpath(path))
            except (OSError, SluiceError, ValueError):
                continue
            found.extend(doc for doc, _ in docs if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition")
    return found
