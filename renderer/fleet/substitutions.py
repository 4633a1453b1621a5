"""Variables for Flux `postBuild.substituteFrom` objects that only a cluster holds.

sluice.yaml `substitutions` (and the file `substitutionsFile` names) map a cluster (`*`:
every cluster) to `Kind/namespace/name` to variables. A render asks for an object the
repository does not define; this answers with a ConfigMap or Secret holding those
variables. Values may be secrets: they are kept out of every repr, note and error.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

Entries = tuple[tuple[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]], ...]
ALL_CLUSTERS = "*"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class Substitutions:
    """cluster -> object -> variables, frozen; `digest` stands for the values in reprs (the
    plan cache keys on the config's repr)."""

    entries: Entries = field(default=(), repr=False)
    digest: str = ""

    @classmethod
    def from_mappings(cls, *layers: Mapping[str, Any]) -> "Substitutions":
        """Later layers win, object by object (values already schema-checked)."""
        merged: dict[str, dict[str, dict[str, str]]] = {}
        for layer in layers:
            for cluster, objects in (layer or {}).items():
                for ref, variables in (objects or {}).items():
                    merged.setdefault(str(cluster), {})[str(ref)] = {str(k): _scalar(v) for k, v in (variables or {}).items()}
        entries: Entries = tuple(sorted(
            (c, tuple(sorted((r, tuple(sorted(v.items()))) for r, v in objs.items()))) for c, objs in merged.items()))
        digest = hashlib.sha256(json.dumps(entries).encode("utf-8")).hexdigest() if entries else ""
        return cls(entries, digest)

    def resolver(self, cluster: str) -> Callable[[str, str, str], dict[str, Any] | None] | None:
        """(kind, namespace, name) -> a ConfigMap/Secret with the supplied variables, for
        `cluster`; None when nothing is supplied for it."""
        table: dict[str, dict[str, str]] = {}
        for name, objects in self.entries:
            if name in (ALL_CLUSTERS, cluster):
                for ref, variables in objects:
                    if name == cluster or ref not in table:
                        table[ref] = dict(variables)
        if not table:
            return None

        def lookup(kind: str, namespace: str, name: str) -> dict[str, Any] | None:
            variables = table.get(f"{kind}/{namespace or 'default'}/{name}")
            if variables is None:
                return None
            key = "stringData" if kind == "Secret" else "data"
            return {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": namespace},
                    key: dict(variables)}

        return lookup
