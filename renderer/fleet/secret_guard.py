"""Refuse bundles that would put a plaintext Secret into git.

Why here and not in the applier: the refusal must come before anything is written or
pushed, for `render` (bundles on disk, often committed by hand) and `hydrate` (hydrated
branches) alike, and name where the Secret comes from. The judgement is `verify`'s
(renderer/secrets.py), so what verify reports is exactly what render and hydrate refuse.
"""
from __future__ import annotations

from typing import Any

from .bundle import Bundles
from ..core.errors import InputError
from ..core.resource import as_map as _map
from ..core.secret_redact import secrets_in
from ..core.secrets import ALLOW_ANNOTATION, plaintext_secret_problem

__all__ = ["refuse_plaintext_secrets"]

_SHOWN = 5  # offenders named in the message; the rest are counted


def _describe(body: dict[str, Any]) -> str:
    meta = _map(body.get("metadata"))
    ns = meta.get("namespace")
    text = f"{body.get('kind')} {ns + '/' if isinstance(ns, str) and ns else ''}{meta.get('name') or '(no name)'}"
    if body.get("kind") == "Secret":
        return text
    inner = [_describe(s) for s in secrets_in(body) if plaintext_secret_problem(s) is not None]
    return f"{', '.join(inner)} in {text}" if inner else text


def refuse_plaintext_secrets(bundles: Bundles, *, allow: bool) -> None:
    """InputError naming every plaintext Secret in `bundles` (cluster, app, resource, source
    and the file declaring the app), unless `allow`."""
    if allow:
        return
    offenders: list[tuple[str, str]] = []  # (description, file)
    for app in bundles.apps:
        for body in app.resources:
            if plaintext_secret_problem(body) is None:
                continue
            source = f"source {app.source_path}" if app.source_path else "its source"
            offenders.append((f"cluster {app.cluster}, app {app.app}: {_describe(body)} (from {source}, "
                              f"declared in {app.origin})", app.origin))
    if not offenders:
        return
    shown = "; ".join(d for d, _ in offenders[:_SHOWN])
    more = f"; and {len(offenders) - _SHOWN} more" if len(offenders) > _SHOWN else ""
    raise InputError(
        f"refusing to write {len(offenders)} plaintext Secret(s) to bundles or hydrated branches: {shown}{more}. "
        f"Encrypt them (SOPS, SealedSecret, ExternalSecret), or opt in: allowPlaintextSecrets: true in sluice.yaml, "
        f"the annotation {ALLOW_ANNOTATION}: \"true\", or --allow-secrets",
        file=offenders[0][1],
    )
