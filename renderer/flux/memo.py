"""Flux Kustomization builds kept from one run to the next (the pre-commit hook's memo).

A cluster tree is built Kustomization by Kustomization, each from its own object, the
files it reads and what it looks up among the objects built before it (substituteFrom
ConfigMaps and Secrets, its source, ArtifactGenerators). A `Built` keeps one build with
exactly those inputs; `KsMemo.recall` serves it again only while every one of them is
what it was: the same Kustomization object, the same ArtifactGenerators, the same answer
to every lookup (asked again of the tree being built), and the same digest for every file
read (the caller's `fresh`). An edit to one Kustomization's files then rebuilds that one,
and whichever others see a different object because of it.

The objects are kept as JSON text, with where each was written: a recalled build is
parsed afresh (callers may change what they are given), and a build holding anything JSON
would not give back as it was is not kept.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..core.resource import Origin, Placed

__all__ = ["Built", "KsMemo", "digest_object", "plain_json"]

Lookup = tuple[str, str, str, "str | None"]  # (kind, namespace, name, digest of the object found)


def plain_json(value: Any, depth: int = 0) -> bool:
    """Whether JSON gives `value` back equal and of the same types (dicts with string keys,
    lists, strings, integers, finite floats, booleans, None)."""
    if depth > 200:
        return False
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and plain_json(v, depth + 1) for k, v in value.items())
    if kind is list:
        return all(plain_json(v, depth + 1) for v in value)
    if kind is float:
        return math.isfinite(value)
    return value is None or kind in (str, int, bool)


def digest_object(value: Any) -> str | None:
    """A digest of a JSON-like object (key order ignored); None for no object."""
    if value is None:
        return None
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def objects_digest(objects: list[dict[str, Any]]) -> str | None:
    """The digest `Built.out` holds for these objects; None when they are not plain JSON."""
    if not plain_json(objects):
        return None
    return hashlib.sha256(json.dumps(objects, separators=(",", ":")).encode("ascii")).hexdigest()


@dataclass
class Built:
    """One Kustomization's build and everything it was made from."""

    ks: str  # digest of the Kustomization object
    generators: str  # digest of the ArtifactGenerators built before it
    lookups: list[Lookup]
    reads: dict[str, str | None]  # what it read (a RepoFS scope: files and shapes of the tree)
    notes: list[str]
    output: str  # the objects built, as JSON text
    origins: str = "[]"  # where each was written (Origin.to_json), as JSON text
    out: str = field(default="")  # digest of `output`

    def __post_init__(self) -> None:
        if not self.out:
            self.out = hashlib.sha256(self.output.encode("ascii", "backslashreplace")).hexdigest()

    @classmethod
    def of(cls, ks: str, generators: str, lookups: list[Lookup], reads: dict[str, str | None], notes: list[str],
           placed: list[Placed]) -> "Built | None":
        """A build to keep; None when JSON would not give its objects back as they are."""
        objects = [p.body for p in placed]
        if not plain_json(objects):
            return None
        return cls(ks, generators, lookups, reads, notes, json.dumps(objects, separators=(",", ":")),
                   json.dumps([p.origin.to_json() for p in placed], separators=(",", ":")))

    def placed(self) -> list[Placed] | None:
        """The objects afresh (callers may change them), each with where it was written;
        None when the record does not hold them (a planted index)."""
        try:
            objects, origins = json.loads(self.output), json.loads(self.origins)
            if not (type(objects) is list and type(origins) is list and len(objects) == len(origins)
                    and all(type(o) is dict for o in objects)):
                return None
            return [Placed(body, Origin.from_json(origin)) for body, origin in zip(objects, origins)]
        except (TypeError, ValueError, RecursionError):
            return None

    def to_json(self) -> dict[str, Any]:
        return {"ks": self.ks, "generators": self.generators, "lookups": [list(x) for x in self.lookups],
                "notes": list(self.notes), "output": self.output, "origins": self.origins, "out": self.out}

    @classmethod
    def from_json(cls, data: Any, reads: dict[str, str | None]) -> "Built | None":
        """A record read back from a file anyone could have written: None unless well formed."""
        try:
            lookups = []
            for item in data["lookups"]:
                kind, ns, name, digest = item
                if not all(type(x) is str for x in (kind, ns, name)) or not (digest is None or type(digest) is str):
                    return None
                lookups.append((kind, ns, name, digest))
            notes, output, origins = data["notes"], data["output"], data["origins"]
            if not (type(data["ks"]) is str and type(data["generators"]) is str and type(output) is str
                    and type(origins) is str and type(notes) is list and all(type(n) is str for n in notes)
                    and type(data["out"]) is str):
                return None
            built = cls(data["ks"], data["generators"], lookups, reads, list(notes), output, origins)
        except (KeyError, TypeError, ValueError):
            return None
        return built if built.out == data["out"] else None  # the objects are checked when recalled


class KsMemo:
    """Builds by (tree, Kustomization): `tree` names a cluster directory and how its
    lookups are answered; `fresh(reads)` says whether recorded reads still hold."""

    def __init__(self, records: Mapping[str, Mapping[str, Built]] | None = None,
                 fresh: Callable[[Mapping[str, str | None]], bool] | None = None,
                 complete: Callable[[dict[str, str | None]], dict[str, str | None]] | None = None) -> None:
        self.records: dict[str, dict[str, Built]] = {t: dict(r) for t, r in (records or {}).items()}
        self.fresh = fresh or (lambda reads: False)
        self.complete = complete  # adds to a build's reads what it used past the read log (Helm charts)
        self.touched: dict[str, dict[str, Built]] = {}  # trees built in this run: what each holds now

    def begin(self, tree: str) -> None:
        self.touched[tree] = {}

    def recall(self, tree: str, key: str, ks_digest: str, generators: str,
               lookup: Callable[[str, str, str], Any]) -> tuple[Built, list[Placed]] | None:
        """The build kept for `key` and its objects, when every input is as it was."""
        found = self.records.get(tree, {}).get(key)
        if found is None or found.ks != ks_digest or found.generators != generators:
            return None
        for kind, ns, name, digest in found.lookups:
            if digest_object(lookup(kind, ns, name)) != digest:
                return None
        if not self.fresh(found.reads):
            return None
        placed = found.placed()
        if placed is None:
            return None
        self.touched.setdefault(tree, {})[key] = found
        return found, placed

    def keep(self, tree: str, key: str, built: Built) -> None:
        if self.complete is not None:
            built.reads = self.complete(built.reads)
        self.records.setdefault(tree, {})[key] = built
        self.touched.setdefault(tree, {})[key] = built

    def finished(self) -> dict[str, dict[str, Built]]:
        """What to keep: each tree built in this run as it stands now, the others as they were."""
        out = {t: r for t, r in self.records.items() if t not in self.touched}
        out.update(self.touched)
        return out
