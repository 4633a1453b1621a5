"""One scan of the work tree for the hook: which paths exist (their listing digests) and the
sha256 of any file, each computed once.

Paths come from `.sluice/reads.json`, which a pull request could plant: a digest is only
computed for a regular file reached through real directories of the scan (or a symlink
resolving inside the root), never outside the root, in `.git`, or from a device or FIFO.

Hashing every recorded input on each run would cost more than the rest of a no-edit run,
so `Digests` keeps git's shortcut: a file whose stat signature (inode, size, mtime, ctime)
equals the one recorded beside its digest is taken to hold that digest. A signature is
only recorded for a file last changed well before the content it stands for was read
(`SETTLED_NS`), so that an edit in the same clock tick as the read cannot hide behind an
unchanged signature; ctime, which no program sets at will, catches a restored mtime.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import time
from pathlib import Path

from ..core.fs import KIND, LISTING, MAX_FILE_BYTES, NAMED, TREE, is_shape_key

UNREADABLE = "!"  # never equal to a recorded digest
_SKIP_DIRS = (".git", ".sluice")
SETTLED_NS = 2_000_000_000  # a file untouched this long before a run began is not being written


def signature(info: os.stat_result) -> str:
    return f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


class Tree:
    """Directories, regular files and symlinks under `root` (not `.git`, not the top
    `.sluice`), with a digest of that listing (adding, removing or retargeting a path
    changes it) and of each directory's own entries."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dirs: set[str] = {"."}
        self.files: set[str] = set()
        self.links: dict[str, str] = {}
        self._entries: dict[str, list[str]] = {}
        self._listings: dict[str, str] = {}
        lines: list[str] = []
        todo = [(".", "", str(root))]
        while todo:
            rel_dir, prefix, directory = todo.pop()
            mine: list[str] = []
            self._entries[rel_dir] = mine
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_symlink():
                    target = os.readlink(entry.path)
                    self.links[rel] = target
                    mine.append(f"l {entry.name} {target}")
                elif entry.is_dir():
                    if entry.name == ".git" or (not prefix and entry.name in _SKIP_DIRS):
                        continue
                    self.dirs.add(rel)
                    mine.append(f"d {entry.name}")
                    todo.append((rel, rel + "/", entry.path))
                else:
                    self.files.add(rel)
                    mine.append(f"f {entry.name}")
            lines.extend(f"{line[0]} {prefix}{line[2:]}" for line in mine)
        lines.sort()
        self.listing = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()

    def _place(self, rel: str, follow: bool) -> str | None:
        """`rel` as the scan holds it ("." the root), reached through symlinks (the last
        component's too with `follow`); None outside the root or in `.git`."""
        if rel in self.dirs or rel in self.files or (rel in self.links and not follow):
            return rel
        if rel.startswith("/") or posixpath.normpath(rel) != rel or rel.split("/")[0] == "..":
            return None  # never a path a render names
        parent, _, name = rel.rpartition("/")
        if (parent or ".") in self.dirs and name not in ("", ".", "..", ".git") and rel not in self.links:
            return rel  # in a directory the scan reached without symlinks: exactly where it looked
        real, base = os.path.realpath(os.path.join(self.root, rel)), os.path.realpath(self.root)
        if not follow and rel.rpartition("/")[2] not in ("", ".", ".."):  # the parent resolved, the name as it is
            parent = os.path.realpath(os.path.join(self.root, rel.rpartition("/")[0] or "."))
            real = os.path.join(parent, rel.rpartition("/")[2])
        if real == base:
            return "."
        if not real.startswith(base + os.sep):
            return None
        inside = real[len(base) + 1:].replace(os.sep, "/")
        return None if ".git" in inside.split("/") else inside

    def dir_listing(self, rel: str) -> str | None:
        """Digest of a directory's entries (name, type, symlink target); None when `rel` is
        no directory; UNREADABLE outside the root."""
        found = self._listings.get(rel)
        if found is None:
            place = self._place(rel, follow=True)
            if place is None:
                return UNREADABLE
            entries = self._entries.get(place)
            if entries is None:
                return None
            found = hashlib.sha256("\n".join(entries).encode("utf-8", "surrogateescape")).hexdigest()
            self._listings[rel] = found
        return found

    def kind(self, rel: str) -> str | None:
        """"f", "d" or "l <target>" for a file, directory or symlink; None when absent;
        UNREADABLE outside the root."""
        place = self._place(rel, follow=False)
        if place is None:
            return UNREADABLE
        if place in self.files:
            return "f"
        if place in self.dirs:
            return "d"
        if place in self.links:
            return "l " + self.links[place]
        return None

    def named(self, name: str) -> str:
        """Digest of where files called `name` are (a search of the whole tree)."""
        found = sorted(p for p in (*self.files, *self.links) if p.rpartition("/")[2] == name)
        return hashlib.sha256("\n".join(found).encode("utf-8", "surrogateescape")).hexdigest()


