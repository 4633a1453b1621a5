"""Commit rendered bundles to hydrated git branches (Argo CD Source Hydrator layout).

Everything runs the real ``git`` CLI in a private scratch repository; the
user's working tree is never touched and all branches of one hydration are
pushed in a single atomic, leased push.
"""
from __future__ import annotations

from .ancestry import DryHistory, Relation
from .history import HydratedCommit, history, rollback
from .hydrate import (
    NOTES_REF,
    Monotonic,
    BranchResult,
    DrySource,
    HydrateResult,
    app_metadata,
    commit_message,
    hydrate,
    read_dry_source,
    root_metadata,
)

__all__ = [
    "NOTES_REF",
    "DryHistory",
    "Monotonic",
    "Relation",
    "BranchResult",
    "DrySource",
    "HydrateResult",
    "HydratedCommit",
    "app_metadata",
    "commit_message",
    "history",
    "hydrate",
    "read_dry_source",
    "rollback",
    "root_metadata",
]
