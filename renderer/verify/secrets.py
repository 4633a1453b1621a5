"""The secret-leak guard as `verify` reports it; the judgement lives in renderer/secrets.py,
shared with render and hydrate, which refuse what verify reports."""
from __future__ import annotations

from ..core.secrets import (
    ALLOW_ANNOTATION,
    allowed_by_annotation,
    is_sops_encrypted,
    plaintext_secret_problem,
)

__all__ = ["ALLOW_ANNOTATION", "allowed_by_annotation", "is_sops_encrypted", "plaintext_secret_problem"]
