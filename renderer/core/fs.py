"""A read-only, root-confined view of a repository.

Every read goes through here so that (a) nothing outside the repository root can be
read, through `..`, absolute paths or symlinks, and (b) the set of files a render read
is known, for caching and incremental rendering.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import stat
from pathlib import Path
from typing import Any, Callable, Iterator

from .errors import InputError

ROOT = "."
GIT_DIR = ".git"
MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest file a render reads: far above any manifest, below what would exhaust a CI
runner's memory once parsed (memory stays proportional to the input)."""

# Scope keys for what a render saw of the tree's shape rather than of a file's content. A
# repo path is relative, so a key starting with "/" is never one; these reach `scope()`
# recorders only (never `reads`, which lists files), valued None: the recorder's owner
# digests the shape itself (renderer/verify/tree.py).
LISTING = "/ls "  # + directory: which entries it holds (and their types)
KIND = "/is "  # + path: whether it is there, and a file, a directory or a symlink
TREE = "/tree"  # every path of the repository (a walk of the whole tree)
NAMED = "/named "  # + file name: where files of that name are (a search of the whole tree)


def is_shape_key(key: str) -> bool:
    return key.startswith("/")


def parent_dir(path: str) -> str:
    return path.rpartition("/")[0] or ROOT


def refuse_git_path(path: str, shown: str, referrer: str | None) -> None:
    """`.git` (a directory, or a submodule's `.git` file) at any depth holds credentials
    and hooks, never manifests: no render reads it."""
    if any(part.lower() == GIT_DIR for part in path.replace("\\", "/").split("/")):
        raise InputError(f"path {shown!r} is inside .git, which a render never reads", file=referrer)


