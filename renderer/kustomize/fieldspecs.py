"""Field specs: which fields of which kinds a transformer touches.

Kustomize keeps these as data (its builtin table, extendable with `configurations:` and
`crds:`); so does sluice: `renderer/data/builtin_fieldspecs.yaml` is read through the same
loader users' `configurations:` files go through.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources as importlib_resources
from typing import Any, Callable, Iterable

from ..core.errors import InputError, RenderError
from ..core.resource import Gvk

CONFIG_KEYS = (
    "namePrefix", "nameSuffix", "commonLabels", "labels", "templateLabels", "volumeClaimTemplateLabels",
    "commonAnnotations", "namespace", "varReference", "nameReference", "images", "replicas",
)


@dataclass(frozen=True)
class FieldSpec:
    """A path (slash separated, `[]` marks a list) on resources matching group/version/kind."""

    path: str
    group: str = ""
    version: str = ""
    kind: str = ""
    create: bool = False

    def selects(self, gvk: Gvk) -> bool:
        return (not self.kind or self.kind == gvk.kind) and (not self.group or self.group == gvk.group) and (
            not self.version or self.version == gvk.version
        )

    @functools.cached_property
    def segments(self) -> tuple[str, ...]:
        return split_path(self.path)


@functools.lru_cache(maxsize=4096)
def split_path(path: str, sep: str = "/") -> tuple[str, ...]:
    """Split on `sep`, honouring `\\sep` escapes and `[...]` brackets (kyaml's path splitters)."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path) and path[i + 1] == sep:
            buf.append(sep)
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return tuple(parts)


def fieldspec_from(data: Any, source: str) -> FieldSpec:
    if not isinstance(data, dict) or not isinstance(data.get("path"), str):
        raise InputError(f"a field spec needs a 'path' string, got {data!r}", file=source)
    return FieldSpec(
        path=data["path"],
        group=str(data.get("group") or ""),
        version=str(data.get("version") or ""),
        kind=str(data.get("kind") or ""),
        create=bool(data.get("create")),
    )


@dataclass(frozen=True, slots=True)
class NameBackRef:
    """Resources of `gvk` are referred to by name from the fields in `referrers`."""

    gvk: Gvk
    referrers: tuple[FieldSpec, ...]


def _effectively_equal(existing: FieldSpec, incoming: FieldSpec) -> bool:
    """kustomize's FsSlice dedup: same path, and the existing spec's gvk is selected by the incoming one."""
    return existing.path == incoming.path and (
        (not incoming.kind or incoming.kind == existing.kind)
        and (not incoming.group or incoming.group == existing.group)
        and (not incoming.version or incoming.version == existing.version)
    )


def _merge_specs(a: Iterable[FieldSpec], b: Iterable[FieldSpec]) -> tuple[FieldSpec, ...]:
    """Append the specs of `b` that no spec of `a` already covers (order matters: a is the base)."""
    out = list(a)
    for fs in b:
        same = next((x for x in out if _effectively_equal(x, fs)), None)
        if same is None:
            out.append(fs)
        elif same.create != fs.create:
            raise InputError(f"conflicting fieldspecs for path '{fs.path}' (create: {same.create} and {fs.create})")
    return tuple(out)


@dataclass(frozen=True)
class TransformerConfig:
    specs: dict[str, tuple[FieldSpec, ...]]
    name_refs: tuple[NameBackRef, ...]

    def get(self, key: str) -> tuple[FieldSpec, ...]:
        return self.specs.get(key, ())

    def merge(self, other: "TransformerConfig") -> "TransformerConfig":
        if other is self or (not other.specs and not other.name_refs):
            return self
        if not self.specs and not self.name_refs:
            return other
        specs = dict(self.specs)
        for key, value in other.specs.items():
            specs[key] = _merge_specs(specs.get(key, ()), value)
        refs: dict[Gvk, tuple[FieldSpec, ...]] = {r.gvk: r.referrers for r in self.name_refs}
        for ref in other.name_refs:
            refs[ref.gvk] = _merge_specs(refs.get(ref.gvk, ()), ref.referrers)
        return TransformerConfig(specs, tuple(NameBackRef(g, r) for g, r in refs.items()))


EMPTY_CONFIG = TransformerConfig({}, ())


def parse_config(doc: Any, source: str) -> TransformerConfig:
    """Parse a transformer configuration document (`configurations:` file format)."""
    if doc is None:
        return EMPTY_CONFIG
    if not isinstance(doc, dict):
        raise InputError("a transformer configuration must be a mapping", file=source)
    specs: dict[str, tuple[FieldSpec, ...]] = {}
    refs: list[NameBackRef] = []
    for key, value in doc.items():
        if key == "nameReference":
            for entry in value or []:
                gvk = Gvk(str(entry.get("group") or ""), str(entry.get("version") or ""), str(entry.get("kind") or ""))
                referrers = tuple(fieldspec_from(fs, source) for fs in entry.get("fieldSpecs") or [])
                refs.append(NameBackRef(gvk, referrers))
        elif key in CONFIG_KEYS:
            specs[key] = _merge_specs((), (fieldspec_from(fs, source) for fs in value or []))
        else:
            raise InputError(f"unknown field {key!r} in transformer configuration", file=source)
    merged: dict[Gvk, tuple[FieldSpec, ...]] = {}
    for ref in refs:
        merged[ref.gvk] = _merge_specs(merged.get(ref.gvk, ()), ref.referrers)
    return TransformerConfig(specs, tuple(NameBackRef(g, r) for g, r in merged.items()))


@functools.cache
def builtin_config() -> TransformerConfig:
    from ..core import yaml as _yaml

    text = importlib_resources.files("renderer.data").joinpath("builtin_fieldspecs.yaml").read_text("utf-8")
    docs = _yaml.load_documents(text, "builtin_fieldspecs.yaml")
    return parse_config(docs[0], "builtin_fieldspecs.yaml")


# -- applying a field spec ----------------------------------------------------------------

Setter = Callable[[Any], Any]
"""Receives the current value at the path (None if absent) and returns the new value, or
the sentinel KEEP to leave it as it is."""

KEEP = object()


def apply_fieldspec(body: dict[str, Any], fs: FieldSpec, setter: Setter, *, create_leaf: Callable[[], Any] | None = None) -> None:
    """Visit the value at `fs.path` in `body` and replace it with `setter(value)`.

    Lists along the path are traversed element by element. Missing fields are created
    only when the spec says `create` and `create_leaf` tells what to create at the end.
    """
    _walk(body, fs.segments, 0, fs, setter, create_leaf)


def _walk(node: Any, segs: tuple[str, ...], i: int, fs: FieldSpec, setter: Setter, create_leaf: Callable[[], Any] | None) -> None:
    if node is None:
        return
    if isinstance(node, list):
        for elem in node:
            _walk(elem, segs, i, fs, setter, create_leaf)
        return
    if not isinstance(node, dict):
        raise RenderError(f"considering field '{fs.path}': expected sequence or mapping node")
    seg = segs[i]
    is_seq = seg.endswith("[]")
    name = seg[:-2] if is_seq else seg
    last = i == len(segs) - 1
    if name not in node or node[name] is None:
        if not fs.create or create_leaf is None or is_seq:
            if last and name in node and node[name] is None and not is_seq:
                pass  # a null leaf is passed to the setter below
            else:
                return
        elif last:
            if name not in node or node[name] is None:
                node[name] = create_leaf()
        else:
            node[name] = {}
    if last:
        value = node.get(name)
        new = setter(value)
        if new is not KEEP:
            node[name] = new
        return
    _walk(node[name], segs, i + 1, fs, setter, create_leaf)
