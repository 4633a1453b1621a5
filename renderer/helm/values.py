"""HelmRelease (helm.toolkit.fluxcd.io/v2) values, composed as Flux composes them.

Two steps, in two controllers:

1. source-controller builds the chart artifact: when `spec.chart.spec.valuesFiles` (after the
   deprecated `valuesFile`, which comes first) lists anything but exactly `[values.yaml]`,
   those files are merged (maps merged recursively, everything else replaced) and the result
   REPLACES the chart's `values.yaml`; the chart's own values take part only when listed.
   For a chart from a GitRepository/Bucket the paths are relative to the source root; for a
   chart from a HelmRepository they name files inside the chart (`values.yaml` being the
   chart's values). `ignoreMissingValuesFiles` skips missing files. -> `values_files_defaults`
2. helm-controller composes the user values: `spec.valuesFrom` in order (ConfigMap `.data` /
   Secret `.data`, key `valuesKey` default `values.yaml`; with `targetPath` the text is set
   at that path with Helm's `--set` parser, quoted text as a string, `literal` verbatim;
   `optional` skips a missing object or key), then `spec.values`. -> `compose_values`
3. Helm coalesces the chart defaults with the user values at render time (a `null` user
   value deletes the default; lists are replaced). That is Helm's own code, run by the engine.

`merge_maps` is Flux's MergeMaps, including its sharing of nested maps (which makes a
`targetPath` write visible in `spec.values` maps it lands in, as in helm-controller).
"""
from __future__ import annotations

import base64
import binascii
import copy
import posixpath
from typing import Any, Callable, Optional

from ..core.shape import DATA_OBJECT, Shape, check_shape, object_label
from ..core.errors import InputError
from ..core.yaml import load_documents
from .strvals import StrvalsError, parse_into

__all__ = [
    "Resolver",
    "merge_maps",
    "read_values",
    "secret_data",
    "compose_values",
    "values_files",
    "values_files_defaults",
    "helmrelease_label",
]

Resolver = Callable[[str, str, str], Optional[dict]]
"""(kind, namespace, name) -> the ConfigMap/Secret object, or None when it does not exist."""


# the fields of a Flux HelmRelease sluice reads (helm.toolkit.fluxcd.io/v2), checked before use
HELMRELEASE_SHAPE: dict[str, Shape] = {
    "metadata": {"name": str, "namespace": str},
    "spec": {
        "chart": {"spec": {"chart": str, "version": str, "sourceRef": {"kind": str, "name": str, "namespace": str},
                           "valuesFiles": [str], "valuesFile": str}},
        "chartRef": {"kind": str, "name": str, "namespace": str},
        "releaseName": str, "targetNamespace": str, "storageNamespace": str,
        "values": dict, "valuesFrom": [{"kind": str, "name": str, "valuesKey": str, "targetPath": str}],
        "install": dict, "upgrade": dict, "test": dict, "postRenderers": [dict],
        "commonMetadata": {"labels": dict, "annotations": dict},
    },
}


def check_helmrelease(hr: dict[str, Any], file: str | None = None, line: int | None = None) -> None:
    """An InputError naming the HelmRelease and the field whose value has the wrong type."""
    check_shape(hr, HELMRELEASE_SHAPE, helmrelease_label(hr), file=file, line=line)


def helmrelease_label(hr: dict[str, Any]) -> str:
    meta = hr.get("metadata") if isinstance(hr.get("metadata"), dict) else {}
    ns = meta.get("namespace") or "default"
    return f"HelmRelease {ns}/{meta.get('name', '?')}"


def merge_maps(a: dict[str, Any], b: dict[str, Any] | None) -> dict[str, Any]:
    """Flux's chartutil.MergeMaps: b over a; maps merged recursively, other values replace.

    A new outer map is returned; nested values not merged are shared, not copied.
    """
    out = dict(a)
    for k, v in (b or {}).items():
        if isinstance(v, dict):
            bv = out.get(k)
            if isinstance(bv, dict):
                out[k] = merge_maps(bv, v)
                continue
        out[k] = v
    return out


