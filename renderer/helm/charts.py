"""Charts of the repository handed to Helm only through the read boundary.

Helm's loader follows symlinks and reads whatever a chart directory holds, so a chart
whose `values.yaml`, template, `files/` entry or `charts/<sub>` links outside the
repository would render outside content. Instead of a path in the repository, Helm gets a
private copy assembled from files read through `RepoFS` (recorded for `--changed`,
refused when they resolve outside the boundary). The copy keeps the chart's place in the
repository layout, so `file://` dependencies staged on demand resolve as they would in
place.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from ..core.errors import InputError
from ..core.fs import GIT_DIR, ROOT, RepoFS, join

__all__ = ["StagedRepo"]

MAX_CHART_FILES = 20_000
"""More files than any chart ships; a bound on a symlink farm or a mistaken chart path."""


class StagedRepo:
    """A private directory mirroring the parts of a repository that charts use."""

    def __init__(self, fs: RepoFS, tmp_dirs: list[str], *, referrer: str | None = None) -> None:
        self.fs = fs
        self.referrer = referrer
        self.root = tempfile.mkdtemp(prefix="sluice-staged-")
        tmp_dirs.append(self.root)
        self._done: set[str] = set()

    def path_of(self, rel: str) -> str:
        """Where repo path `rel` lies in the staged copy (staged or not)."""
        return self.root if rel == ROOT else os.path.join(self.root, *rel.split("/"))

    def rel_of(self, path: str) -> str | None:
        """The repo path of a staged-copy path; None when it lies outside the copy."""
        rel = os.path.relpath(os.path.normpath(path), self.root)
        if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
            return None
        return rel.replace(os.sep, "/") if rel != "." else ROOT

    def stage(self, rel: str) -> str:
        """Copy the repository directory `rel` (a chart, or a chart archive) through the boundary; returns its
        staged path. Raises InputError naming the first file that leaves the boundary."""
        if rel in self._done:
            return self.path_of(rel)
        self.fs.check(rel, referrer=self.referrer)
        if self.fs.is_file(rel):  # a packaged chart (.tgz) kept in the repository
            os.makedirs(os.path.dirname(self.path_of(rel)), exist_ok=True)
            with open(self.path_of(rel), "wb") as fh:
                fh.write(self.fs.read_bytes(rel))
            self._done.add(rel)
            return self.path_of(rel)
        if not self.fs.is_dir(rel):
            raise InputError(f"chart {rel!r} not found", file=self.referrer)
        count = [0]
        self._copy_dir(rel, [os.path.realpath(self.fs.abspath(rel))], count)
        self._done.add(rel)
        return self.path_of(rel)

    def _copy_dir(self, rel: str, stack: list[str], count: list[int]) -> None:
        dest = self.path_of(rel)
        os.makedirs(dest, exist_ok=True)
        for name in self.fs.listdir(rel):
            if name.lower() == GIT_DIR:
                continue  # a submodule's .git: never read, never handed to Helm
            entry = join(rel, name)
            self.fs.check(entry, referrer=entry)  # a symlink out of the repository: refused, named
            count[0] += 1
            if count[0] > MAX_CHART_FILES:
                raise InputError(f"chart {rel!r} holds more than {MAX_CHART_FILES} files", file=self.referrer)
            if self.fs.is_dir(entry):
                real = os.path.realpath(self.fs.abspath(entry))
                if real in stack:
                    raise InputError("a symlink loops back to a directory above it", file=entry)
                self._copy_dir(entry, [*stack, real], count)
            elif self.fs.is_file(entry):
                with open(self.path_of(entry), "wb") as fh:
                    fh.write(self.fs.read_bytes(entry))
            # anything else (a dangling link, a socket) is left out, as Helm's loader does


def unstaged(message: str, tmp_dirs: list[str]) -> str:
    """`message` with staged-copy paths shown as the repository paths they copy."""
    for d in tmp_dirs:
        message = message.replace(d + os.sep, "")
    return message


def cleanup(tmp_dirs: list[str]) -> None:
    """Remove staged copies and other temporary directories of one render."""
    for d in tmp_dirs:
        shutil.rmtree(d, ignore_errors=True)
    tmp_dirs.clear()
