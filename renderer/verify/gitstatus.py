"""What git says of the work tree, for the hook: the paths changed against HEAD (staged or
not) and the untracked ones, and whether git tracks the hook's index.

Each git process start is a good part of a no-edit hook run, so the three questions are
asked at once: `rev-parse` (inside a work tree? the root's prefix in it), one `status`
(porcelain v1: HEAD against the index, the index against the work tree, untracked files;
paths relative to the top, hence the prefix) and `ls-files` for the hook's own files.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..core.errors import GitError

_RESHAPING = frozenset("ADRCTU?")  # added, deleted, renamed, copied, type changed, unmerged, untracked


@dataclass(frozen=True)
class WorkTree:
    changed: frozenset[str]  # root-relative paths differing from HEAD, and untracked ones
    reshaped: frozenset[str]  # of those, the paths added, removed or changed in type
    tracked_index: bool  # git tracks a file of the index: it came with the repository


def work_tree(root: Path, index_files: Sequence[str]) -> WorkTree | None:
    """None when `root` is not in a git work tree (or git is missing). Without a HEAD
    commit every file in git's index counts as added."""
    return start_work_tree(root, index_files)()


def start_work_tree(root: Path, index_files: Sequence[str]) -> Callable[[], WorkTree | None]:
    """`work_tree` with git started now and answered when the result is called."""
    from ..core.gitobjects import start_all

    try:
        collect = start_all(root, [
            ["rev-parse", "--is-inside-work-tree", "--show-prefix"],
            ["status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--", "."],
            ["ls-files", "-z", "--cached", "--", *index_files],
        ])
    except GitError:
        return lambda: None

    def answer() -> WorkTree | None:
        where, status, tracked = collect()
        lines = where.stdout.decode("utf-8", "surrogateescape").split("\n")
        if where.returncode != 0 or lines[0] != "true" or status.returncode != 0:
            return None
        prefix = lines[1] if len(lines) > 1 else ""
        changed: set[str] = set()
        reshaped: set[str] = set()
        for entry in status.stdout.decode("utf-8", "surrogateescape").split("\0"):
            if len(entry) < 4 or not entry[3:].startswith(prefix):
                continue
            path = entry[3:][len(prefix):]
            changed.add(path)
            if _RESHAPING.intersection(entry[:2]):
                reshaped.add(path)
        return WorkTree(frozenset(changed), frozenset(reshaped),
                        tracked.returncode == 0 and bool(tracked.stdout.strip(b"\0")))

    return answer
