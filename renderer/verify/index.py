"""The hook's index in `.sluice/`: `reads.json`, what each target and each Flux
Kustomization build read, with the digests they saw; `plan.json`, the discovery record
(plancache.py), rewritten only when discovery ran.

Shaped for a no-edit run, which reads it whole: every observation (a path and the digest
seen) is stored once in `entries` and records list entry numbers, so a thousand targets
sharing bases cost a few integers each, and the check of all of them is one pass over
the entries (`dirty`) and a set test per record. Beside each file's digest, `sig` keeps
the stat signature it was last confirmed under (tree.py), so that pass hashes only what
was touched. Entries replaced records no longer use are dropped once they are a fifth.

The index sits in the repository, where a pull request could plant one: it is JSON only,
every value is type-checked on load (anything unexpected: an empty index), digests are
always compared against the files, never trusted, and an index git tracks is ignored.
"""
from __future__ import annotations

import json
import posixpath
import tempfile
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..core.fs import KIND, LISTING, parent_dir
from ..flux.memo import Built
from .gitstatus import WorkTree
from .tree import Digests

CACHE_DIR = ".sluice"
READS_FILE = "reads.json"
INDEX_FILE = f"{CACHE_DIR}/{READS_FILE}"
PLAN_FILE = f"{CACHE_DIR}/plan.json"  # the discovery record: rewritten only when discovery ran
COMPACT = 0.8  # entries are renumbered (the unused dropped) once fewer than this share are in use
VERSION = 4


class _Invalid(Exception):
    pass


def _check(ok: bool) -> None:
    if not ok:
        raise _Invalid


def _strs(value: Any, nullable: bool = False) -> list[Any]:
    _check(type(value) is list and all(type(x) is str or (nullable and x is None) for x in value))
    return value  # type: ignore[no-any-return]


@dataclass
class TargetRecord:
    """What one target read when it was last rendered (entry numbers of its index)."""

    plan: str
    reads: tuple[int, ...]
    out: str | None = None  # a Flux target: digest of its Kustomization's objects then


@dataclass
class Index:
    context: str = ""
    paths: list[str] = field(default_factory=list)
    sums: list[str | None] = field(default_factory=list)
    known: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (stat signature, digest)
    targets: dict[str, TargetRecord] = field(default_factory=dict)
    discovery: dict[str, Any] | None = None  # plancache.py's record, reads and screens by path
    discovery_context: str = ""  # the context it was made in (its own file)
    flux: dict[str, dict[str, Built]] = field(default_factory=dict)  # the Flux memo's records

    def reads(self, ids: Iterable[int]) -> dict[str, str | None]:
        return {self.paths[i]: self.sums[i] for i in ids}

    def dirty(self, digests: Digests, work_tree: WorkTree | None) -> set[int]:
        """Entries whose digest differs now, or whose path differs from HEAD (for shapes:
        a path added, removed or retyped there)."""
        against_head: set[str] = set()
        if work_tree is not None:
            against_head.update(work_tree.changed)
            against_head.update(LISTING + parent_dir(p) for p in work_tree.reshaped)
            against_head.update(KIND + p for p in work_tree.reshaped)
        return digests.differing(self.paths, self.sums, against_head)


def _cache_dir(root: Path) -> Path | None:
    """`.sluice` when it is a plain directory of the repository (or absent): a pull request
    can commit it, or a file in it, as a symlink, which would lead the index's reads and
    writes outside the repository."""
    cache = root / CACHE_DIR
    if cache.is_symlink() or (cache.exists() and not cache.is_dir()):
        return None
    return cache


def _read(root: Path, name: str) -> bytes:
    cache = _cache_dir(root)
    if cache is None or (cache / name).is_symlink():
        raise OSError(f"{CACHE_DIR}/{name} is not a plain file of the repository")
    return (cache / name).read_bytes()


def load_index(root: Path) -> Index:
    """The saved index; an empty one when absent, unreadable, behind a symlink, of another
    version or not of the expected shape (the discovery record, in its own file, likewise)."""
    try:
        index = _decode(json.loads(_read(root, posixpath.basename(INDEX_FILE))))
    except (OSError, ValueError, RecursionError, _Invalid, KeyError, TypeError, IndexError):
        index = Index()
    try:
        index.discovery = _decode_plan(json.loads(_read(root, posixpath.basename(PLAN_FILE))), index)
    except (OSError, ValueError, RecursionError, _Invalid, KeyError, TypeError, IndexError):
        index.discovery = None
    return index


