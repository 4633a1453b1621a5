"""Repository URLs compared as Argo CD compares them (one module, used by fleet and appset)."""
from __future__ import annotations

import re

__all__ = ["normalize_repo_url"]


def normalize_repo_url(url: str) -> str:
    """Comparable form of a git URL: scheme, user, case, trailing '/' and '.git' ignored;
    `git@host:org/repo` and `https://host/org/repo` are the same repository."""
    u = url.strip().lower()
    u = re.sub(r"^[a-z][a-z0-9+.-]*://", "", u)
    u = re.sub(r"^[^@/]+@", "", u)
    if ":" in u.split("/", 1)[0]:
        host, _, rest = u.partition(":")
        u = f"{host}/{rest}" if not rest.isdigit() and not rest.split("/", 1)[0].isdigit() else u
    u = u.rstrip("/")
    if u.endswith(".git"):
        u = u[:-4]
    return u.rstrip("/")
