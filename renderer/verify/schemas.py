"""Schema validation of rendered resources with `jsonschema`.

Built-in kinds are validated against the Kubernetes JSON Schemas shipped by the PyPI
package `kubernetes-validate` (strict variant: unknown fields are errors), for one
Kubernetes version (default: the newest it ships). Custom resources are validated
against the `openAPIV3Schema` of the CustomResourceDefinitions found in the render of
the same cluster. A kind known to neither is a warning, never a crash.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..core.resource import split_api_version
from ..core.secret_redact import FIELDS, REDACTED, is_secret, scrub, secret_values

ERROR, WARNING = "error", "warning"
MAX_ERRORS_PER_RESOURCE = 20
_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-local-strict$")



def _map(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    severity: str
    message: str


def _schema_root() -> Path | None:
    """The schemas kubernetes-validate ships, found without importing it (its import costs
    more than a no-edit hook run's checks)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("kubernetes_validate")
    except (ImportError, ValueError):
        return None
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    root = Path(places[0]) / "kubernetes-json-schema" if places else None
    return root if root is not None and root.is_dir() else None


def available_versions() -> list[str]:
    """Kubernetes versions ("1.37") with schemas, oldest first."""
    root = _schema_root()
    if root is None:
        return []
    found = []
    for entry in root.iterdir():
        m = _VERSION_DIR.match(entry.name)
        if m:
            found.append((int(m[1]), int(m[2])))
    return [f"{a}.{b}" for a, b in sorted(found)]


@lru_cache(maxsize=4)
def _definitions(version: str) -> tuple[dict[str, Any], dict[tuple[str, str, str], str]]:
    root = _schema_root()
    assert root is not None
    path = root / f"v{version}.0-local-strict" / "_definitions.json"
    defs: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            index.setdefault((gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")), name)
    return defs, index


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    return ("null" if value is None else "boolean" if isinstance(value, bool) else "number" if isinstance(value, (int, float))
            else "string" if isinstance(value, str) else "array" if isinstance(value, list) else "object")


def _secret_message(err: Any) -> str | None:
    """A message for an error in a Secret's values that names the check, never the value:
    jsonschema's own messages quote the instance, and verify output reaches CI logs."""
    path = list(err.absolute_path)
    if (path and path[0] not in FIELDS) or err.validator in ("required", "additionalProperties"):
        return None
    if err.validator == "type":
        kind = _json_type(err.instance)
        return f"{_path(path)}: {'an' if kind[0] in 'ao' else 'a'} {kind} ({REDACTED}) is not of type {err.validator_value!r}"
    return f"{_path(path)}: {REDACTED} fails the schema's {err.validator!r} check"


def _message(err: Any, secret: bool = False) -> str:
    if secret and (redacted := _secret_message(err)) is not None:
        return redacted
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = (err.schema.get("properties") or {}) if isinstance(err.schema, dict) else {}
        extra = sorted(k for k in err.instance if k not in allowed)
        return f"{_path(err.absolute_path)}: unknown field(s) {', '.join(extra)}"
    if err.validator in ("oneOf", "anyOf"):
        return f"{_path(err.absolute_path)}: {_short(err.instance)} matches none of the allowed forms"
    message = err.message
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{_path(err.absolute_path)}: {message}"


class CrdIndex:
    """Custom resource schemas from the CRDs of one cluster's render."""

    def __init__(self, resources: Iterable[dict[str, Any]] = ()) -> None:
        self.schemas: dict[tuple[str, str, str], dict[str, Any] | None] = {}
        self.kinds: set[tuple[str, str]] = set()
        for body in resources:
            self.add(body)

    def add(self, body: dict[str, Any]) -> None:
        if body.get("kind") != "CustomResourceDefinition":
            return
        if split_api_version(str(body.get("apiVersion") or ""))[0] != "apiextensions.k8s.io":
            return
        spec = _map(body.get("spec"))
        group = str(spec.get("group") or "")
        names = _map(spec.get("names"))
        kind = str(names.get("kind") or "")
        if not kind:
            return
        self.kinds.add((group, kind))
        for version in spec.get("versions") or ():
            if not isinstance(version, dict) or not version.get("name"):
                continue
            schema = (version.get("schema") or {}).get("openAPIV3Schema") if isinstance(version.get("schema"), dict) else None
            if schema is None:  # apiextensions v1beta1: spec.validation
                validation = spec.get("validation")
                schema = validation.get("openAPIV3Schema") if isinstance(validation, dict) else None
            self.schemas[(group, str(version["name"]), kind)] = schema if isinstance(schema, dict) else None


class SchemaChecker:
    """Validates resources; one per verify run (validators are cached per kind)."""

    def __init__(self, kubernetes_version: str | None = None, catalog: Any = None) -> None:
        versions = available_versions()
        self.catalog = catalog  # catalog.SchemaCatalog: CRD schemas beyond the render's
        self.available = bool(versions)
        if kubernetes_version is not None:
            wanted = kubernetes_version.lstrip("v")
            wanted = ".".join(wanted.split(".")[:2])
            if wanted not in versions:
                from ..core.errors import InputError

                raise InputError(
                    f"no Kubernetes schemas for version {kubernetes_version!r} "
                    f"(available: {', '.join(versions) or 'none: install kubernetes-validate'})"
                )
            self.version: str | None = wanted
        else:
            self.version = versions[-1] if versions else None
        self._validators: dict[Any, Any] = {}

    def _builtin(self, group: str, version: str, kind: str) -> Any:
        key = ("builtin", group, version, kind)
        if key not in self._validators:
            validator = None
            if self.version is not None:
                defs, index = _definitions(self.version)
                name = index.get((group, version, kind))
                if name is not None:
                    import jsonschema  # type: ignore[import-untyped,unused-ignore]

                    validator = jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{name}"})
            self._validators[key] = validator
        return self._validators[key]

    def _custom(self, schema: dict[str, Any]) -> Any:
        key = ("crd", id(schema))
        if key not in self._validators:
            import jsonschema

            self._validators[key] = (jsonschema.Draft4Validator(schema), schema)
        return self._validators[key][0]

    def known_builtin_kind(self, group: str, kind: str) -> bool:
        if self.version is None:
            return False
        _, index = _definitions(self.version)
        return any(g == group and k == kind for g, _, k in index)

    def check(self, body: dict[str, Any], crds: CrdIndex) -> list[SchemaProblem]:
        group, version = split_api_version(str(body.get("apiVersion") or ""))
        kind = str(body.get("kind") or "")
        validator = self._builtin(group, version, kind)
        if validator is None:
            if (group, version, kind) in crds.schemas:
                schema = crds.schemas[(group, version, kind)]
                if schema is None:
                    return []
                validator = self._custom(schema)
            elif (group, kind) in crds.kinds:
                return [SchemaProblem(ERROR, f"version {version!r} of {kind}.{group} is not defined by its CustomResourceDefinition")]
            elif self.catalog is not None and (found := self.catalog.find(group, version, kind)) is not None:
                validator = self._custom(found)
            elif self.known_builtin_kind(group, kind):
                return [SchemaProblem(ERROR, f"apiVersion {body.get('apiVersion')!r} of {kind} is not served by Kubernetes {self.version}")]
            else:
                what = f"{kind}.{group}/{version}" if group else f"{kind} {version}"
                return [SchemaProblem(WARNING, f"unknown kind {what}: no built-in schema (Kubernetes {self.version}) and no CustomResourceDefinition in this cluster's render; not validated")]
        if isinstance(body.get("sops"), dict):  # SOPS metadata: removed by the decrypting controller
            body = {k: v for k, v in body.items() if k != "sops"}
        errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
        secret = is_secret(body)
        values = secret_values([body]) if secret else set()
        problems = [SchemaProblem(ERROR, scrub(_message(e, secret), values)) for e in errors[:MAX_ERRORS_PER_RESOURCE]]
        if len(errors) > MAX_ERRORS_PER_RESOURCE:
            problems.append(SchemaProblem(ERROR, f"... and {len(errors) - MAX_ERRORS_PER_RESOURCE} more schema errors"))
        return problems