class Digests:
    """sha256 of repository files by repo-relative path, each computed once per run (many
    targets share files): None for an absent file, UNREADABLE for a path a render could
    not read. Shape keys (core/fs.py LISTING, TREE, NAMED) get the digest of that shape.

    `known`: path -> (signature, digest) from the index. `settled` collects the pairs worth
    recording for the next run."""

    def __init__(self, root: Path, tree: Tree | None = None, known: dict[str, tuple[str, str]] | None = None) -> None:
        self.root = root
        self._tree = tree
        self._memo: dict[str, str | None] = {}
        self._real_root = os.path.realpath(root)
        self._prefix = str(root) + os.sep
        self.known = known or {}
        self.start_ns = time.time_ns()
        self.settled: dict[str, tuple[str, str]] = {}

    @property
    def tree(self) -> Tree:
        if self._tree is None:
            self._tree = Tree(self.root)
        return self._tree

    def __call__(self, rel: str) -> str | None:
        try:
            return self._memo[rel]
        except KeyError:
            pass
        except TypeError:
            return UNREADABLE  # not a path at all (a planted index)
        found = self._memo[rel] = self._shape(rel) if is_shape_key(rel) else self._digest(rel)
        return found

    def _shape(self, key: str) -> str | None:
        if key.startswith(LISTING):
            return self.tree.dir_listing(key[len(LISTING):])
        if key.startswith(KIND):
            return self.tree.kind(key[len(KIND):])
        if key == TREE:
            return self.tree.listing
        if key.startswith(NAMED):
            return self.tree.named(key[len(NAMED):])
        return UNREADABLE

    def settle(self, rel: str, digest: str) -> None:
        """Record the signature of a file read during this run whose content had `digest`,
        when it has not changed since well before the run began (so the read saw it)."""
        if is_shape_key(rel) or rel in self.settled or rel not in self.tree.files or self._memo.get(rel, digest) != digest:
            return
        try:
            info = os.lstat(self._prefix + rel)
        except OSError:
            return
        if max(info.st_mtime_ns, info.st_ctime_ns) < self.start_ns - SETTLED_NS and stat.S_ISREG(info.st_mode):
            self.settled[rel] = (signature(info), digest)

    def differing(self, paths: list[str], sums: list[str | None], also: set[str]) -> set[int]:
        """Positions where the digest of `paths[i]` is not `sums[i]` (or the path is in
        `also`): `__call__` for each, with the signature check inlined (a no-edit run is
        mostly this loop)."""
        out: set[int] = set()
        memo, known, settled, files, prefix = self._memo, self.known, self.settled, self.tree.files, self._prefix
        lstat, regular, kind, dirs = os.lstat, stat.S_ISREG, self.tree.kind, self.tree.dirs
        for i, path in enumerate(paths):
            if path in also:
                out.add(i)
                continue
            if path.startswith(KIND):  # most shapes: a table lookup
                rel = path[len(KIND):]
                got = "f" if rel in files else "d" if rel in dirs else kind(rel)
                if got != sums[i]:
                    out.add(i)
                continue
            got = memo.get(path, UNREADABLE)
            if got is UNREADABLE and path not in memo:
                pair = known.get(path)
                info = None
                if pair is not None and path in files:
                    try:
                        info = lstat(prefix + path)
                    except OSError:
                        pass
                if info is not None and regular(info.st_mode) and pair is not None and pair[0] == (
                        f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"):
                    got = memo[path] = pair[1]
                    settled[path] = pair
                else:
                    got = self(path)
            if got != sums[i]:
                out.add(i)
        return out

    def settled_new(self) -> bool:
        """Whether this run settled a signature the index does not hold yet."""
        return any(self.known.get(path) != pair for path, pair in self.settled.items())

    def _digest(self, rel: str) -> str | None:
        tree = self.tree
        if rel in tree.files:
            full = self._prefix + rel
            try:
                info = os.lstat(full)
            except OSError:
                return None
            if not stat.S_ISREG(info.st_mode):
                return UNREADABLE
            sig = signature(info)
            known = self.known.get(rel)
            if known is not None and known[0] == sig:
                self.settled[rel] = known
                return known[1]
        elif rel in tree.links:
            full = os.path.realpath(os.path.join(self.root, rel))
            if not full.startswith(self._real_root + os.sep) or "/.git/" in full[len(self._real_root):] + "/":
                return UNREADABLE
            sig = ""
        elif (rel.rpartition("/")[0] or ".") in tree.dirs and rel.rpartition("/")[2] not in ("", ".", ".."):
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
                digest = hashlib.sha256(handle.read()).hexdigest()
        finally:
            os.close(fd)
        if sig and signature(info) == sig and max(info.st_mtime_ns, info.st_ctime_ns) < self.start_ns - SETTLED_NS:
            self.settled[rel] = (sig, digest)
        return digest
