"""Shards: a deterministic partition of a fleet's targets, and joining shard outputs.

A target goes to the shard that wins rendezvous hashing on its (cluster, app) key: every
shard scores the key and the highest score wins. The choice depends on the key and the
shard count only, so adding or removing targets moves no other target, and the shards
are balanced to within hashing noise. `sluice render --shard I/N` writes its bundles and
a shard manifest (`.sluice-shard.json`) beside them; `join_shards` checks that a set of
such directories is complete and consistent (one dry commit, one plan, shards 1..N each
once, no app twice, files as the manifest recorded them) and merges them into one
`Bundles` for a single atomic hydration.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..core.errors import InputError
from ..core.notes import Skipped
from .bundle import AppBundle, Bundles, load_bundles

SHARD_FILE = ".sluice-shard.json"
SHARD_VERSION = 1


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """'I/N' with 1 <= I <= N; raises InputError otherwise."""
    left, sep, right = text.partition("/")
    if not sep or not left.strip().isdigit() or not right.strip().isdigit():
        raise InputError(f"--shard {text!r}: expected I/N, e.g. 2/4")
    index, count = int(left), int(right)
    if count < 1 or not 1 <= index <= count:
        raise InputError(f"--shard {text!r}: I must be between 1 and N")
    return Shard(index, count)


def shard_of(key: str, count: int) -> int:
    """The 1-based shard `key` belongs to among `count` (rendezvous hashing)."""
    best, winner = b"", 1
    for index in range(1, count + 1):
        score = hashlib.sha256(f"{index}\0{key}".encode("utf-8")).digest()
        if score > best:
            best, winner = score, index
    return winner


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shard_manifest(bundles: Bundles, shard: Shard, *, plan_digest: str, units: Sequence[str],
                   scopes: dict[str, Any], config_preserve: Sequence[str], unreached: Sequence[str]) -> dict[str, Any]:
    """What a shard rendered, for the join to check: the dry commit, which shard of which
    plan, its units, every app's file digests, and the scope facts (CRDs defined,
    namespace decisions) a render across shards must agree on."""
    return {
        "version": SHARD_VERSION,
        "drySha": bundles.dry_sha or "",
        "repoURL": bundles.repo_url or "",
        "shard": shard.index,
        "of": shard.count,
        "plan": plan_digest,
        "units": list(units),
        "apps": [{"cluster": a.cluster, "appDir": a.app_dir,
                  "files": {name: file_digest(data) for name, data in sorted(a.files.items())}} for a in bundles.apps],
        "scopes": scopes,
        "configPreserve": list(config_preserve),
        "unreached": sorted(set(unreached)),
        "notes": [["skipped" if isinstance(n, Skipped) else "note", str(n)] for n in bundles.notes],
        "warnings": list(bundles.warnings),
    }


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    (out / SHARD_FILE).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _load(directory: Path) -> tuple[dict[str, Any], Bundles]:
    path = directory / SHARD_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"not a shard output (no {SHARD_FILE}); render it with `sluice render --shard I/N`",
                         file=str(directory)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable shard manifest: {exc}", file=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("version") != SHARD_VERSION:
        raise InputError("unsupported shard manifest version", file=str(path))
    for field, kind in (("drySha", str), ("plan", str), ("shard", int), ("of", int), ("apps", list),
                        ("scopes", dict), ("configPreserve", list), ("unreached", list), ("notes", list)):
        if not isinstance(manifest.get(field), kind):
            raise InputError(f"shard manifest field {field!r} is missing or malformed", file=str(path))
    bundles = load_bundles(directory)
    recorded = {(a["cluster"], a["appDir"]): a.get("files") for a in manifest["apps"] if isinstance(a, dict)}
    present = {(a.cluster, a.app_dir) for a in bundles.apps}
    if set(recorded) != present:
        raise InputError("the shard's bundles and its manifest list different apps", file=str(path))
    for app in bundles.apps:
        digests = {name: file_digest(data) for name, data in sorted(app.files.items())}
        if digests != recorded[(app.cluster, app.app_dir)]:
            raise InputError(f"{app.cluster}/{app.app_dir}: files differ from what the shard manifest recorded "
                             "(a damaged or edited artifact)", file=str(directory / app.cluster / app.app_dir))
    return manifest, bundles


def scope_conflict(scopes: Iterable[dict[str, Any]]) -> str | None:
    """Why a render split in parts differs from a whole one, or None. Each part scoped
    kinds with the built-ins plus the CRDs it rendered itself; a decision can only be
    wrong where a part set a namespace on a kind that a cluster-scoped CRD rendered by
    another part of the same cluster declares."""
    facts = list(scopes)
    crds: dict[str, set[tuple[str, str]]] = {}
    for fact in facts:
        for cluster, info in fact.items():
            crds.setdefault(cluster, set()).update((str(g), str(k)) for g, k in info.get("crds", []))
    for fact in facts:
        for cluster, info in fact.items():
            for app_dir, group, kind in info.get("namespaced", []):
                if (group, kind) in crds.get(cluster, set()):
                    return (f"cluster {cluster}: {app_dir} was rendered treating {kind}{'.' + group if group else ''} "
                            "as namespaced, but a cluster-scoped CustomResourceDefinition rendered in another part "
                            "declares it")
    return None


def check_scopes(scopes: Iterable[dict[str, Any]]) -> None:
    """Refuse a join whose shards scoped a kind differently (see `scope_conflict`)."""
    why = scope_conflict(scopes)
    if why:
        raise InputError(why + "; declare it in sluice.yaml clusterScopedKinds, or render without --shard")


def join_shards(directories: Sequence[str | os.PathLike[str]]) -> tuple[Bundles, dict[str, Any]]:
    """Merge shard outputs into the fleet's bundles; raises InputError on an incomplete or
    mismatched set. Returns the bundles and the common facts (dry commit, plan, count)."""
    if not directories:
        raise InputError("--bundles needs at least one shard directory")
    loaded = [(Path(d), *_load(Path(d))) for d in directories]
    first_dir, first, _ = loaded[0]
    for directory, manifest, _ in loaded[1:]:
        for field, what in (("drySha", "dry commit"), ("plan", "plan (fleet, options or sluice version)"), ("of", "shard count")):
            if manifest[field] != first[field]:
                raise InputError(f"shard {manifest['shard']}/{manifest['of']} has a different {what} than "
                                 f"{first_dir} ({manifest[field]!r} vs {first[field]!r})", file=str(directory))
    count = int(first["of"])
    seen: dict[int, Path] = {}
    for directory, manifest, _ in loaded:
        index = int(manifest["shard"])
        if index in seen:
            raise InputError(f"shard {index}/{count} given twice ({seen[index]} and {directory})", file=str(directory))
        seen[index] = directory
    missing = [str(i) for i in range(1, count + 1) if i not in seen]
    if missing:
        raise InputError(f"incomplete shard set: missing shard(s) {', '.join(missing)} of {count}")
    owners: dict[tuple[str, str], Path] = {}
    apps: list[AppBundle] = []
    for directory, _, bundles in sorted(loaded, key=lambda item: int(item[1]["shard"])):
        for app in bundles.apps:
            where = (app.cluster, app.app_dir)
            if where in owners:
                raise InputError(f"{app.cluster}/{app.app_dir} is in two shards ({owners[where]} and {directory})",
                                 file=str(directory))
            owners[where] = directory
            apps.append(app)
    check_scopes(m["scopes"] for _, m, _ in loaded)
    apps.sort(key=lambda a: (a.cluster, a.app_dir))
    rendered = {glob.escape(a.app_dir) for a in apps}
    kept = sorted({d for _, m, _ in loaded for d in m["unreached"] if d not in rendered})
    notes: list[str] = []
    for _, manifest, _ in sorted(loaded, key=lambda item: int(item[1]["shard"])):
        for kind, text in manifest["notes"]:
            note = Skipped(text) if kind == "skipped" else str(text)
            if note not in notes:
                notes.append(note)
    base = loaded[0][2]
    merged = Bundles(apps=tuple(apps), repo_url=base.repo_url, dry_sha=base.dry_sha, commands=base.commands,
                     preserve=(*first["configPreserve"], *kept), notes=tuple(notes),
                     warnings=tuple(w for _, m, _ in loaded for w in m.get("warnings", [])))
    return merged, {"drySha": first["drySha"], "plan": first["plan"], "of": count}


def joined_for(directories: Sequence[str | os.PathLike[str]], dry_sha: str) -> Bundles:
    """The joined shard set, refused unless it was rendered from `dry_sha` (the commit
    being hydrated)."""
    bundles, facts = join_shards(directories)
    if facts["drySha"] != dry_sha:
        raise InputError(f"the shards were rendered from dry commit {facts['drySha'][:12] or '(none)'}, not HEAD "
                         f"{dry_sha[:12]}; render them again at HEAD")
    return bundles
