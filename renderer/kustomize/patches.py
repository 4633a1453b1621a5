"""Patches: strategic merge (through strategic.py) and JSON 6902 (through jsonpatch.py),
with or without target selectors, in all the spellings a kustomization accepts."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import InputError, RenderError
from ..core.resource import Resource, ResourceList, ResId, gvk_of
from .buildmeta import build_annotations, with_build_annotations, without_build_annotations
from .jsonpatch import MAX_COPIED, JsonPatchError, apply_ops
from .loader import Loader
from .selectors import Selector


@dataclass
class Patch:
    """One parsed patch: either strategic-merge documents or a JSON 6902 operation list."""

    source: str  # for messages: a file path or '[patch: ...]'
    smp: list[dict[str, Any]] = field(default_factory=list)
    json_ops: list[dict[str, Any]] | None = None
    target: Selector | None = None
    allow_name_change: bool = False
    allow_kind_change: bool = False
    # a `patches:` JSON patch records each target's id before it runs (so references follow a
    # rename it makes); a `patchesJson6902:` one does not (kustomize's two transformers differ)
    store_previous_id: bool = True


def _load_docs(text: str, source: str, dialect: str = "resource") -> list[Any]:
    from ..core import yaml as _yaml

    return _yaml.load_documents(text, source, dialect=dialect)  # type: ignore[arg-type]


def _json_ops_from_yaml(text: str, source: str) -> Any:
    """A YAML JSON-patch as kustomize reads it: sigs.k8s.io/yaml's YAMLToJSON, so go-yaml
    v2 scalars (`yes`, `on`, `y` are booleans) and only the first document."""
    docs = _load_docs(text, source, "config")
    ops = docs[0] if docs else []
    _require_json(ops, source)
    return ops


def _require_json(value: Any, source: str) -> None:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise InputError(f"unable to parse SM or JSON patch from {source}: {value} is not a JSON value", file=source)
    if isinstance(value, dict):
        for item in value.values():
            _require_json(item, source)
    elif isinstance(value, list):
        for item in value:
            _require_json(item, source)


def parse_patch_text(text: str, source: str) -> Patch:
    if not text.strip():
        return Patch(source=source)
    if text.lstrip().startswith("["):
        try:
            ops = json.loads(text)
        except json.JSONDecodeError:
            ops = _json_ops_from_yaml(text, source)
        return Patch(source=source, json_ops=_check_ops(ops, source))
    docs = _load_docs(text, source)
    if len(docs) == 1 and isinstance(docs[0], list):
        return Patch(source=source, json_ops=_check_ops(_json_ops_from_yaml(text, source), source))
    smp: list[dict[str, Any]] = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise InputError(f"unable to parse SM or JSON patch from {source}: a patch document must be a mapping", file=source)
        if doc.get("kind") == "List" or (str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list)):
            smp.extend(item for item in doc.get("items") or [] if isinstance(item, dict))
        else:
            smp.append(doc)
    return Patch(source=source, smp=smp)


def _check_ops(ops: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise InputError("a JSON 6902 patch must be a list of operations", file=source)
    for op in ops:
        if op.get("op") not in ("add", "remove", "replace", "move", "copy", "test"):
            raise InputError(f"invalid JSON 6902 operation {op.get('op')!r}", file=source)
        if not isinstance(op.get("path"), str):
            raise InputError(f"JSON 6902 operation {op.get('op')!r} needs a string 'path'", file=source)
    return ops


def load_patch_entry(loader: Loader, entry: Any, where: str) -> Patch:
    """A `patches:` entry: {path|patch, target, options}."""
    if not isinstance(entry, dict):
        raise InputError(f"a patches entry must be a mapping with 'path' or 'patch', got {entry!r}", file=where)
    unknown = set(entry) - {"path", "patch", "target", "options"}
    if unknown:
        raise InputError(f"unknown field(s) in patches entry: {', '.join(sorted(unknown))}", file=where)
    path, inline = entry.get("path"), entry.get("patch")
    inline = inline.strip() if isinstance(inline, str) else inline
    if not path and not inline:
        raise InputError("must specify one of patch and path in a patches entry", file=where)
    if path and inline:
        raise InputError("patch and path can't be set at the same time", file=where)
    if path:
        patch = parse_patch_text(loader.read_text(str(path)), loader.file_path(str(path)))
    else:
        patch = parse_patch_text(str(inline), where)
    if entry.get("target") is not None:
        patch.target = Selector.from_dict(entry["target"], where)
    options = entry.get("options") or {}
    patch.allow_name_change = bool(options.get("allowNameChange"))
    patch.allow_kind_change = bool(options.get("allowKindChange"))
    if patch.smp and patch.target is not None and len(patch.smp) > 1:
        raise InputError("Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field", file=where)
    if patch.json_ops is not None and patch.target is None:
        raise InputError(f"must specify a target for JSON patch {patch.source}", file=where)
    return patch


def load_psm_entry(loader: Loader, entry: Any, where: str) -> Patch:
    """A `patchesStrategicMerge:` entry: a file path or an inline YAML patch."""
    if isinstance(entry, dict):
        return Patch(source=where, smp=[entry])
    text = str(entry)
    if "\n" in text or text.lstrip().startswith(("{", "apiVersion", "kind")):
        return parse_patch_text(text, where)
    return parse_patch_text(loader.read_text(text), loader.file_path(text))


def load_json6902_entry(loader: Loader, entry: Any, where: str) -> Patch:
    if not isinstance(entry, dict) or entry.get("target") is None:
        raise InputError("a patchesJson6902 entry needs a 'target'", file=where)
    if entry.get("path"):
        patch = parse_patch_text(loader.read_text(str(entry["path"])), loader.file_path(str(entry["path"])))
    elif entry.get("patch"):
        patch = parse_patch_text(str(entry["patch"]), where)
    else:
        raise InputError("a patchesJson6902 entry needs 'path' or 'patch'", file=where)
    if patch.json_ops is None:
        patch = Patch(source=patch.source, json_ops=_check_ops(patch.smp, patch.source) if patch.smp else [])
    patch.target = Selector.from_dict(entry["target"], where)
    patch.store_previous_id = False
    return patch


# -- applying ------------------------------------------------------------------------------

def apply_patch(resources: ResourceList, patch: Patch, schema: Any, where: str) -> None:
    if patch.json_ops is not None:
        _apply_json6902(resources, patch, where)
    elif patch.smp:
        _apply_smp(resources, patch, schema, where)


_REGEX_CHARS = set(".*+?[](){}|^$\\")


def _select(resources: ResourceList, selector: Selector, where: str) -> list[Resource]:
    """Resources a target selector picks, in list order. A literal name is an index lookup."""
    compiled = selector.compile(where)
    if selector.name and not (set(selector.name) & _REGEX_CHARS):
        candidates = resources.named(selector.name)
    else:
        candidates = list(resources)
    return [r for r in candidates if compiled.matches(r)]


def _apply_json6902(resources: ResourceList, patch: Patch, where: str) -> None:
    assert patch.target is not None and patch.json_ops is not None
    selected = _select(resources, patch.target, where)
    before = [r.id.key() for r in selected]
    budget = [MAX_COPIED]  # what the patch's copy operations may duplicate, over all its targets
    for res in selected:
        if patch.store_previous_id:
            res.record_rename()
        internal = build_annotations(res)
        try:
            body = apply_ops(with_build_annotations(res.body, internal), patch.json_ops, budget)
        except JsonPatchError as exc:
            raise RenderError(f"JSON 6902 patch {patch.source} failed on {res.id}: {exc.message}", file=where) from None
        if not isinstance(body, dict):
            raise RenderError(f"JSON 6902 patch {patch.source} turned {res.id} into a non-object", file=where)
        without_build_annotations(body, internal)
        res.body = body
    resources.refresh(selected, before)


def _patch_id(doc: dict[str, Any]) -> ResId:
    meta = doc.get("metadata") or {}
    return ResId(gvk_of(doc), str(meta.get("name") or ""), str(meta.get("namespace") or ""))


def _apply_smp(resources: ResourceList, patch: Patch, schema: Any, where: str) -> None:
    touched: list[Resource] = []
    before: list[tuple[str, str, str, str, str]] = []
    if patch.target is not None:
        targets = _select(resources, patch.target, where)
        touched = targets
        before = [r.id.key() for r in targets]
        doc = _stringified_meta(patch.smp[0])
        for res in targets:
            body = copy.deepcopy(doc)
            body["apiVersion"] = res.body.get("apiVersion")
            if "kind" not in doc:
                body["kind"] = res.kind
            _merge_into(res, body, patch, schema)
    else:
        for doc in patch.smp:
            pid = _patch_id(doc)
            matches = resources.with_any_id(pid.key())
            if not matches:
                raise RenderError(f"no resource matches strategic merge patch \"{pid}\" ({patch.source})", file=where)
            if len(matches) > 1:
                raise RenderError(f"multiple matches for Id {pid} ({patch.source})", file=where)
            touched.append(matches[0])
            before.append(matches[0].id.key())
            _merge_into(matches[0], _nulls_in_annotations(doc), patch, schema)
    if any(not r.body for r in touched):
        resources.replace_all([r for r in resources if r.body])
    else:
        resources.refresh(touched, before)


_NULL_TEXTS = ("null", "Null", "NULL", "~")


def _stringified_meta(doc: dict[str, Any]) -> dict[str, Any]:
    """A targeted patch is copied through kustomize's label and annotation accessors, which
    read every value as its text: a null label or annotation sets the string "null"."""
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        return doc
    doc = copy.deepcopy(doc)
    for field_name in ("labels", "annotations"):
        values = doc["metadata"].get(field_name)
        if isinstance(values, dict):
            doc["metadata"][field_name] = {k: _meta_text(v) for k, v in values.items()}
    return doc


def _meta_text(value: Any) -> Any:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _nulls_in_annotations(doc: dict[str, Any]) -> dict[str, Any]:
    """An untargeted patch merges as written: a null annotation deletes it. The loader keeps
    annotation values as their source text, so a plain null arrives spelled out."""
    meta = doc.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict) or not any(v in _NULL_TEXTS for v in annotations.values()):
        return doc
    doc = copy.deepcopy(doc)
    doc["metadata"]["annotations"] = {k: None if v in _NULL_TEXTS else v for k, v in annotations.items()}
    return doc


def _merge_into(res: Resource, doc: dict[str, Any], patch: Patch, schema: Any) -> None:
    """Strategic-merge `doc` into `res` (kind/name/namespace kept as kustomize keeps them)."""
    from .strategic import apply_sm_patch

    if patch.allow_name_change or patch.allow_kind_change:
        res.record_rename()
    try:
        merged = apply_sm_patch(res.body, doc, schema, allow_name_change=patch.allow_name_change,
                                allow_kind_change=patch.allow_kind_change)
    except (InputError, RenderError) as exc:
        raise type(exc)(f"strategic merge patch {patch.source} on {res.id}: {exc.message}", file=exc.file, line=exc.line) from None
    res.body = merged if merged is not None else {}