def read_values(text: str | bytes, source: str) -> dict[str, Any]:
    """Helm's common.ReadValues: a YAML mapping (empty -> {}); anything else is an error."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("values are not valid UTF-8", file=source) from None
    docs = load_documents(text, source, dialect="config")
    if not docs:
        return {}
    doc = docs[0]
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InputError(f"values must be a YAML mapping, got {type(doc).__name__}", file=source)
    return doc


def secret_data(secret: dict[str, Any], source: str) -> dict[str, bytes]:
    """A Secret's data as the API server serves it: `.data` base64-decoded, `.stringData`
    written over it (the API server folds stringData into data on write)."""
    check_shape(secret, DATA_OBJECT, object_label(secret), file=source)
    out: dict[str, bytes] = {}
    for k, v in (secret.get("data") or {}).items():
        if v is None:
            out[str(k)] = b""
            continue
        try:
            out[str(k)] = base64.b64decode(str(v), validate=True)
        except (binascii.Error, ValueError):
            raise InputError(f"Secret data key {k!r} is not valid base64", file=source) from None
    for k, v in (secret.get("stringData") or {}).items():
        out[str(k)] = ("" if v is None else str(v)).encode("utf-8")
    return out


def _ref_error(hr_label: str, ref: dict[str, Any], namespace: str, reason: str, *, file: str | None) -> InputError:
    kind = ref.get("kind", "")
    key = ref.get("valuesKey") or "values.yaml"
    opt = " optional" if ref.get("optional") else ""
    return InputError(
        f"{hr_label}: could not resolve{opt} {kind} chart values reference "
        f"'{namespace}/{ref.get('name', '')}' with key '{key}': {reason}",
        file=file,
    )


def compose_values(hr: dict[str, Any], resolve: Resolver, *, file: str | None = None) -> dict[str, Any]:
    """The values helm-controller hands to Helm for this HelmRelease (chart defaults excluded).

    Raises InputError naming the HelmRelease and the reference for a missing non-optional
    ConfigMap/Secret or key, unreadable values, or a bad targetPath.
    """
    check_helmrelease(hr, file)
    spec = hr.get("spec") or {}
    label = helmrelease_label(hr)
    namespace = (hr.get("metadata") or {}).get("namespace") or "default"
    values = copy.deepcopy(spec.get("values")) if spec.get("values") is not None else None
    if values is not None and not isinstance(values, dict):
        raise InputError(f"{label}: spec.values must be a mapping", file=file)
    result: dict[str, Any] = {}
    for ref in spec.get("valuesFrom") or []:
        if not isinstance(ref, dict):
            raise InputError(f"{label}: spec.valuesFrom entries must be mappings", file=file)
        kind, name = ref.get("kind"), ref.get("name")
        key = ref.get("valuesKey") or "values.yaml"
        if kind not in ("ConfigMap", "Secret"):
            raise _ref_error(label, ref, namespace, "unsupported values reference kind", file=file)
        obj = resolve(kind, namespace, str(name))
        if obj is None:
            if ref.get("optional"):
                continue
            raise _ref_error(label, ref, namespace, "resource not found", file=file)
        where = f"{kind} {namespace}/{name}"
        if kind == "Secret":
            data = secret_data(obj, where)
            if key not in data:
                if ref.get("optional"):
                    continue
                raise _ref_error(label, ref, namespace, "key not found", file=file)
            raw: bytes | str = data[key]
        else:
            check_shape(obj, DATA_OBJECT, object_label(obj), file=file)
            cm = obj.get("data") or {}
            if key not in cm:
                if ref.get("optional"):
                    continue
                raise _ref_error(label, ref, namespace, "key not found", file=file)
            raw = "" if cm[key] is None else str(cm[key])
        target = ref.get("targetPath") or ""
        if target:
            result = merge_maps(result, values)
            text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
            try:
                _replace_path_value(result, target, text, literal=bool(ref.get("literal")))
            except StrvalsError as exc:
                raise _ref_error(label, ref, namespace, str(exc), file=file) from None
            continue
        try:
            parsed = read_values(raw, f"{where} key {key}")
        except InputError as exc:
            raise _ref_error(label, ref, namespace, f"failed to read values data: {exc}", file=file) from None
        result = merge_maps(result, parsed)
    return merge_maps(result, values)


_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", ",": "\\,", "[": "\\[", "]": "\\]", "{": "\\{", "}": "\\}"})


def _replace_path_value(values: dict[str, Any], path: str, value: str, *, literal: bool) -> None:
    """Flux's ReplacePathValue / ReplacePathLiteralValue."""
    if literal:
        parse_into(path + "=" + value.translate(_LITERAL_ESCAPES), values, as_string=True)
        return
    single = value.startswith("'") and value.endswith("'")
    double = value.startswith('"') and value.endswith('"')
    if single or double:
        parse_into(path + "=" + value.strip("'\""), values, as_string=True)
        return
    parse_into(path + "=" + value, values)


def values_files(chart_spec: dict[str, Any]) -> list[str]:
    """The valuesFiles of a HelmChart template spec, deprecated `valuesFile` first."""
    files: list[str] = []
    if chart_spec.get("valuesFile"):
        files.append(str(chart_spec["valuesFile"]))
    files.extend(str(f) for f in chart_spec.get("valuesFiles") or [])
    return files


def values_files_defaults(
    paths: list[str],
    read: Callable[[str], Optional[str]],
    *,
    chart_values: Callable[[], dict[str, Any]] | None = None,
    ignore_missing: bool = False,
    label: str = "HelmRelease",
    file: str | None = None,
) -> dict[str, Any] | None:
    """source-controller's merge of valuesFiles into new chart defaults, or None (keep the
    chart's values.yaml).

    `read(path)` returns a file's text or None when missing. With `chart_values` (a chart
    from a HelmRepository), a path equal to `values.yaml` means the chart's own values
    (source-controller's mergeChartValues); without it (a chart in a GitRepository) every
    path is a file relative to the source root (mergeFileValues).
    """
    if not paths or (len(paths) == 1 and posixpath.normpath(paths[0]) == "values.yaml"):
        return None
    merged: dict[str, Any] = {}
    for p in paths:
        if chart_values is not None and posixpath.normpath(p) == "values.yaml":
            merged = merge_maps(merged, chart_values())
            continue
        text = read(p)
        if text is None:
            if ignore_missing:
                continue
            raise InputError(f"{label}: no values file found at path '{p}'", file=file)
        try:
            vals = read_values(text, p)
        except InputError as exc:
            raise InputError(f"{label}: unmarshaling values from '{p}' failed: {exc}", file=file) from None
        merged = merge_maps(merged, vals)
    return merged
