"""The hook's plan cache: discovery's result kept in `.sluice/reads.json`, so that an
edit to one overlay re-plans nothing.

Discovery reads every YAML file of a repository, but most of them only to see that they
mention none of what it looks for (core/screens.py). The record keeps:

- `config`: a digest of the loaded configuration (sluice.yaml and the command line);
- `listing`: a digest of every path in the repository (type and symlink target), outside
  `.git` and `.sluice`: a file added, removed or renamed re-plans;
- `reads`: the sha256 of each file discovery parsed (None: looked for, absent);
- `screens`: for each file only screened, its sha256 and the screens that failed on it; an
  edited one keeps the plan while every one of them still fails on its new content;
- `plan` (the FleetPlan without its config, as tagged JSON), `crds` and `projects` (files
  holding CustomResourceDefinitions, AppProjects).

The index sits in the repository, where a pull request could plant one: it is JSON only,
decoded into a closed set of types, every digest is checked against the files, anything
unexpected makes it invalid, and an invalid record only means a full discovery.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

from ..argo.sources import SourceSpec
from ..core.errors import SluiceError
from ..core.fs import RepoFS
from ..core.notes import Skipped
from ..core.screens import SCREENS
from ..fleet.config import FleetConfig
from ..fleet.discover import Cluster, FleetPlan, Target

_TYPES: dict[str, type] = {"Cluster": Cluster, "Target": Target, "SourceSpec": SourceSpec}
_SKIP_DIRS = (".git", ".sluice")


class _Invalid(Exception):
    """The record does not describe a plan."""


def config_digest(config: FleetConfig) -> str:
    return hashlib.sha256(repr(config).encode("utf-8")).hexdigest()


def listing_digest(root: Path) -> str:
    """Every path under `root` with its type (a symlink with its target), sorted."""
    lines: list[str] = []
    for directory, dirs, files in os.walk(root):
        rel = os.path.relpath(directory, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        dirs[:] = sorted(d for d in dirs if not (d in _SKIP_DIRS and (rel == "." or d == ".git")))
        for name in dirs:
            full = os.path.join(directory, name)
            lines.append(f"l {prefix}{name} {os.readlink(full)}" if os.path.islink(full) else f"d {prefix}{name}")
        for name in sorted(files):
            full = os.path.join(directory, name)
            lines.append(f"l {prefix}{name} {os.readlink(full)}" if os.path.islink(full) else f"f {prefix}{name}")
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


# -- plan <-> JSON ----------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int)) or type(value) is str:
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Invalid("not a JSON number")
        return value
    if isinstance(value, Skipped):
        return {"k": str(value)}
    if isinstance(value, tuple):
        return {"t": [_encode(v) for v in value]}
    if isinstance(value, list):
        return {"l": [_encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {"s": sorted((_encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))}
    if isinstance(value, dict):
        if not all(type(k) is str for k in value):
            raise _Invalid("a mapping with non-string keys")
        return {"d": {k: _encode(v) for k, v in value.items()}}
    name = type(value).__name__
    if _TYPES.get(name) is type(value):
        return {"c": name, "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise _Invalid(f"cannot keep a {name}")


def _decode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if not isinstance(value, dict) or len(value) != (2 if "c" in value else 1):
        raise _Invalid("unexpected value")
    tag, body = next(iter(value.items())) if "c" not in value else ("c", value)
    if tag == "k" and isinstance(body, str):
        return Skipped(body)
    if tag in ("t", "l", "s") and isinstance(body, list):
        items = [_decode(v) for v in body]
        return tuple(items) if tag == "t" else items if tag == "l" else frozenset(items)
    if tag == "d" and isinstance(body, dict):
        return {k: _decode(v) for k, v in body.items()}
    if tag == "c" and body.get("c") in _TYPES and isinstance(body.get("f"), dict):
        cls = _TYPES[body["c"]]
        names = {f.name for f in dataclasses.fields(cls)}
        if set(body["f"]) != names:
            raise _Invalid("fields differ")
        try:
            return cls(**{k: _decode(v) for k, v in body["f"].items()})
        except (TypeError, ValueError) as exc:
            raise _Invalid(str(exc)) from None
    raise _Invalid("unexpected value")


def encode_plan(plan: FleetPlan) -> dict[str, Any] | None:
    """The plan without its config as tagged JSON; None when it would not come back equal."""
    fields = {f.name: getattr(plan, f.name) for f in dataclasses.fields(plan) if f.name != "config"}
    try:
        data = {k: _encode(v) for k, v in fields.items()}
        if decode_plan(json.loads(json.dumps(data)), plan.config) != plan:
            return None
    except (_Invalid, TypeError, ValueError, RecursionError):
        return None
    return data


def decode_plan(data: Any, config: FleetConfig) -> FleetPlan:
    if not isinstance(data, dict):
        raise _Invalid("not a plan")
    names = {f.name for f in dataclasses.fields(FleetPlan)} - {"config"}
    if set(data) != names:
        raise _Invalid("plan fields differ")
    fields = {k: _decode(v) for k, v in data.items()}
    if not all(isinstance(t, Target) for t in fields["targets"]) or not all(isinstance(c, Cluster) for c in fields["clusters"]):
        raise _Invalid("plan entries differ")
    return FleetPlan(config=config, **fields)


# -- the record -------------------------------------------------------------------------------


def record(root: Path, fs: RepoFS, plan: FleetPlan, crds: list[str], projects: list[str]) -> dict[str, Any] | None:
    """What to keep of a discovery that ran on `fs` (fresh, used for nothing else)."""
    encoded = encode_plan(plan)
    if encoded is None or plan.config.repositories:
        return None  # another checkout's files are not covered by the digests
    screened: dict[str, list[Any]] = {}
    reads = dict(fs.reads)
    for path, results in fs.screens.items():
        if path in reads:
            continue
        digest = fs._decoded(path)[1]
        if any(results.values()):
            reads[path] = digest  # passed a screen without being parsed: its content counts
        else:
            screened[path] = [digest, sorted(results)]
    return {"config": config_digest(plan.config), "listing": listing_digest(root), "reads": dict(sorted(reads.items())),
            "screens": dict(sorted(screened.items())), "plan": encoded, "crds": list(crds),
            "projects": list(projects)}


def _text(root: Path, path: str) -> str | None:
    try:
        text = (root / path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def reuse(root: Path, saved: Any, config: FleetConfig,
          digests: Callable[[str], str | None]) -> tuple[FleetPlan, list[str], list[str]] | None:
    """The kept plan, CRD files and AppProject files when the record still holds for the
    files now; None otherwise."""
    try:
        if not isinstance(saved, dict) or saved.get("config") != config_digest(config) or config.repositories:
            return None
        reads, screened = saved.get("reads"), saved.get("screens")
        crds, projects = saved.get("crds"), saved.get("projects")
        if not isinstance(reads, dict) or not isinstance(screened, dict):
            return None
        for files in (crds, projects):
            if not isinstance(files, list) or not all(isinstance(p, str) for p in files) or not set(files) <= set(reads):
                return None
        if any(not isinstance(p, str) or digests(p) != sha for p, sha in reads.items()):
            return None
        for path, entry in screened.items():
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], list) and entry[1]
                    and all(n in SCREENS for n in entry[1])):
                return None
            if digests(path) == entry[0] and isinstance(entry[0], str):
                continue
            text = _text(root, path)
            if text is None or any(SCREENS[name](text) for name in entry[1]):
                return None
        if saved.get("listing") != listing_digest(root):
            return None
        return decode_plan(saved.get("plan"), config), list(crds), list(projects)
    except (_Invalid, RecursionError, SluiceError, TypeError, ValueError):
        return None
