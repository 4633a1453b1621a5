"""The kustomization schema as Go's encoding/json sees it.

kustomize turns a kustomization file into JSON (go-yaml v2, map keys sorted) and decodes
that into its Go types with unknown fields refused. Go's decoder matches object keys to
struct fields case-insensitively, at every depth, so `fieldref: {FIELDPATH: x}` is a
field path; when two keys name one field the later key (in sorted order) wins for scalars
and lists and merges into maps and structs. This module canonicalises a decoded
kustomization the same way, so the rest of the engine reads canonical names only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Union

from ..core.errors import InputError

# -- types ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    go: str  # "string", "bool", "int", "int64"


@dataclass(frozen=True)
class ListOf:
    item: "Type"


@dataclass(frozen=True)
class MapOf:
    value: "Type"


@dataclass(frozen=True)
class Any_:
    """interface{}: any JSON value, kept as decoded."""


@dataclass(frozen=True)
class Struct:
    name: str  # Go type name for messages, e.g. "Replica"
    fields: Mapping[str, "Type"]


Type = Union[Scalar, ListOf, MapOf, Any_, Struct]

STRING, BOOL, INT, INT64, ANY = Scalar("string"), Scalar("bool"), Scalar("int"), Scalar("int64"), Any_()
STRINGS = ListOf(STRING)
STRING_MAP = MapOf(STRING)


def _struct(go_name: str, /, *parts: Mapping[str, Type], **fields: Type) -> Struct:
    """A struct whose embedded (promoted) structs' fields come first, as Go flattens them."""
    merged: dict[str, Type] = {}
    for part in parts:
        merged.update(part)
    merged.update(fields)
    return Struct(go_name, merged)


GVK: dict[str, Type] = {"group": STRING, "version": STRING, "kind": STRING}
RES_ID: dict[str, Type] = {**GVK, "name": STRING, "namespace": STRING}

SELECTOR = _struct("Selector", RES_ID, annotationSelector=STRING, labelSelector=STRING)
FIELD_SPEC = _struct("FieldSpec", GVK, path=STRING, create=BOOL)
FIELD_OPTIONS = _struct("FieldOptions", delimiter=STRING, index=INT, encoding=STRING, create=BOOL)
GENERATOR_OPTIONS = _struct(
    "GeneratorOptions", labels=STRING_MAP, annotations=STRING_MAP, disableNameSuffixHash=BOOL, immutable=BOOL
)
_GENERATOR_ARGS: dict[str, Type] = {
    "namespace": STRING, "name": STRING, "behavior": STRING,
    "literals": STRINGS, "files": STRINGS, "envs": STRINGS, "env": STRING,
    "options": GENERATOR_OPTIONS,
}
REPLACEMENT = _struct(
    "Replacement",
    source=_struct("SourceSelector", RES_ID, fieldPath=STRING, options=FIELD_OPTIONS),
    targets=ListOf(_struct(
        "TargetSelector", select=SELECTOR, reject=ListOf(SELECTOR), fieldPaths=STRINGS, options=FIELD_OPTIONS
    )),
    sourceValue=STRING,
)
PATCH = _struct(
    "Patch", path=STRING, patch=STRING, target=SELECTOR,
    options=_struct("PatchArgs", allowNameChange=BOOL, allowKindChange=BOOL),
)
HELM_CHART = _struct(
    "HelmChart", name=STRING, version=STRING, repo=STRING, releaseName=STRING, namespace=STRING,
    additionalValuesFiles=STRINGS, valuesFile=STRING, valuesInline=MapOf(ANY), valuesMerge=STRING,
    includeCRDs=BOOL, skipHooks=BOOL, apiVersions=STRINGS, kubeVersion=STRING, nameTemplate=STRING,
    skipTests=BOOL, debug=BOOL, devel=BOOL,
)
HELM_CHART_ARGS = _struct(
    "HelmChartArgs", chartName=STRING, chartVersion=STRING, chartRepoUrl=STRING, chartHome=STRING,
    chartRepoName=STRING, helmBin=STRING, helmHome=STRING, values=STRING, valuesLocal=MapOf(ANY),
    valuesMerge=STRING, releaseName=STRING, releaseNamespace=STRING, extraArgs=STRINGS,
)

KUSTOMIZATION = _struct(
    "Kustomization",
    kind=STRING, apiVersion=STRING,
    metadata=_struct("ObjectMeta", name=STRING, namespace=STRING, labels=STRING_MAP, annotations=STRING_MAP),
    openapi=STRING_MAP,
    namePrefix=STRING, nameSuffix=STRING, namespace=STRING,
    commonLabels=STRING_MAP,
    labels=ListOf(_struct(
        "Label", pairs=STRING_MAP, includeSelectors=BOOL, includeTemplates=BOOL,
        includeVolumeClaimTemplates=BOOL, fields=ListOf(FIELD_SPEC),
    )),
    commonAnnotations=STRING_MAP,
    patchesStrategicMerge=STRINGS,
    patchesJson6902=ListOf(PATCH),
    patches=ListOf(PATCH),
    images=ListOf(_struct("Image", name=STRING, newName=STRING, tagSuffix=STRING, newTag=STRING, digest=STRING)),
    imageTags=ListOf(_struct("Image", name=STRING, newName=STRING, tagSuffix=STRING, newTag=STRING, digest=STRING)),
    replacements=ListOf(_struct("ReplacementField", REPLACEMENT.fields, path=STRING)),
    replicas=ListOf(_struct("Replica", name=STRING, count=INT64)),
    vars=ListOf(_struct(
        "Var", name=STRING,
        objref=_struct("Target", {"apiVersion": STRING}, GVK, name=STRING, namespace=STRING),
        fieldref=_struct("FieldSelector", fieldPath=STRING),
    )),
    sortOptions=_struct(
        "SortOptions", order=STRING,
        legacySortOptions=_struct("LegacySortOptions", orderFirst=STRINGS, orderLast=STRINGS),
    ),
    resources=STRINGS, components=STRINGS, crds=STRINGS, bases=STRINGS,
    configMapGenerator=ListOf(_struct("ConfigMapArgs", _GENERATOR_ARGS)),
    secretGenerator=ListOf(_struct("SecretArgs", _GENERATOR_ARGS, type=STRING)),
    helmGlobals=_struct("HelmGlobals", chartHome=STRING, configHome=STRING),
    helmCharts=ListOf(HELM_CHART),
    helmChartInflationGenerator=ListOf(HELM_CHART_ARGS),
    generatorOptions=GENERATOR_OPTIONS,
    configurations=STRINGS, generators=STRINGS, transformers=STRINGS, validators=STRINGS, buildMetadata=STRINGS,
)