def check_name(name: str, directory: str) -> None:
    """Refuse a file name that is not UTF-8 (Python hands such bytes over as surrogates,
    which no pattern, YAML or JSON writer takes); a revision's tree is judged the same way."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        path = name if directory in ("", ROOT) else f"{directory}/{name}"
        raise InputError(f"the file name {path.encode('utf-8', 'surrogateescape')!r} is not UTF-8; rename it") from None


MAX_DIR_DEPTH = 200
"""Deepest directory nesting a walk of the repository follows: git commits any depth, and
a walk recursing per level would otherwise end in a RecursionError naming nothing."""


def check_depth(path: str) -> None:
    """Refuse a repository directory nested deeper than MAX_DIR_DEPTH levels, by name."""
    if path.count("/") >= MAX_DIR_DEPTH:
        shown = path if len(path) <= 120 else path[:120] + "..."
        raise InputError(f"directories nest deeper than {MAX_DIR_DEPTH} levels", file=shown)


def join(base: str, rel: str) -> str:
    """Join a repo-relative directory and a relative path, normalised (no escape check)."""
    return posixpath.normpath(posixpath.join(base, rel))


def build_root(target: Path) -> Path:
    """The boundary of a plain `sluice build`: the file system itself, as for `kubectl
    kustomize`; kustomize's load restrictor (each kustomization's files in or below its own
    directory) is what confines it. A fleet render or `--repo` confines to a repository."""
    return Path(target.anchor)


class RepoFS:
    """Repository files addressed by normalised, repo-relative POSIX paths ('.' is the root)."""

    def __init__(self, root: str | os.PathLike[str], *, max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.max_file_bytes = max_file_bytes
        self.root = Path(root).resolve()
        self._real_root = os.path.realpath(self.root)
        self.reads: dict[str, str | None] = {}  # path -> sha256 of the content read (None: looked for, absent)
        self.screens: dict[str, dict[str, bool]] = {}  # path -> {screen name: passed}; see `screen`
        self.scopes: list[dict[str, str | None]] = []  # open `scope()` recorders (shared with views of this one)
        self._text_cache: dict[str, tuple[str, str]] = {}  # path -> (text, sha256)
        self._yaml_cache: dict[tuple[str, str], list[tuple[Any, int]]] = {}

    # -- recording -------------------------------------------------------------
    def record(self, path: str, digest: str | None) -> None:
        """Note a read (digest None: looked for, absent; a recorded digest is kept then)."""
        if is_shape_key(path):
            self.observe(path)
            return
        if digest is None:
            self.reads.setdefault(path, None)
            for scope in self.scopes:
                scope.setdefault(path, None)
            return
        self.reads[path] = digest
        for scope in self.scopes:
            scope[path] = digest

    def observe(self, key: str) -> None:
        """Note that the open scopes' render depends on a shape of the tree (LISTING, TREE,
        NAMED keys): a file added or removed there makes it stale."""
        for scope in self.scopes:
            scope.setdefault(key, None)

    def _observe_entry(self, path: str) -> None:
        """A question about `path`: is it there, a file, a directory?"""
        if self.scopes and path != ROOT:
            self.observe(KIND + path)

    @contextlib.contextmanager
    def scope(self) -> Iterator[dict[str, str | None]]:
        """Collect the reads made inside the block (as well as in `reads`): what one render
        unit read, though the unit shares caches with others."""
        got: dict[str, str | None] = {}
        self.scopes.append(got)
        try:
            yield got
        finally:  # by identity: two scopes holding the same reads are equal dicts
            del self.scopes[next(i for i in range(len(self.scopes) - 1, -1, -1) if self.scopes[i] is got)]

    @contextlib.contextmanager
    def detached(self) -> Iterator[None]:
        """Hide the open scopes inside the block (reads still reach `reads`): work done once
        for several units (a Flux tree) that replays to each only what it used."""
        outer = list(self.scopes)
        del self.scopes[:]  # in place: views of this one share the list
        try:
            yield
        finally:
            self.scopes[:] = outer + self.scopes

    def replay(self, reads: dict[str, str | None]) -> None:
        """Record reads made earlier on a cache's behalf (a memoised build serving again)."""
        for path, digest in reads.items():
            self.record(path, digest)

    # -- paths -----------------------------------------------------------------
    def resolve(self, rel: str, base: str = ROOT, *, referrer: str | None = None) -> str:
        """Resolve `rel` against repo dir `base`; refuse absolute paths and escapes."""
        if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
            raise InputError(f"absolute path {rel!r} is not allowed; use a path relative to the file", file=referrer)
        path = join(base, rel)
        if path == ".." or path.startswith("../"):
            raise InputError(f"path {rel!r} escapes the repository root", file=referrer)
        self._check_real(path, rel, referrer)
        return path

    def _check_real(self, path: str, rel: str, referrer: str | None) -> None:
        if "\x00" in path:  # no file system path holds one; the OS calls would raise ValueError
            raise InputError(f"path {rel!r} holds a NUL character", file=referrer)
        refuse_git_path(path, rel, referrer)
        real = os.path.realpath(self.abspath(path))
        if real != self._real_root and not real.startswith(self._real_root.rstrip(os.sep) + os.sep):
            raise InputError(f"path {rel!r} resolves (through a symlink) outside the repository root", file=referrer)
        if real != self._real_root:
            refuse_git_path(real[len(self._real_root) + 1:].replace(os.sep, "/"), rel, referrer)

    def check(self, path: str, *, referrer: str | None = None) -> None:
        """Raise InputError unless `path` (repo-relative) resolves inside the boundary and
        outside `.git`: for callers that hand a path to another reader (Helm, git)."""
        self._check_real(path, path, referrer)

    def abspath(self, path: str) -> str:
        return os.path.join(self.root, path) if path != ROOT else str(self.root)

    def relpath(self, abspath: str | os.PathLike[str]) -> str:
        """Repo-relative form of an absolute path inside the root."""
        rel = os.path.relpath(os.path.abspath(abspath), self.root)
        if rel == ".." or rel.startswith(".." + os.sep):
            raise InputError(f"{abspath} is outside the repository root {self.root}")
        return Path(rel).as_posix() if rel != "." else ROOT

    # -- queries ---------------------------------------------------------------
    def exists(self, path: str) -> bool:
        self._observe_entry(path)
        return os.path.exists(self.abspath(path))

    def is_dir(self, path: str) -> bool:
        self._observe_entry(path)
        return os.path.isdir(self.abspath(path))

    def is_file(self, path: str) -> bool:
        self._observe_entry(path)
        return os.path.isfile(self.abspath(path))

    def probe(self, path: str) -> bool:
        """Whether the file exists, recorded as an input either way: a file whose absence
        shaped a render (an optional override) makes the render stale when it appears."""
        if self.is_file(path):
            return True
        self.record(path, None)
        return False

    def absence_note(self, path: str) -> str:
        """Why an existing file is not visible through this view ('' for the plain repository)."""
        return ""

    def listdir(self, path: str) -> list[str]:
        """Sorted entry names of a directory (deterministic order)."""
        self._check_real(path, path, None)
        if self.scopes:
            self.observe(LISTING + path)
        try:
            names = sorted(os.listdir(self.abspath(path)))
        except FileNotFoundError:
            raise InputError("directory not found", file=path) from None
        except NotADirectoryError:
            raise InputError("not a directory", file=path) from None
        for name in names:
            check_name(name, path)
        return names

    # -- reads -----------------------------------------------------------------
    def _load(self, path: str) -> bytes:
        self._check_real(path, path, None)
        try:
            # non-blocking: opening a FIFO for reading would otherwise wait for a writer forever
            with open(os.open(self.abspath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
                info = os.fstat(fh.fileno())
                if stat.S_ISDIR(info.st_mode):
                    raise IsADirectoryError
                if not stat.S_ISREG(info.st_mode):
                    raise InputError("not a regular file (a FIFO, socket or device); a render reads only files", file=path)
                if info.st_size > self.max_file_bytes:
                    raise InputError(f"larger than {self.max_file_bytes} bytes, the most a render reads from one file",
                                     file=path)
                return fh.read(self.max_file_bytes + 1)
        except FileNotFoundError:
            raise InputError("file not found", file=path) from None
        except IsADirectoryError:
            raise InputError("is a directory, expected a file", file=path) from None
        except OSError as exc:  # a symlink loop, a FIFO gone away, permissions
            raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None

    def read_bytes(self, path: str) -> bytes:
        data = self._load(path)
        self.record(path, hashlib.sha256(data).hexdigest())
        return data

    def _decoded(self, path: str) -> tuple[str, str]:
        cached = self._text_cache.get(path)
        if cached is not None:
            return cached
        data = self._load(path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", file=path) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        self._text_cache[path] = (text, hashlib.sha256(data).hexdigest())
        return self._text_cache[path]

    def read_text(self, path: str) -> str:
        text, digest = self._decoded(path)
        self.record(path, digest)
        return text

    def text_as_written(self, path: str) -> str:
        """The file's text as the repository holds it, for placing origins on its lines: a
        view holding an edited copy in memory answers with the file it stands for."""
        return self.read_text(path)

    def screen(self, path: str, name: str, test: Callable[[str], bool]) -> bool:
        """Whether `test` (a substring test named `name`, see core/screens.py) holds for the
        file's text. Recorded in `screens`, not in `reads`: a file discovery only screened
        and passed over is no input of the plan while the screen still fails on it, which
        lets the hook's plan cache survive an edit to any ordinary manifest."""
        if type(self).read_text is not RepoFS.read_text:  # a view with its own rules reads as it reads
            return test(self.read_text(path))
        text, _ = self._decoded(path)
        passed = test(text)
        self.screens.setdefault(path, {})[name] = passed
        return passed

    def load_yaml(self, path: str, *, dialect: str = "resource") -> list[tuple[Any, int]]:
        """Parsed documents of a YAML file with their start lines; parsed once per render.

        `dialect="config"` reads kustomization files as kubectl does (go-yaml v2 rules,
        duplicate keys allowed); see renderer/yaml.py."""
        key = (path, dialect)
        cached = self._yaml_cache.get(key)
        if cached is not None:
            text = self._text_cache.get(path)
            if text is not None:  # recorded again: an open scope wants it (not in-memory files)
                self.record(path, text[1])
        else:
            from . import yaml as _yaml

            cached = _yaml.load_documents_with_lines(self.read_text(path), path, dialect=dialect)  # type: ignore[arg-type]
            self._yaml_cache[key] = cached
        return cached


class OverlayFS(RepoFS):
    """The repository as `base` sees it, plus files held in memory (never written): lets a
    build read a generated or edited kustomization without touching the checkout. Reads of
    real files are recorded on `base`."""

    def __init__(self, base: RepoFS, files: dict[str, str]) -> None:
        super().__init__(base.root)
        self._base = base
        self._files = dict(files)
        self.reads, self.scopes = base.reads, base.scopes  # real reads are recorded on the caller's view

    def exists(self, path: str) -> bool:
        return path in self._files or self._base.exists(path)

    def is_file(self, path: str) -> bool:
        return path in self._files or self._base.is_file(path)

    def is_dir(self, path: str) -> bool:
        return self._base.is_dir(path)

    def absence_note(self, path: str) -> str:
        return self._base.absence_note(path)

    def listdir(self, path: str) -> list[str]:
        prefix = "" if path == "." else path + "/"
        extra = [p[len(prefix):] for p in self._files if p.startswith(prefix) and "/" not in p[len(prefix):]]
        return sorted(set(self._base.listdir(path)) | set(extra))

    def read_bytes(self, path: str) -> bytes:
        if path in self._files:
            return self._files[path].encode()
        return self._base.read_bytes(path)

    def read_text(self, path: str) -> str:
        if path in self._files:
            return self._files[path]
        return self._base.read_text(path)

    def text_as_written(self, path: str) -> str:
        if path in self._files and self._base.is_file(path):
            return self._base.text_as_written(path)
        return self.read_text(path)

    def load_yaml(self, path: str, *, dialect: str = "resource") -> list[tuple[Any, int]]:
        if path in self._files:
            return super().load_yaml(path, dialect=dialect)  # own cache, this overlay only
        return self._base.load_yaml(path, dialect=dialect)
