"""File access for one kustomization, with kustomize's load restrictions.

By default (root-only) a kustomization may read files only inside its own directory;
other kustomization directories (bases, components) may live anywhere in the repository.
Remote resources are refused: sluice renders offline.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..core.errors import InputError, OutOfReach
from ..core.fs import RepoFS

_REMOTE = re.compile(r"^(https?://|git::|ssh://|git@|github\.com/|gitlab\.com/|bitbucket\.org/|oci://)")


def is_remote(ref: str) -> bool:
    return bool(_REMOTE.match(ref)) or "?ref=" in ref or "?version=" in ref


@dataclass(frozen=True)
class Loader:
    fs: RepoFS
    root: str  # the kustomization directory, repo-relative
    restrict: bool = True
    referrer: str | None = None  # the kustomization file, for error messages

    def path_of(self, rel: str) -> str:
        """Resolve a path written in the kustomization, enforcing the load restrictor for files."""
        if is_remote(rel):
            raise OutOfReach(f"remote resource {rel!r} cannot be loaded: sluice renders offline; vendor it into the repository", file=self.referrer)
        return self.fs.resolve(rel, self.root, referrer=self.referrer)

    def file_path(self, rel: str) -> str:
        path = self.path_of(rel)
        if self.restrict and not self._within_root(path):
            raise InputError(
                f"security; file '{path}' is not in or below '{self.root}' (load restrictor LoadRestrictionsRootOnly; "
                "use --load-restrictor none to lift it)",
                file=self.referrer,
            )
        return path

    def read_bytes(self, rel: str) -> bytes:
        path = self.file_path(rel)
        if not self.fs.exists(path):
            raise InputError(f"file '{rel}' not found (resolved to {path})", file=self.referrer)
        return self.fs.read_bytes(path)

    def read_text(self, rel: str) -> str:
        path = self.file_path(rel)
        if not self.fs.exists(path):
            raise InputError(f"file '{rel}' not found (resolved to {path})", file=self.referrer)
        return self.fs.read_text(path)


    def _within_root(self, path: str) -> bool:
        """kustomize's root-only check: the file, symlinks resolved, lies in or below the
        kustomization directory, symlinks resolved (a symlink out of it is refused even when
        its target is elsewhere in the repository)."""
        if not _within(path, self.root):
            return False
        real_root = os.path.realpath(self.fs.abspath(self.root))
        real = os.path.realpath(self.fs.abspath(path))
        return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _within(path: str, root: str) -> bool:
    return root == "." or path == root or path.startswith(root + "/")
