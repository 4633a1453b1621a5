"""What a report shows, read from the repository: the rendered fleet, optionally the change
against a base revision (`sluice diff`'s) and the hydrated branches' history."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..fleet.bundle import Bundles
from ..core.errors import InputError


@dataclass(frozen=True, slots=True)
class ReportInputs:
    bundles: Bundles
    changes: Any = None  # renderer.diff.DiffResult
    history: dict[str, Any] | None = None


def render_fleet(root: Path, *, dry_sha: str | None = None, **options: Any) -> Bundles:
    """The fleet, in memory, rendered as `sluice diff` renders a revision: nothing is written,
    so plaintext Secrets are masked in the report rather than refused."""
    from ..diff.compare import render_tree

    return render_tree(root, dry_sha, **options)


def read_changes(root: Path, base: str, **options: Any) -> Any:
    """The working tree against `base`, exactly as `sluice diff --base` computes it."""
    from ..diff.compare import diff_revisions

    return diff_revisions(root, base, None, **options)


def _dry_commits(root: Path | None, shas: Sequence[str]) -> dict[str, dict[str, str]]:
    """Author, date and subject of the dry commits this checkout knows (others are left out)."""
    if root is None or not shas:
        return {}
    from ..applier.git import run_git

    res = run_git(["log", "--no-walk=unsorted", "--ignore-missing", "--format=%H%x01%an%x01%aI%x01%s%x00",
                   *sorted(set(shas)), "--"], cwd=root, check=False)
    if res.returncode != 0:
        return {}
    out: dict[str, dict[str, str]] = {}
    for record in res.stdout.decode("utf-8", "replace").split("\0"):
        parts = record.strip("\n").split("\x01")
        if len(parts) == 4:
            out[parts[0]] = {"author": parts[1], "date": parts[2], "subject": parts[3]}
    return out


def read_history(remote: str, branches: Sequence[str], *, root: Path | None, limit: int = 20) -> dict[str, Any]:
    """Each hydrated branch's last `limit` commits on `remote`, with the dry commit each one
    hydrated (trailer or note) and, when this checkout has it, that commit's author and date."""
    from ..applier.dryrepo import resolve_remote, transport_config
    from ..applier.git import redact_url
    from ..applier.history import history

    url = resolve_remote(remote, root)
    config = transport_config(root) if root else ()
    per_branch = {branch: history(url, branch, limit, config=config) for branch in branches}
    known = _dry_commits(root, [c.dry_sha for commits in per_branch.values() for c in commits if c.dry_sha])
    return {
        "remote": redact_url(url),
        "limit": limit,
        "branches": [
            {
                "branch": branch,
                "commits": [
                    {
                        "sha": c.sha, "date": c.date, "subject": c.subject, "drySha": c.dry_sha or "",
                        "dryAuthor": known.get(c.dry_sha or "", {}).get("author", ""),
                        "dryDate": known.get(c.dry_sha or "", {}).get("date", ""),
                        "drySubject": known.get(c.dry_sha or "", {}).get("subject", ""),
                        "rollbackTo": c.rollback_to or "", "bySluice": c.by_sluice,
                    }
                    for c in commits
                ],
            }
            for branch, commits in per_branch.items()
        ],
    }


def _head(root: Path) -> str | None:
    """The dry commit (HEAD) the report describes; None outside a git work tree."""
    if not (root / ".git").exists():
        return None
    from ..applier.git import run_git

    res = run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd=root, check=False)
    return res.stdout.decode().strip() or None if res.returncode == 0 else None


def collect(
    repo: str | os.PathLike[str],
    *,
    base: str | None = None,
    remote: str | None = None,
    history_limit: int = 20,
    strict: bool = False,
    **options: Any,
) -> ReportInputs:
    """Everything one report shows. `options` go to every render (chart_cache, repositories,
    helm_releases); `strict` makes anything left out an error, as in `sluice render`."""
    root = Path(repo).resolve()
    if not root.is_dir():
        raise InputError(f"repository directory not found: {repo}")
    bundles = render_fleet(root, dry_sha=_head(root), strict=strict, **options)
    changes = read_changes(root, base, **options) if base else None
    git_root = root if (root / ".git").exists() else None
    history = (read_history(remote, sorted(bundles.branches()), root=git_root, limit=history_limit)
               if remote else None)
    return ReportInputs(bundles=bundles, changes=changes, history=history)
