"""The one rule for hydrated branch names, shared by output.branchTemplate, an
Application's targetBranch/hydrateTo.targetBranch and the applier.

A full ref name ``refs/heads/x`` means branch ``x`` (written as is it would create
``refs/heads/refs/heads/x``); any other ``refs/...`` (tags, remotes) is refused.
"""
from __future__ import annotations

import re

__all__ = ["branch_name_problem", "normalize_branch"]

_BAD_REF_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
_HEADS = "refs/heads/"


def branch_name_problem(branch: str) -> str | None:
    """Why ``branch`` (already normalised) is not a valid branch name
    (``git check-ref-format --branch`` rules), or None."""
    if not branch:
        return "empty"
    if _BAD_REF_CHARS.search(branch):
        return "contains a space, a control character or one of ~ ^ : ? * [ \\"
    if branch.startswith(("/", "-")) or branch.endswith(("/", ".")) or "//" in branch or ".." in branch or "@{" in branch:
        return "must not start with '/' or '-', end with '/' or '.', or contain '//', '..' or '@{'"
    if branch in ("@", "HEAD") or any(part.startswith(".") or part.endswith(".lock") for part in branch.split("/")):
        return "is HEAD or '@', or a component starts with '.' or ends with '.lock'"
    if branch.startswith("refs/"):
        return "is a ref outside refs/heads/ (only branches can be hydrated)"
    return None


def normalize_branch(name: str) -> tuple[str, str | None]:
    """``(branch, problem)``: ``refs/heads/x`` becomes ``x``; ``problem`` is None when
    the result is a valid branch name."""
    branch = name.strip() if isinstance(name, str) else ""
    if branch.startswith(_HEADS):
        branch = branch[len(_HEADS):]
    return branch, branch_name_problem(branch)
