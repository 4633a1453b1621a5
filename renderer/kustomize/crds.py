"""`crds:` files: OpenAPI definitions whose x-kubernetes-* extensions add field specs
(annotations, label selectors, identity/name fields, object references) for custom kinds."""
from __future__ import annotations

from typing import Any

from ..core.errors import InputError
from ..core.fs import RepoFS
from ..core.resource import Gvk
from .fieldspecs import EMPTY_CONFIG, FieldSpec, NameBackRef, TransformerConfig


def config_from_crds(fs: RepoFS, path: str) -> TransformerConfig:
    docs = fs.load_yaml(path)
    if not docs or not isinstance(docs[0][0], dict):
        raise InputError("unable to parse open API definition: expected a mapping of type names to definitions", file=path)
    definitions: dict[str, Any] = docs[0][0]
    config = EMPTY_CONFIG
    for type_name in sorted(definitions):
        schema = (definitions[type_name] or {}).get("Schema") or definitions[type_name] or {}
        props = schema.get("properties") or {}
        if not all(k in props for k in ("kind", "apiVersion", "metadata")):
            continue
        kind = type_name.split(".")[-1]
        specs: dict[str, list[FieldSpec]] = {}
        refs: list[NameBackRef] = []
        _walk(definitions, type_name, Gvk("", "", kind), [], specs, refs, set())
        config = config.merge(TransformerConfig({k: tuple(v) for k, v in specs.items()}, tuple(refs)))
    return config


def _walk(defs: dict[str, Any], type_name: str, gvk: Gvk, path: list[str], specs: dict[str, list[FieldSpec]],
          refs: list[NameBackRef], seen: set[str]) -> None:
    if type_name not in defs or type_name in seen:
        return
    entry = defs[type_name] or {}
    schema = entry.get("Schema") or entry
    for prop, sub in sorted((schema.get("properties") or {}).items()):
        sub = sub or {}
        here = [*path, prop]
        fs = FieldSpec("/".join(here), kind=gvk.kind)
        if "x-kubernetes-annotation" in sub:
            specs.setdefault("commonAnnotations", []).append(fs)
        if "x-kubernetes-label-selector" in sub:
            specs.setdefault("commonLabels", []).append(fs)
        if "x-kubernetes-identity" in sub:
            specs.setdefault("namePrefix", []).append(fs)
        version, kind = sub.get("x-kubernetes-object-ref-api-version"), sub.get("x-kubernetes-object-ref-kind")
        if version is not None and kind is not None:
            key = sub.get("x-kubernetes-object-ref-name-key") or "name"
            refs.append(NameBackRef(Gvk("", str(version), str(kind)), (FieldSpec("/".join([*here, key]), kind=gvk.kind),)))
        ref = sub.get("$ref")
        if isinstance(ref, str):
            target = ref.split("/")[-1] if ref.startswith("#/") else ref
            _walk(defs, target, gvk, here, specs, refs, seen | {type_name})
