"""Schemas for custom resources that the render carries no CRD for.

Looked up in order: the `--schema-location`s a user gave (kubeconform style: a directory
laid out as `GROUP/KIND_VERSION.json`, or a path template with `{{.Group}}`,
`{{.ResourceKind}}`, `{{.ResourceAPIVersion}}`, `{{.KindSuffix}}`), then the schemas
vendored with sluice (`data/crd-schemas.json.gz`, from the CRDs catalog maintained by
datree, MIT licence beside it: Argo CD, Flux, cert-manager, Prometheus Operator, Gateway
API, external-secrets, Kyverno, Istio and more). `default` in the locations stands for the
vendored ones (kept last when not named). Offline: a URL is refused.
"""
from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from ..core.errors import InputError

DEFAULT = "default"
_DATA = Path(__file__).resolve().parent / "data" / "crd-schemas.json.gz"
_VAR = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")


@lru_cache(maxsize=1)
def vendored() -> dict[str, Any]:
    """"group/version/kind" (kind in lower case) → JSON schema; empty when not installed."""
    try:
        return dict(json.loads(gzip.decompress(_DATA.read_bytes()))["schemas"])
    except (OSError, ValueError, KeyError):
        return {}


class SchemaCatalog:
    def __init__(self, locations: Sequence[str] = ()) -> None:
        for loc in locations:
            if re.match(r"^[a-z][a-z0-9+.-]*://", loc):
                raise InputError(f"--schema-location {loc!r}: sluice reads schemas offline; give a local directory "
                                 "or path template (download the schemas first)")
        self.locations = [*locations, *([] if DEFAULT in locations else [DEFAULT])]
        self._cache: dict[tuple[str, str, str], dict[str, Any] | None] = {}

    def _from(self, location: str, group: str, version: str, kind: str) -> dict[str, Any] | None:
        if location == DEFAULT:
            return vendored().get(f"{group}/{version}/{kind.lower()}")
        values = {"Group": group, "ResourceKind": kind.lower(), "Kind": kind, "ResourceAPIVersion": version,
                  "KindSuffix": f"-{group.split('.')[0]}-{version}" if group else f"-{version}", "StrictSuffix": "-strict",
                  "NormalizedKubernetesVersion": "master"}
        if _VAR.search(location):
            path = Path(_VAR.sub(lambda m: values.get(m.group(1), m.group(0)), location))
        else:
            path = Path(location) / group / f"{kind.lower()}_{version}.json"
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise InputError(f"schema {path}: {exc}") from exc
        return value if isinstance(value, dict) else None

    def find(self, group: str, version: str, kind: str) -> dict[str, Any] | None:
        key = (group, version, kind)
        if key not in self._cache:
            self._cache[key] = next((s for loc in self.locations if (s := self._from(loc, group, version, kind)) is not None), None)
        return self._cache[key]


def skip_matcher(skips: Sequence[str]) -> Any:
    """kubeconform's --skip-kinds: `Kind` or `group/version/Kind` (comma-separated allowed)."""
    wanted = {s.strip() for item in skips for s in item.split(",") if s.strip()}

    def skipped(group: str, version: str, kind: str) -> bool:
        gv = f"{group}/{version}" if group else version
        return kind in wanted or f"{gv}/{kind}" in wanted or f"{gv}, Kind={kind}" in wanted

    return skipped
