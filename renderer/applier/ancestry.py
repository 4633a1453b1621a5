"""Where a dry commit stands relative to another, read from the dry checkout's objects.

Hydration may only move a branch forward in the dry history; deciding "forward"
needs the dry repository's commit graph, which only the checkout being rendered
has (the hydrated remote holds rendered trees, not dry commits).
"""
from __future__ import annotations

import enum
from pathlib import Path

from ..core.errors import GitError
from .git import run_git

__all__ = ["DryHistory", "Relation"]


class Relation(enum.Enum):
    """How the dry commit a branch records relates to the one being hydrated."""

    SAME = "same"
    BEHIND = "behind"  # recorded is an ancestor of ours: moving forward
    AHEAD = "ahead"  # recorded descends from ours: we are stale (superseded)
    UNRELATED = "unrelated"  # no ancestry either way (the dry branch was force-pushed)
    UNKNOWN = "unknown"  # recorded commit is not in the checkout (shallow clone, other fork)


class DryHistory:
    """Ancestry questions answered by ``git merge-base --is-ancestor`` in the dry checkout."""

    def __init__(self, repo: str | Path) -> None:
        self.repo = Path(repo).expanduser().resolve()
        if not self.repo.is_dir():
            raise GitError(f"dry repository {str(self.repo)!r} does not exist")

    def _git(self, *args: str) -> int:
        # network=True keeps the user's global config (safe.directory) for this read.
        return run_git(["-C", str(self.repo), *args], cwd=self.repo, network=True, check=False).returncode

    def has_commit(self, sha: str) -> bool:
        return self._git("cat-file", "-e", f"{sha}^{{commit}}") == 0

    def is_shallow(self) -> bool:
        res = run_git(["-C", str(self.repo), "rev-parse", "--is-shallow-repository"], cwd=self.repo, network=True, check=False)
        return res.text.strip() == "true"

    def _is_ancestor(self, a: str, b: str) -> bool:
        code = self._git("merge-base", "--is-ancestor", a, b)
        if code not in (0, 1):
            raise GitError(f"cannot compare dry commits {a[:12]} and {b[:12]} in {str(self.repo)!r}")
        return code == 0

    def relation(self, recorded: str, ours: str) -> Relation:
        """Where ``recorded`` (on the branch) stands relative to ``ours`` (being hydrated)."""
        if recorded == ours:
            return Relation.SAME
        if not self.has_commit(recorded):
            return Relation.UNKNOWN
        if self._is_ancestor(recorded, ours):
            return Relation.BEHIND
        if self._is_ancestor(ours, recorded):
            return Relation.AHEAD
        # A shallow boundary can hide a common history: do not call that unrelated.
        return Relation.UNKNOWN if self.is_shallow() else Relation.UNRELATED
