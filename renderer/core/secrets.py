"""The secret-leak guard: no plaintext `Secret` goes to a hydrated branch unless opted in.

One judgement for `verify` (which reports it) and `render`/`hydrate` (which refuse to
write what it flags), so the three never disagree.

A core `v1` Secret with non-empty `data`/`stringData` is a finding, unless
- it is SOPS-encrypted: a `sops` mapping with `mac` or `enc` metadata, or every value
  in the form `ENC[AES256_GCM,...]` (any SOPS cipher);
- it carries the annotation `sluice.dev/allow-plaintext-secret: "true"`;
- the caller allows plaintext Secrets (`--allow-secrets`).
`SealedSecret`, `ExternalSecret` and other kinds are never findings. A Secret inside a
`List` (`kind: List`, `items:`) is judged like one on its own.
"""
from __future__ import annotations

import re
from typing import Any

ALLOW_ANNOTATION = "sluice.dev/allow-plaintext-secret"
_SOPS_VALUE = re.compile(r"^ENC\[[A-Z0-9_]+,data:.*\]$", re.DOTALL)


def _values(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in ("data", "stringData"):
        section = body.get(field)
        if isinstance(section, dict):
            for key, value in section.items():
                out[f"{field}.{key}"] = value
    return out


def is_sops_encrypted(body: dict[str, Any]) -> bool:
    sops = body.get("sops")
    if isinstance(sops, dict) and (sops.get("mac") or sops.get("enc")):
        return True
    values = _values(body)
    return bool(values) and all(isinstance(v, str) and _SOPS_VALUE.match(v.strip()) for v in values.values())


def allowed_by_annotation(body: dict[str, Any]) -> bool:
    meta = body.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return isinstance(annotations, dict) and str(annotations.get(ALLOW_ANNOTATION, "")).strip().lower() == "true"


def plaintext_secret_problem(body: dict[str, Any], *, allow: bool = False) -> str | None:
    """Why this resource would leak a plaintext Secret into git, or None."""
    items = body.get("items")
    if str(body.get("kind") or "").endswith("List") and isinstance(items, list):
        for item in items:
            problem = plaintext_secret_problem(item, allow=allow) if isinstance(item, dict) else None
            if problem:
                meta = item.get("metadata")
                name = meta.get("name") if isinstance(meta, dict) else None
                return f"{body.get('kind')} item Secret {name or '(no name)'}: {problem}"
        return None
    if body.get("kind") != "Secret" or body.get("apiVersion") != "v1":
        return None
    values = _values(body)
    if not values or allow or allowed_by_annotation(body) or is_sops_encrypted(body):
        return None
    keys = ", ".join(sorted(values))
    return (
        f"plaintext Secret ({keys}) would be committed to a hydrated branch; encrypt it (SOPS, SealedSecret, "
        f"ExternalSecret) or opt in with the annotation {ALLOW_ANNOTATION}: \"true\" or --allow-secrets"
    )