def _decode(data: Any) -> Index:
    _check(type(data) is dict and data.get("version") == VERSION and type(data.get("context")) is str)
    entries = data["entries"]
    _check(type(entries) is dict)
    paths, sums, sigs = _strs(entries["path"]), _strs(entries["sum"], nullable=True), _strs(entries["sig"])
    _check(len(paths) == len(sums) == len(sigs))
    size = len(paths)

    def ids(value: Any) -> tuple[int, ...]:
        _check(type(value) is list and (not value or (set(map(type, value)) == {int} and min(value) >= 0
                                                      and max(value) < size)))
        return tuple(value)

    targets: dict[str, TargetRecord] = {}
    raw_targets = data["targets"]
    _check(type(raw_targets) is dict)
    for key, rec in raw_targets.items():
        _check(type(rec) is dict and type(rec["plan"]) is str and (rec.get("out") is None or type(rec["out"]) is str))
        targets[key] = TargetRecord(rec["plan"], ids(rec["reads"]), rec.get("out"))
    known = {p: (sig, d) for p, d, sig in zip(paths, sums, sigs) if sig and d is not None}
    index = Index(data["context"], paths, sums, known, targets)
    flux = data["flux"]
    _check(type(flux) is dict)
    for tree, builds in flux.items():
        _check(type(builds) is dict)
        for name, raw in builds.items():
            _check(type(raw) is dict)
            built = Built.from_json(raw, index.reads(ids(raw["reads"])))
            _check(built is not None)
            index.flux.setdefault(tree, {})[name] = built  # type: ignore[assignment]
    return index


def _decode_plan(data: Any, index: Index) -> dict[str, Any] | None:
    """The discovery record (plancache.py checks its content); its files' stat signatures
    go to `index.known`."""
    _check(type(data) is dict and data.get("version") == VERSION and type(data.get("discovery")) is dict)
    discovery = dict(data["discovery"])
    sigs, reads, screens = discovery.pop("sigs"), discovery["reads"], discovery["screens"]
    _check(type(sigs) is dict and type(reads) is dict and type(screens) is dict)
    for path, sig in sigs.items():
        digest = reads[path] if path in reads else screens[path][0]
        if type(sig) is str and type(digest) is str:
            index.known.setdefault(path, (sig, digest))
    _check(type(data.get("context")) is str)
    index.discovery_context = data["context"]
    return discovery


class _Writer:
    """Entries interned as records are added; only what a record refers to is kept."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.sums: list[str | None] = []
        self._ids: dict[tuple[str, str | None], int] = {}

    def ids(self, reads: Mapping[str, str | None]) -> list[int]:
        out = []
        for pair in reads.items():
            found = self._ids.get(pair)
            if found is None:
                found = self._ids[pair] = len(self.paths)
                self.paths.append(pair[0])
                self.sums.append(pair[1])
            out.append(found)
        return sorted(out)

    def ids_of(self, index: Index, ids: Iterable[int], remap: dict[int, int]) -> list[int]:
        """Entry numbers of `index` as this writer's (`remap` keeps what is known)."""
        out = []
        for i in ids:
            found = remap.get(i)
            if found is None:
                pair = (index.paths[i], index.sums[i])
                found = self._ids.get(pair)
                if found is None:
                    found = self._ids[pair] = len(self.paths)
                    self.paths.append(pair[0])
                    self.sums.append(pair[1])
                remap[i] = found
            out.append(found)
        return sorted(out)


def _write(root: Path, name: str, data: Any) -> None:
    cache = _cache_dir(root)
    if cache is None:
        return
    try:
        cache.mkdir(exist_ok=True)
        if not os.path.lexists(cache / ".gitignore"):  # never through a link the repository holds
            fd = os.open(cache / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("# sluice's cache; never committed\n*\n")
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=cache)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, separators=(",", ":")) + "\n")
        os.replace(tmp, cache / name)  # replaces a link itself, never what it points to
    except OSError:
        pass  # a cache is a nicety: a read-only checkout still verifies


def save_index(root: Path, index: Index, digests: Digests, *, discovery: bool = True) -> None:
    """Write `index` atomically, with the stat signatures `digests` settled for the files
    it names (tree.py); its discovery record too unless `discovery` is False (unchanged)."""
    writer = _Writer()
    used = set().union(*(rec.reads for rec in index.targets.values()))
    keep = len(used) >= COMPACT * len(index.paths)  # few entries unused: kept as they are, numbers and all
    if keep:
        writer.paths, writer.sums = list(index.paths), list(index.sums)
        writer._ids = dict(zip(zip(writer.paths, writer.sums), range(len(writer.paths))))
    remap: dict[int, int] = {}
    targets = {}
    for key, rec in sorted(index.targets.items()):
        entry: dict[str, Any] = {"plan": rec.plan,
                                 "reads": sorted(rec.reads) if keep else writer.ids_of(index, rec.reads, remap)}
        if rec.out is not None:
            entry["out"] = rec.out
        targets[key] = entry
    flux = {tree: {name: {**built.to_json(), "reads": writer.ids(built.reads)} for name, built in sorted(builds.items())}
            for tree, builds in sorted(index.flux.items())}
    settled = digests.settled
    sigs = [found[0] if (found := settled.get(path)) is not None and found[1] == digest else ""
            for path, digest in zip(writer.paths, writer.sums)]
    if discovery:
        record = index.discovery
        if record is not None:
            named = {**record["reads"], **{p: e[0] for p, e in record["screens"].items()}}
            record = {**record, "sigs": {p: found[0] for p, d in sorted(named.items())
                                         if (found := settled.get(p)) is not None and found[1] == d}}
        _write(root, PLAN_FILE.rpartition("/")[2], {"version": VERSION, "context": index.context, "discovery": record})
    _write(root, READS_FILE, {"version": VERSION, "context": index.context,
                              "entries": {"path": writer.paths, "sum": writer.sums, "sig": sigs}, "targets": targets,
                              "flux": flux})
