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
  holding CustomResourceDefinitions, AppProjects), `digests` (each target's `plan_digest`,
  kept so that a no-edit run need not compute them);
- `flux`: the reads only the Flux part of discovery made (Kustomization builds, which read
  whole cluster trees), and `flux_notes`, where its notes begin: an edit to those files
  alone keeps the rest of the plan and plans the Flux targets again (through the memo).

The index sits in the repository, where a pull request could plant one: it is JSON only,
decoded into a closed set of types, every digest is checked against the files, anything
unexpected makes it invalid, and an invalid record only means a full discovery.
"""
from __future__ import annotations

import dataclasses
import hashlib
import operator
from pathlib import Path
from typing import Any, Callable

from ..argo.sources import SourceSpec
from ..core.errors import SluiceError
from ..core.fs import RepoFS
from ..core.notes import Skipped
from ..core.screens import SCREENS
from ..fleet.config import FleetConfig
from ..fleet.discover import Cluster, FleetPlan, Target
from .tree import UNREADABLE, Digests, Tree



class _Invalid(Exception):
    """The record does not describe a plan."""


def config_digest(config: FleetConfig) -> str:
    return hashlib.sha256(repr(config).encode("utf-8")).hexdigest()


def target_key(target: Target) -> str:
    return f"{target.cluster}/{target.app_dir}"


def plan_digest(target: Target) -> str:
    """A digest of everything planned for a target (source spec, destination, capabilities):
    what an ApplicationSet generates from files it reads (a git files generator's
    config.json) changes it without changing any file the target itself reads."""
    return hashlib.sha256(repr(target).encode("utf-8")).hexdigest()


# -- plan <-> JSON ----------------------------------------------------------------------------
# Dataclasses as lists of their field values in field order, each field decoded by a
# converter chosen from its declared type: fast for a thousand targets, and strict (a value
# of the wrong type, a field too many or too few, makes the record invalid).


def _fail(what: str) -> Any:
    raise _Invalid(what)


def _str(v: Any) -> str:
    return v if type(v) is str else _fail("not a string")


def _opt_str(v: Any) -> str | None:
    return v if v is None or type(v) is str else _fail("not a string")


def _opt_int(v: Any) -> int | None:
    return v if v is None or type(v) is int else _fail("not an integer")


def _bool(v: Any) -> bool:
    return v if type(v) is bool else _fail("not a boolean")


def _list(v: Any) -> list[Any]:
    return v if type(v) is list else _fail("not a list")


def _strs(v: Any) -> tuple[str, ...]:
    return tuple(_list(v)) if set(map(type, v)) <= {str} else _fail("not strings")


def _pairs(v: Any) -> tuple[tuple[str, str], ...]:
    if not (set(map(type, _list(v))) <= {list} and set(map(len, v)) <= {2}):
        _fail("not pairs")
    out = tuple((a, b) for a, b in v)
    return out if set(map(type, (x for pair in out for x in pair))) <= {str} else _fail("not pairs of strings")


# scalar fields are checked by type alone (no call per field: a thousand targets decode each run)
_SCALARS: dict[Callable[[Any], Any], tuple[type, ...]] = {}


def _record_codec(cls: type, converters: dict[str, Callable[[Any], Any]]) -> tuple[Callable[[Any], list[Any]], Callable[[Any], Any]]:
    fields = dataclasses.fields(cls)
    decoders = [converters[f.type] for f in fields]  # type: ignore[index]  # a new field type fails at import
    scalars = [(i, _SCALARS[d]) for i, d in enumerate(decoders) if d in _SCALARS]
    others = [(i, d) for i, d in enumerate(decoders) if d not in _SCALARS]

    values_of = operator.attrgetter(*(f.name for f in fields))

    def encode(obj: Any) -> list[Any]:
        return [v if type(v) in _JSON_SCALARS else _plain(v) for v in values_of(obj)]

    def decode(v: Any) -> Any:
        values = list(_list(v))
        if len(values) != len(decoders):
            _fail(f"{cls.__name__}: fields differ")
        for i, allowed in scalars:
            if type(values[i]) not in allowed:
                _fail(f"{cls.__name__}: field {fields[i].name} of the wrong type")
        for i, decoder in others:
            values[i] = decoder(values[i])
        try:
            return cls(*values)
        except (TypeError, ValueError) as exc:
            raise _Invalid(str(exc)) from None

    return encode, decode


_JSON_SCALARS = frozenset({str, int, bool, float, type(None)})


def _plain(value: Any) -> Any:
    """Tuples as lists, records as lists of fields; JSON scalars and mappings as they are."""
    if type(value) in _JSON_SCALARS:
        return value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, SourceSpec):
        return _encode_source(value)
    return value


_SCALARS.update({_str: (str,), _opt_str: (str, type(None)), _opt_int: (int, type(None)), _bool: (bool,)})
_BASE = {"str": _str, "str | None": _opt_str, "int | None": _opt_int, "bool": _bool, "tuple[str, ...]": _strs,
         "tuple[tuple[str, str], ...]": _pairs}
_encode_source, _decode_source = _record_codec(SourceSpec, _BASE)
_encode_target, _decode_target = _record_codec(Target, {
    **_BASE, "SourceSpec": _decode_source,
    "tuple[SourceSpec, ...]": lambda v: tuple(_decode_source(x) for x in _list(v))})
_encode_cluster, _decode_cluster = _record_codec(Cluster, _BASE)


def _json_value(v: Any, depth: int = 0) -> Any:
    """A YAML document as JSON keeps it (a cluster Secret): mappings with string keys,
    lists, scalars; anything else is not one discovery made."""
    if depth > 64:
        _fail("too deep")
    if v is None or type(v) in (str, int, float, bool):
        return v
    if type(v) is list:
        return [_json_value(x, depth + 1) for x in v]
    if type(v) is dict:
        return {_str(k): _json_value(x, depth + 1) for k, x in v.items()}
    return _fail("not a JSON value")


def encode_plan(plan: FleetPlan) -> dict[str, Any] | None:
    """The plan without its config, as JSON; None when it would not come back equal."""
    try:
        data = {
            "clusters": [_encode_cluster(c) for c in plan.clusters],
            "targets": [_encode_target(t) for t in plan.targets],
            "repo_url": plan.repo_url,
            "notes": [[isinstance(n, Skipped), str(n)] for n in plan.notes],
            "skip_dirs": list(plan.skip_dirs),
            "cluster_docs": [[doc, path, line] for doc, path, line in plan.cluster_docs],
            "skipped": sorted([ns, name] for ns, name in plan.skipped),
        }
        # decoding checks every value is of a JSON type (mappings with string keys), so what
        # comes back equal from `data` comes back equal from its JSON text
        if decode_plan(data, plan.config) != plan:
            return None
    except (_Invalid, TypeError, ValueError, RecursionError):
        return None
    return data


def decode_plan(data: Any, config: FleetConfig) -> FleetPlan:
    if type(data) is not dict or set(data) != {"clusters", "targets", "repo_url", "notes", "skip_dirs", "cluster_docs", "skipped"}:
        raise _Invalid("plan fields differ")
    notes = []
    for entry in _list(data["notes"]):
        if type(entry) is not list or len(entry) != 2:
            _fail("not a note")
        notes.append(Skipped(_str(entry[1])) if _bool(entry[0]) else _str(entry[1]))
    docs = []
    for entry in _list(data["cluster_docs"]):
        if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not dict:
            _fail("not a cluster document")
        docs.append((_json_value(entry[0]), _str(entry[1]), _opt_int(entry[2])))
    return FleetPlan(
        config=config,
        clusters=tuple(_decode_cluster(c) for c in _list(data["clusters"])),
        targets=tuple(_decode_target(t) for t in _list(data["targets"])),
        repo_url=_opt_str(data["repo_url"]),
        notes=tuple(notes),
        skip_dirs=_strs(data["skip_dirs"]),
        cluster_docs=tuple(docs),
        skipped=frozenset(_pairs(data["skipped"])),
    )


# -- the record -------------------------------------------------------------------------------


def record(tree: Tree, fs: RepoFS, plan: FleetPlan, crds: list[str], projects: list[str],
           parts: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """What to keep of a discovery that ran on `fs` (fresh, used for nothing else); `parts`
    from `discover` mark the reads only its Flux part made (see `reuse`)."""
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
    parts = parts or {}
    flux = sorted(p for p in parts.get("flux_reads", ()) if p in reads)
    return {"config": config_digest(plan.config), "listing": tree.listing, "reads": dict(sorted(reads.items())),
            "screens": dict(sorted(screened.items())), "plan": encoded, "crds": list(crds),
            "projects": list(projects), "digests": [plan_digest(t) for t in plan.targets],
            "flux": flux, "flux_notes": parts.get("notes", len(plan.notes)), "flux_dirs": parts.get("flux_dirs"),
            "flux_found": [p for p in parts.get("flux_found", ()) if p in flux]}


def _text(root: Path, path: str) -> str | None:
    try:
        text = (root / path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


@dataclasses.dataclass(frozen=True)
class Kept:
    """A discovery record that still holds, decoded. With `flux_stale`, only files its
    Flux part alone read changed: the plan holds but for its Flux targets, and its notes
    from `flux_notes` on (the caller plans those again)."""

    plan: FleetPlan
    crds: list[str]
    projects: list[str]
    digests: dict[str, str]  # each target's plan_digest
    flux_stale: bool = False
    flux_notes: int = 0
    flux_dirs: list[str] | None = None  # the cluster directories, when finding them read nothing that changed


def reuse(root: Path, saved: Any, config: FleetConfig, digests: Digests) -> Kept | None:
    """What the record keeps when it still holds for the files now; None otherwise."""
    try:
        if not isinstance(saved, dict) or saved.get("config") != config_digest(config) or config.repositories:
            return None
        if saved.get("listing") != digests.tree.listing:
            return None
        reads, screened = saved.get("reads"), saved.get("screens")
        crds, projects = saved.get("crds"), saved.get("projects")
        if not isinstance(reads, dict) or not isinstance(screened, dict):
            return None
        for files in (crds, projects):
            if not isinstance(files, list) or not all(isinstance(p, str) for p in files) or not set(files) <= set(reads):
                return None
        if not all(isinstance(p, str) for p in reads):
            return None
        paths = list(reads)
        stale = {paths[i] for i in digests.differing(paths, list(reads.values()), set())}
        flux, flux_notes = saved.get("flux"), saved.get("flux_notes")
        if stale and not (isinstance(flux, list) and stale <= set(flux) and type(flux_notes) is int):
            return None
        paths, entries = list(screened), list(screened.values())
        if not all(isinstance(p, str) and isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                   and isinstance(entry[1], list) and entry[1] and all(n in SCREENS for n in entry[1])
                   for p, entry in zip(paths, entries)):
            return None
        for i in sorted(digests.differing(paths, [e[0] for e in entries], set())):
            current = digests(paths[i])
            if current is None or current == UNREADABLE:
                return None
            text = _text(root, paths[i])
            if text is None or any(SCREENS[name](text) for name in entries[i][1]):
                return None
        plan = decode_plan(saved.get("plan"), config)
        kept = saved.get("digests")
        if not (isinstance(kept, list) and len(kept) == len(plan.targets) and all(isinstance(d, str) for d in kept)):
            return None
        if stale and not 0 <= flux_notes <= len(plan.notes):  # type: ignore[operator]
            return None
        dirs, found = saved.get("flux_dirs"), saved.get("flux_found")
        same_dirs = (isinstance(dirs, list) and all(isinstance(d, str) for d in dirs) and isinstance(found, list)
                     and not stale.intersection(found))
        return Kept(plan, list(crds), list(projects), dict(zip((target_key(t) for t in plan.targets), kept)),
                    bool(stale), flux_notes if stale else 0,  # type: ignore[arg-type]
                    list(dirs) if stale and same_dirs else None)  # type: ignore[arg-type]
    except (_Invalid, RecursionError, SluiceError, TypeError, ValueError):
        return None
