"""Where a rendered resource came from: the source file and line, for findings.

Renders hand on plain bodies, so the origin is found again afterwards: every YAML file the
render read (`RepoFS.reads`) is indexed by (kind, name) with the line each document starts
on. A rendered name that kustomize changed (namePrefix/nameSuffix, a generator's hash)
matches the longest indexed name it contains. Resources made by a Helm chart have no such
file; their findings keep the target's source path (line 0).
"""
from __future__ import annotations

import re
from typing import Any

from ..core.errors import SluiceError
from ..core.fs import RepoFS

_YAML = re.compile(r"\.ya?ml$")
_SKIP = re.compile(r"(^|/)(templates|charts)/|(^|/)(kustomization|Chart|values)[^/]*\.ya?ml$")


class OriginIndex:
    """(kind, name) → [(file, line)] over the YAML files a render read."""

    def __init__(self, fs: RepoFS) -> None:
        self._by_name: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self._names: dict[str, set[str]] = {}
        for path, digest in sorted(fs.reads.items()):
            if digest is None or not _YAML.search(path) or _SKIP.search(path):
                continue
            try:
                docs = fs.load_yaml(path)
            except (SluiceError, ValueError):
                continue
            for doc, line in docs:
                if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
                    continue
                kind, name = str(doc.get("kind") or ""), str(doc["metadata"].get("name") or "")
                if kind and name:
                    self._by_name.setdefault((kind, name), []).append((path, line))
                    self._names.setdefault(kind, set()).add(name)

    def find(self, body: dict[str, Any], under: str = "") -> tuple[str, int] | None:
        """The file and line of `body`'s source, preferring files under `under`."""
        meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        kind, name = str(body.get("kind") or ""), str((meta or {}).get("name") or "")
        places = self._by_name.get((kind, name))
        if not places:
            contained = [n for n in self._names.get(kind, ()) if n and n in name]
            if not contained:
                return None
            places = self._by_name[(kind, max(contained, key=len))]
        prefix = under.rstrip("/") + "/" if under and under != "." else ""
        preferred = [p for p in places if p[0].startswith(prefix)] if prefix else []
        return (preferred or places)[0]
