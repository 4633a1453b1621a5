"""The dry repository as a Flux source artifact: what kustomize-controller actually builds.

source-controller archives a GitRepository (or OCIRepository, Bucket) before any
Kustomization sees it, leaving out what `.sourceignore` files and `spec.ignore` exclude and
every symlink (see `renderer.flux.sourceignore`). `ArtifactFS` is that archive as a read-only
view of the repository: excluded paths do not exist in it, so a Flux render fails or skips
exactly where Flux would, with an error that says why a file is missing.
"""
from __future__ import annotations

import os
from typing import Any

from ..core.errors import InputError
from ..core.fs import ROOT, RepoFS, check_depth, check_name
from .sourceignore import IGNORE_FILE, IgnoreMatcher, Pattern, artifact_matcher, read_patterns

__all__ = ["ArtifactFS", "load_ignore_patterns"]


def load_ignore_patterns(fs: RepoFS) -> list[Pattern]:
    """The patterns of every `.sourceignore` in the repository, parents before children
    (fluxcd/pkg LoadIgnorePatterns: a depth-first walk in name order, `.git` not entered,
    symlinked directories not followed)."""
    patterns: list[Pattern] = []

    def walk(directory: str, domain: tuple[str, ...]) -> None:
        check_depth(directory)
        ignore_file = IGNORE_FILE if directory == ROOT else f"{directory}/{IGNORE_FILE}"
        if os.path.isfile(fs.abspath(ignore_file)) and not os.path.islink(fs.abspath(ignore_file)):
            patterns.extend(read_patterns(fs.read_text(ignore_file), domain))
        try:
            entries = sorted(os.scandir(fs.abspath(directory)), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            check_name(entry.name, directory)
            if entry.name != ".git" and entry.is_dir(follow_symlinks=False):
                walk(entry.name if directory == ROOT else f"{directory}/{entry.name}", (*domain, entry.name))

    walk(ROOT, ())
    return patterns


class ArtifactFS(RepoFS):
    """The repository `base` minus what source-controller leaves out of its artifact."""

    def __init__(self, base: RepoFS, ignore: str | None = None) -> None:
        super().__init__(base.root)
        self._base = base
        self.reads, self.scopes = base.reads, base.scopes  # reads are recorded on the caller's view
        patterns = load_ignore_patterns(base)
        if ignore:
            patterns.extend(read_patterns(ignore))
        self.matcher: IgnoreMatcher = artifact_matcher(patterns)
        self._hidden: dict[str, bool] = {}

    # -- what the archive holds ------------------------------------------------------
    def hidden(self, path: str) -> bool:
        """True when `path` is not in the artifact (excluded, a symlink, or below one)."""
        if path == ROOT:
            return False
        cached = self._hidden.get(path)
        if cached is None:
            cached = self._compute_hidden(path)
            self._hidden[path] = cached
        return cached

    def _compute_hidden(self, path: str) -> bool:
        if ".git" in path.split("/"):
            return True  # never in an artifact (the VCS rule), and never read (the read boundary)
        parent = path.rsplit("/", 1)[0] if "/" in path else ROOT
        full = self.abspath(path)
        if os.path.islink(full) or (parent != ROOT and self._below_link(parent)):
            return True
        is_dir = os.path.isdir(full)
        if not self.matcher.excluded(path.split("/"), is_dir):
            return False
        # an excluded directory still exists in the archive when something below it is kept
        return not (is_dir and any(not self.hidden(f"{path}/{name}") for name in self._base.listdir(path)))

    def _below_link(self, directory: str) -> bool:
        while directory != ROOT:
            if os.path.islink(self.abspath(directory)):
                return True
            directory = directory.rsplit("/", 1)[0] if "/" in directory else ROOT
        return False

    _WHY = "left out of the Flux source artifact (.sourceignore, the source's spec.ignore, or a symlink)"

    def absence_note(self, path: str) -> str:
        return f": {self._WHY}" if self._base.exists(path) and self.hidden(path) else ""

    def _require(self, path: str, what: str) -> None:
        if self.hidden(path):
            raise InputError(f"{what} not found: it is {self._WHY}", file=path)

    # -- RepoFS queries, filtered ----------------------------------------------------
    def exists(self, path: str) -> bool:
        return self._base.exists(path) and not self.hidden(path)

    def is_dir(self, path: str) -> bool:
        return self._base.is_dir(path) and not self.hidden(path)

    def is_file(self, path: str) -> bool:
        return self._base.is_file(path) and not self.hidden(path)

    def listdir(self, path: str) -> list[str]:
        self._require(path, "directory")
        prefix = "" if path == ROOT else path + "/"
        return [name for name in self._base.listdir(path) if not self.hidden(prefix + name)]

    def read_bytes(self, path: str) -> bytes:
        self._require(path, "file")
        return self._base.read_bytes(path)

    def read_text(self, path: str) -> str:
        self._require(path, "file")
        return self._base.read_text(path)

    def load_yaml(self, path: str, *, dialect: str = "resource") -> list[tuple[Any, int]]:
        self._require(path, "file")
        return self._base.load_yaml(path, dialect=dialect)
