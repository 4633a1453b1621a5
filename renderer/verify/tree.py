"""One scan of the work tree for the hook: which paths exist (their listing digest) and the
sha256 of any of them, each computed once.

Paths come from `.sluice/reads.json`, which a pull request could plant: a digest is only
computed for a regular file reached through real directories of the scan (or a symlink
resolving inside the root), never outside the root, in `.git`, or from a device or FIFO.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from ..core.fs import MAX_FILE_BYTES

UNREADABLE = "!"  # never equal to a recorded digest
_SKIP_DIRS = (".git", ".sluice")


class Tree:
    """Directories, regular files and symlinks under `root` (not `.git`, not the top
    `.sluice`), with a digest of that listing: adding, removing or retargeting a path
    changes it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dirs: set[str] = {"."}
        self.files: set[str] = set()
        self.links: dict[str, str] = {}
        lines: list[str] = []
        todo = [("", str(root))]
        while todo:
            prefix, directory = todo.pop()
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_symlink():
                    target = os.readlink(entry.path)
                    self.links[rel] = target
                    lines.append(f"l {rel} {target}")
                elif entry.is_dir():
                    if entry.name == ".git" or (not prefix and entry.name in _SKIP_DIRS):
                        continue
                    self.dirs.add(rel)
                    lines.append(f"d {rel}")
                    todo.append((rel + "/", entry.path))
                else:
                    self.files.add(rel)
                    lines.append(f"f {rel}")
        lines.sort()
        self.listing = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


class Digests:
    """sha256 of repository files by repo-relative path, each computed once per run (many
    targets share files): None for an absent file, UNREADABLE for a path a render could
    not read."""

    def __init__(self, root: Path, tree: Tree | None = None) -> None:
        self.root = root
        self._tree = tree
        self._memo: dict[str, str | None] = {}
        self._real_root = os.path.realpath(root)

    @property
    def tree(self) -> Tree:
        if self._tree is None:
            self._tree = Tree(self.root)
        return self._tree

    def __call__(self, rel: str) -> str | None:
        if rel not in self._memo:
            self._memo[rel] = self._digest(rel)
        return self._memo[rel]

    def _digest(self, rel: str) -> str | None:
        if not isinstance(rel, str):
            return UNREADABLE
        tree = self.tree
        parent = rel.rpartition("/")[0] or "."
        if rel in tree.files:
            full = os.path.join(self.root, rel)
        elif rel in tree.links:
            full = os.path.realpath(os.path.join(self.root, rel))
            if not full.startswith(self._real_root + os.sep) or "/.git/" in full[len(self._real_root):] + "/":
                return UNREADABLE
        elif parent in tree.dirs and rel.rpartition("/")[2] not in ("", ".", ".."):
            return None  # looked for: absent, or a directory (not a file)
        else:
            return UNREADABLE
        try:
            fd = os.open(full, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                return UNREADABLE
            with os.fdopen(fd, "rb", closefd=False) as handle:
                return hashlib.sha256(handle.read()).hexdigest()
        finally:
            os.close(fd)
