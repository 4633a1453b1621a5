"""kustomize's build annotations, as a JSON 6902 patch sees them.

kustomize keeps its bookkeeping (previous ids, name prefixes and suffixes, generator
options) as `internal.config.kubernetes.io/*` annotations on the resource itself, and strips
them only when it prints. sluice keeps the same facts on the Resource instead; a JSON patch,
though, works on the document as kustomize holds it, so `add /metadata/annotations/x` on a
resource written without annotations succeeds (the map is there, holding bookkeeping) and a
`copy` from the annotations carries the bookkeeping along. These helpers put the annotations
on the document for the patch and take them off again.
"""
from __future__ import annotations

from typing import Any

from ..core.resource import Resource

_DOMAIN = "internal.config.kubernetes.io/"
PREVIOUS_NAMES = _DOMAIN + "previousNames"
PREVIOUS_NAMESPACES = _DOMAIN + "previousNamespaces"
PREVIOUS_KINDS = _DOMAIN + "previousKinds"
PREFIXES = _DOMAIN + "prefixes"
SUFFIXES = _DOMAIN + "suffixes"
GENERATOR_BEHAVIOR = _DOMAIN + "generatorBehavior"
NEEDS_HASH_SUFFIX = _DOMAIN + "needsHashSuffix"

NON_NAMESPACEABLE = "_non_namespaceable_"  # kustomize's effective namespace of cluster-scoped ids

# every annotation kustomize takes off the resources it prints (resource.BuildAnnotations),
# whoever wrote it: its own bookkeeping, kyaml's reader annotations, the Helm marker
REMOVED_AT_OUTPUT: tuple[str, ...] = (
    PREVIOUS_KINDS, PREVIOUS_NAMES, PREFIXES, SUFFIXES, PREVIOUS_NAMESPACES,
    _DOMAIN + "allowNameChange", _DOMAIN + "allowKindChange", _DOMAIN + "refBy",
    GENERATOR_BEHAVIOR, NEEDS_HASH_SUFFIX,
    _DOMAIN + "path", _DOMAIN + "index", _DOMAIN + "seqindent", _DOMAIN + "id",
    _DOMAIN + "annotations-migration-resource-id",
    "config.kubernetes.io/path", "config.kubernetes.io/index", "config.k8s.io/id",
    "kustomize.config.k8s.io/helm-generated",
)
# taken off too unless the top kustomization's buildMetadata asks for them
ORIGIN = "config.kubernetes.io/origin"
TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations"


def generation_behavior(raw: Any) -> str:
    """The text kustomize stores for a generator's `behavior` (types.GenerationBehavior)."""
    text = raw if isinstance(raw, str) else ""
    return text if text in ("create", "replace", "merge") else "unspecified"


def _csv(values: list[str]) -> str:
    # appendCsvAnnotation skips empty values, so each list holds only what was non-empty
    return ",".join(v for v in values if v)


def build_annotations(res: Resource) -> dict[str, str]:
    """The build annotations kustomize would hold on `res` now (empty lists are absent)."""
    found: dict[str, str] = {}
    prev = res.prev_ids
    for key, values in (
        (PREVIOUS_NAMES, [rid.name for rid in prev]),
        (PREVIOUS_NAMESPACES, [NON_NAMESPACEABLE if rid.gvk.cluster_scoped else rid.namespace or "default"
                               for rid in prev]),
        (PREVIOUS_KINDS, [rid.gvk.kind for rid in prev]),
        (PREFIXES, [str(v) for v in res.extra.get("prefixes", [])]),
        (SUFFIXES, [str(v) for v in res.extra.get("suffixes", [])]),
    ):
        text = _csv(values)
        if text:
            found[key] = text
    behavior = res.extra.get("generator_behavior")
    if behavior:
        found[GENERATOR_BEHAVIOR] = str(behavior)
    if res.needs_hash:
        found[NEEDS_HASH_SUFFIX] = "enabled"
    return found


def with_build_annotations(body: dict[str, Any], internal: dict[str, str]) -> dict[str, Any]:
    """A shallow copy of `body` whose metadata.annotations also hold `internal` (kyaml's
    SetAnnotation: a missing or null annotations field becomes a map; the source is untouched)."""
    if not internal:
        return body
    meta = body.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        return body  # kustomize fails earlier on such a resource; leave the patch to report it
    meta = dict(meta or {})
    annotations = meta.get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        return body
    meta["annotations"] = {**(annotations or {}), **internal}
    return {**body, "metadata": meta}


def without_build_annotations(body: dict[str, Any], internal: dict[str, str]) -> None:
    """Take the annotations `with_build_annotations` added off a patched body again (kustomize
    writes its bookkeeping back over whatever the patch did to those keys)."""
    meta = body.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not internal or not isinstance(annotations, dict):
        return
    for key in internal:
        annotations.pop(key, None)
