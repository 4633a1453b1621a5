"""The shape of a custom resource's fields, checked before the engines read them.

A Flux Kustomization or HelmRelease is user YAML: `spec.sourceRef: x` or `spec.chart: 5`
must be a clear input error naming the object and the field (as the controller's own
decoding would reject it), not an AttributeError deep in a render. A shape names only the
fields sluice reads; anything else is left alone, and an absent or null field is fine.

A shape is a type (or a tuple of types), a dict `{field: shape}` for a mapping, or a
one-item list `[shape]` for a list whose every item has that shape.
"""
from __future__ import annotations

from typing import Any, Union

from .errors import InputError

Shape = Union[type, tuple[type, ...], dict[str, Any], list[Any]]

__all__ = ["DATA_OBJECT", "FLUX_SOURCE", "Shape", "check_shape", "object_label"]

_NAMES = {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "integer", float: "number"}


def _expected(shape: Shape) -> tuple[tuple[type, ...], str]:
    if isinstance(shape, dict):
        return (dict,), "a mapping"
    if isinstance(shape, list):
        return (list,), "a list"
    kinds = shape if isinstance(shape, tuple) else (shape,)
    return kinds, "a " + " or ".join(_NAMES.get(k, k.__name__) for k in kinds)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check(value: Any, shape: Shape, path: str, label: str, file: str | None, line: int | None) -> None:
    if value is None:
        return
    kinds, expected = _expected(shape)
    # YAML's true/false are no number, and a number is no string: as Go's encoding/json decides
    wrong = not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)
    if wrong:
        raise InputError(f"{label}: {path} must be {expected}, not {_show(value)}", file=file, line=line)
    if isinstance(shape, dict):
        for key, inner in shape.items():
            _check(value.get(key), inner, f"{path}.{key}", label, file, line)
    elif isinstance(shape, list):
        for index, item in enumerate(value):
            _check(item, shape[0], f"{path}[{index}]", label, file, line)


def check_shape(doc: dict[str, Any], shape: dict[str, Shape], label: str, *, file: str | None = None,
                line: int | None = None) -> None:
    """Raise an InputError naming `label` and the first field of `doc` whose value does not
    have its `shape` (top-level fields, e.g. {"spec": {...}})."""
    for key, inner in shape.items():
        _check(doc.get(key), inner, key, label, file, line)


# Shapes several engines share: what a Flux source (GitRepository, OCIRepository, Bucket,
# HelmRepository) and a ConfigMap or Secret hold, as far as sluice reads them.
FLUX_SOURCE: dict[str, Shape] = {"metadata": {"name": str, "namespace": str},
                                 "spec": {"url": str, "ref": dict, "ignore": str}}
DATA_OBJECT: dict[str, Shape] = {"metadata": dict, "data": dict, "stringData": dict}


def object_label(doc: dict[str, Any]) -> str:
    """`Kind namespace/name` of a referenced object, for an error."""
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    return f"{doc.get('kind')} {meta.get('namespace') or 'default'}/{meta.get('name')}"
