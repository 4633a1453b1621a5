"""Read committed content of a git repository as objects: commits, trees and blobs.

Why its own module: `sluice diff` must see a revision exactly as it was committed. Exports
(`git archive`) and checkouts honour `.gitattributes` (`export-ignore`, `filter=`,
`eol`, `ident`), which a pull request controls, and a `filter=` runs a command from the
repository's config. Here only plumbing that never applies attributes runs (`ls-tree`,
`cat-file --batch` without `--filters`/`--textconv`), with attribute files, hooks and
fsmonitor pinned off and inherited `GIT_*` variables (a hook's `GIT_DIR`, injected
`GIT_CONFIG_PARAMETERS`, replace refs) dropped.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import GitError, InputError
from .fs import MAX_DIR_DEPTH

__all__ = ["TreeEntry", "git_toplevel", "read_blobs", "read_tree", "resolve_commit", "run", "run_all", "start_all"]

# Config pinned on every call; none of it may come from the repository.
_PINNED = (
    "core.attributesFile=" + os.devnull,
    "core.hooksPath=" + os.devnull,
    "core.fsmonitor=false",
    "core.quotePath=false",
    "core.untrackedCache=false",
)
# The person running sluice chose these (trusted config: safe.directory, ...); kept.
_KEEP_ENV = frozenset({"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_EXEC_PATH"})

MODE_FILE, MODE_EXEC, MODE_LINK, MODE_GITLINK = "100644", "100755", "120000", "160000"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP_ENV}
    env.update({
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
        "LANG": "C",
    })
    return env


def run(repo: Path, args: Sequence[str], *, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """`git <args>` in `repo` with the sanitised environment; GitError on failure (with `check`)."""
    argv = ["git"]
    for item in _PINNED:
        argv += ["-c", item]
    argv += list(args)
    try:
        proc = subprocess.run(argv, cwd=repo, env=_env(), input=input, capture_output=True, check=False,
                              stdin=None if input is not None else subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitError("git executable not found on PATH") from None
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {args[0]} failed: {err or f'exit {proc.returncode}'}")
    return proc


def start_all(repo: Path, commands: Sequence[Sequence[str]]) -> Callable[[], list[subprocess.CompletedProcess[bytes]]]:
    """Several `git` commands started at once, to be collected by calling the result (the
    caller works meanwhile: each process start is a good part of the hook's latency);
    unchecked; GitError when git is missing."""
    procs = []
    try:
        for args in commands:
            argv = ["git"] + [x for item in _PINNED for x in ("-c", item)] + list(args)
            procs.append((argv, subprocess.Popen(argv, cwd=repo, env=_env(), stdin=subprocess.DEVNULL,
                                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    except FileNotFoundError:
        for _, proc in procs:
            proc.kill()
            proc.communicate()
        raise GitError("git executable not found on PATH") from None

    def collect() -> list[subprocess.CompletedProcess[bytes]]:
        done = []
        for argv, proc in procs:
            out, err = proc.communicate()
            done.append(subprocess.CompletedProcess(argv, proc.returncode, out, err))
        return done

    return collect


def run_all(repo: Path, commands: Sequence[Sequence[str]]) -> list[subprocess.CompletedProcess[bytes]]:
    """`start_all`, collected at once."""
    return start_all(repo, commands)()


def git_toplevel(path: Path) -> tuple[Path, str]:
    """(work tree root, prefix of `path` inside it: '' or 'a/b/') of the repository holding `path`."""
    proc = run(path, ["rev-parse", "--show-toplevel", "--show-prefix"], check=False)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    if proc.returncode != 0 or not lines:
        reason = proc.stderr.decode("utf-8", "replace").strip()
        raise InputError(f"{path} is not inside a git work tree: sluice diff compares git revisions ({reason})")
    return Path(lines[0]), lines[1] if len(lines) > 1 else ""


def resolve_commit(repo: Path, ref: str) -> str:
    """The full SHA of the commit `ref` names; InputError when there is none."""
    proc = run(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], check=False)
    sha = proc.stdout.decode("ascii", "replace").strip()
    if proc.returncode != 0 or not sha:
        raise InputError(f"unknown git revision {ref!r} in {repo}; fetch it or name an existing branch, tag or commit")
    return sha


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str  # 100644, 100755, 120000 (symlink), 160000 (submodule)
    oid: str
    path: str  # relative to the tree read, '/'-separated


def _check_path(path: str, where: str) -> None:
    parts = path.split("/")
    if len(parts) > MAX_DIR_DEPTH:  # as the working tree is judged (core/fs.py)
        shown = path if len(path) <= 120 else path[:120] + "..."
        raise InputError(f"revision {where} holds a path nested deeper than {MAX_DIR_DEPTH} levels: {shown}")
    for part in parts:
        if part in ("", ".", "..") or part.lower() == ".git":
            raise InputError(f"revision {where} holds an entry with an unsafe path {path!r} (git would not check it out)")


def read_tree(repo: Path, commit: str, prefix: str = "") -> list[TreeEntry]:
    """Every file, symlink and submodule entry of `commit` below directory `prefix`, recursively."""
    prefix = prefix.strip("/")
    treeish = f"{commit}:{prefix}" if prefix else f"{commit}^{{tree}}"
    kind = run(repo, ["cat-file", "-t", treeish], check=False)
    if kind.returncode != 0 or kind.stdout.strip() != b"tree":
        raise InputError(f"directory {prefix or '.'!r} does not exist in revision {commit[:12]}")
    out = run(repo, ["ls-tree", "-r", "-z", "--full-tree", treeish]).stdout
    entries: list[TreeEntry] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, _type, oid = meta.decode("ascii").split(" ")
        try:
            path = raw_path.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"revision {commit[:12]} holds a path that is not UTF-8: {raw_path!r}") from None
        _check_path(path, commit[:12])
        entries.append(TreeEntry(mode, oid, path))
    return entries


def read_blobs(repo: Path, oids: Iterable[str]) -> dict[str, bytes]:
    """Contents of blobs by object id, exactly as stored (one `cat-file --batch` call)."""
    wanted = sorted(set(oids))
    if not wanted:
        return {}
    data = run(repo, ["cat-file", "--batch"], input="".join(f"{o}\n" for o in wanted).encode("ascii")).stdout
    blobs: dict[str, bytes] = {}
    pos = 0
    for oid in wanted:
        end = data.index(b"\n", pos)
        header = data[pos:end].decode("ascii").split(" ")
        if len(header) != 3 or header[1] != "blob":
            raise GitError(f"git cat-file: object {oid} is not a readable blob ({' '.join(header[1:])})")
        size = int(header[2])
        blobs[oid] = data[end + 1:end + 1 + size]
        pos = end + 1 + size + 1  # content is followed by a newline
    return blobs