# -- decoding ---------------------------------------------------------------------------------


def fold(name: str) -> str:
    """Go's key folding for JSON field names: ASCII upper case, and each other rune mapped
    to the smallest rune of its simple case-folding orbit (so the Kelvin sign is a `K`)."""
    out = []
    for ch in name:
        if ch < "\x80":
            out.append(ch.upper())
            continue
        orbit = {ch}
        for cand in (ch.lower(), ch.upper(), ch.lower().upper(), ch.upper().lower()):
            if len(cand) == 1:
                orbit.add(cand)
        out.append(min(orbit))
    return "".join(out)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"  # timestamps and other go-yaml scalars reach the JSON as strings


def _go_type(typ: Type) -> str:
    if isinstance(typ, Scalar):
        return typ.go
    if isinstance(typ, ListOf):
        return "[]" + _go_type(typ.item)
    if isinstance(typ, MapOf):
        return "map[string]" + _go_type(typ.value)
    if isinstance(typ, Struct):
        return "types." + typ.name
    return "interface {}"


class _Decoder:
    def __init__(self, file: str, strict: bool, prefix: str) -> None:
        self.file, self.strict, self.prefix = file, strict, prefix

    def fail(self, value: Any, typ: Type, where: tuple[str, str]) -> InputError:
        struct, path = where
        kind = _json_kind(value)
        if kind == "number" and isinstance(typ, Scalar) and typ.go.startswith("int"):
            kind = f"number {value}"
        field = f" into Go struct field {struct}.{path}" if struct else " into Go value"
        return InputError(
            f"{self.prefix}json: cannot unmarshal {kind}{field} of type {_go_type(typ)}", file=self.file
        )

    def decode(self, value: Any, typ: Type, where: tuple[str, str], into: Any = None) -> Any:
        if value is None:  # JSON null leaves the field as it was
            return into
        if isinstance(typ, Any_):
            return value
        if isinstance(typ, Scalar):
            return self._scalar(value, typ, where)
        if isinstance(typ, ListOf):
            if not isinstance(value, list):
                raise self.fail(value, typ, where)
            items = [self.decode(item, typ.item, where) for item in value]
            if isinstance(typ.item, Scalar):  # a null element is the zero value
                zero: Any = {"string": "", "bool": False}.get(typ.item.go, 0)
                items = [zero if item is None else item for item in items]
            return items
        if isinstance(typ, MapOf):
            if not isinstance(value, dict):
                raise self.fail(value, typ, where)
            merged = dict(into) if isinstance(into, dict) else {}
            for key in sorted(value, key=_key_text):
                text = _key_text(key)
                merged[text] = self.decode(value[key], typ.value, where, merged.get(text))
            return merged
        return self._struct(value, typ, where, into)

    def _scalar(self, value: Any, typ: Scalar, where: tuple[str, str]) -> Any:
        if typ.go == "string":
            if isinstance(value, (bool, int, float, list, dict)):
                raise self.fail(value, typ, where)
            return str(value)
        if typ.go == "bool":
            if not isinstance(value, bool):
                raise self.fail(value, typ, where)
            return value
        # ints: a JSON number without a fraction
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(value, typ, where)
        if isinstance(value, float):
            if not value.is_integer():
                raise self.fail(value, typ, where)
            return int(value)
        return value

    def _struct(self, value: Any, typ: Struct, where: tuple[str, str], into: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(value, typ, where)
        exact = {name: name for name in typ.fields}
        folded = {fold(name): name for name in typ.fields}
        out: dict[str, Any] = dict(into) if isinstance(into, dict) else {}
        # go-yaml v2 → JSON sorts the keys; Go applies them in that order
        for key in sorted(value, key=_key_text):
            text = _key_text(key)
            name = exact.get(text) or folded.get(fold(text))
            if name is None:
                if not self.strict:
                    continue
                raise InputError(f'{self.prefix}json: unknown field "{text}"', file=self.file)
            path = f"{where[1]}.{name}" if where[0] else name
            out[name] = self.decode(value[key], typ.fields[name], (typ.name, path), out.get(name))
        return out


def _key_text(key: Any) -> str:
    """A map key as YAMLToJSON writes it (go-yaml v2 may have decoded it as a bool or number)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def decode(
    raw: Any, typ: Struct, file: str, *, strict: bool = True, prefix: str = "invalid Kustomization: "
) -> dict[str, Any]:
    """`raw` (a go-yaml v2 decoded mapping) as Go's json decoder would fill `typ`: canonical
    field names, Go type checks and messages; unknown fields refused when `strict` (as
    kustomize's DisallowUnknownFields), skipped otherwise (sigs.k8s.io/yaml.Unmarshal)."""
    return _Decoder(file, strict, prefix)._struct(raw, typ, ("", ""), None)
