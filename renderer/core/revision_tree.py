"""Materialise one committed revision of a dry repository into a private directory.

Why not `git archive` or a checkout: both apply `.gitattributes` (export-ignore hides
files, `filter=` runs commands). Here the tree and blob objects are written out as they
are stored (see gitobjects). Symlinks are judged as in a working tree: one that resolves
inside the revision is written as the same symlink; one that would leave it (absolute,
`..` past the root, or through another link) is written pointing at an empty file outside
the tree, so that the read boundary refuses it when, and only when, a render reads it,
and nothing outside the revision can ever be read through it. Submodules are absent, as
in a plain checkout without `--recurse-submodules`.
"""
from __future__ import annotations

import os
import posixpath
from pathlib import Path

from .errors import InputError
from .gitobjects import MODE_EXEC, MODE_GITLINK, MODE_LINK, read_blobs, read_tree

__all__ = ["materialise"]


def _escapes(link_path: str, target: str) -> bool:
    """Whether a link at `link_path` (relative to the root) leaves the root lexically."""
    if not target or target.startswith("/") or "\0" in target:
        return True
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(link_path), target))
    return joined == ".." or joined.startswith("../")


def _inside(path: Path, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root + os.sep)


def materialise(repo: Path, commit: str, prefix: str, dest: Path) -> Path:
    """Write the tree of `commit` below `prefix` into `dest/tree`; returns that directory."""
    root = dest / "tree"
    outside = dest / "outside-the-revision"
    root.mkdir(parents=True)
    outside.mkdir()
    entries = [e for e in read_tree(repo, commit, prefix) if e.mode != MODE_GITLINK]
    blobs = read_blobs(repo, (e.oid for e in entries))
    dead = 0

    def refuse(path: Path) -> None:
        nonlocal dead
        dead += 1
        stand_in = outside / str(dead)
        stand_in.write_bytes(b"")
        if path.is_symlink():
            path.unlink()
        path.symlink_to(stand_in)

    links: list[Path] = []
    for entry in entries:
        path = root / entry.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            content = blobs[entry.oid]
            if entry.mode == MODE_LINK:
                target = os.fsdecode(content)
                if _escapes(entry.path, target):
                    refuse(path)
                else:
                    path.symlink_to(target)
                    links.append(path)
                continue
            path.write_bytes(content)
            if entry.mode == MODE_EXEC:
                path.chmod(0o755)
        except (OSError, ValueError) as exc:  # a name too long for this file system, a NUL in a target
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InputError(f"revision {commit[:12]}: cannot write this entry here: {reason}", file=entry.path) from None
    # A link may still leave the tree through another link (`a -> ..`, `b -> a/../x`):
    # judge every link by where it really resolves, until none changes.
    real_root = os.path.realpath(root)
    changed = True
    while changed:
        changed = False
        for path in links:
            if not _inside(path, real_root):
                refuse(path)
                changed = True
        links = [p for p in links if _inside(p, real_root)]
    return root
