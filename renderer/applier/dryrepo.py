"""What a hydration takes from the dry checkout and its git config: uncommitted
changes, the remote to push to, transport credentials, author and signing.

CI systems configure credentials in the checkout itself (``http.<url>.extraheader``,
``url.<base>.insteadOf``); the hydrated remote is reached with those, plus the
user's global config, never the system config.
"""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import GitError, InputError
from .git import GitResult, normalize_remote, redact_url, run_git

__all__ = [
    "Author",
    "dirty_paths",
    "git_author",
    "parse_author",
    "recorded_repo_url",
    "resolve_remote",
    "signing_config",
    "transport_config",
]

# Config sections that decide how a remote is reached (never what objects are made).
_TRANSPORT_PREFIXES = ("http.", "https.", "url.", "credential.", "protocol.", "ssh.", "core.sshcommand", "core.askpass")
_SIGNING_PREFIXES = ("gpg.", "user.signingkey")
_REMOTE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _git(repo: Path, *args: str) -> GitResult:
    # network=True: the user's global config counts (safe.directory, identity).
    return run_git(["-C", str(repo), *args], cwd=repo, network=True, check=False)


def _config_list(repo: Path, scope: str) -> list[tuple[str, str]]:
    res = _git(repo, "config", scope, "--includes", "--list", "-z")
    if res.returncode not in (0, 1):  # 1: no such file
        raise GitError(f"cannot read git config of {str(repo)!r}: {res.error_text}")
    entries = []
    for record in res.stdout.split(b"\0"):
        if not record:
            continue
        key, _, value = record.decode("utf-8", "surrogateescape").partition("\n")
        entries.append((key, value))
    return entries


def transport_config(repo: Path) -> tuple[tuple[str, str], ...]:
    """The checkout's own transport entries (its ``.git/config``), to apply to fetch and
    push. The user's global config is read by those calls anyway."""
    return tuple((k, v) for k, v in _config_list(repo, "--local") if k.lower().startswith(_TRANSPORT_PREFIXES))


def _get(repo: Path, key: str, *extra: str) -> str | None:
    res = _git(repo, "config", *extra, "--get", key)
    return (res.text.strip() or None) if res.returncode == 0 else None


def resolve_remote(remote: str, repo: Path | None) -> str:
    """``remote`` as git should be given it: a URL stays (``insteadOf`` applies later),
    an existing path becomes absolute, a configured remote name (``origin``) becomes
    its push URL. Anything else is an InputError naming the three forms."""
    text = remote.strip()
    if not text:
        raise InputError("--remote is empty")
    if repo is not None and _REMOTE_NAME.fullmatch(text) and not os.path.exists(text):
        url = _get(repo, f"remote.{text}.pushurl") or _get(repo, f"remote.{text}.url")
        if url:
            if "://" in url or re.match(r"^[^/:]+:", url):
                return url
            return str((repo / url).resolve()) if not os.path.isabs(url) else url
    if "://" in text or re.match(r"^[A-Za-z0-9._~-]+(@[A-Za-z0-9._~-]+)?:(?!//)", text):
        return normalize_remote(text)
    if os.path.exists(text):
        return normalize_remote(text)
    where = f" in {str(repo)!r}" if repo is not None else ""
    raise InputError(f"--remote {text!r} is not a URL, an existing path, or a remote configured{where}")


@dataclass(frozen=True)
class Author:
    name: str
    email: str


_AUTHOR_RE = re.compile(r"\s*([^<>\n]+?)\s*<([^<>\s]+)>\s*")


def parse_author(text: str) -> Author:
    """``Name <email>`` as git writes it; InputError otherwise."""
    match = _AUTHOR_RE.fullmatch(text)
    if not match:
        raise InputError(f"--author must look like 'Name <email>', got {text!r}")
    return Author(match.group(1), match.group(2))


def git_author(repo: Path) -> Author | None:
    """``user.name``/``user.email`` from the checkout's and the user's git config."""
    name, email = _get(repo, "user.name"), _get(repo, "user.email")
    return Author(name, email) if name and email else None


def signing_config(repo: Path) -> tuple[tuple[str, str], ...] | None:
    """The signing entries to sign with when git itself would (``commit.gpgSign``);
    None (unsigned, reproducible) otherwise."""
    # Read from the files only: sluice pins commit.gpgSign=false on its own command lines.
    setting = _get(repo, "commit.gpgsign", "--local", "--type=bool") or _get(repo, "commit.gpgsign", "--global", "--type=bool")
    if setting != "true":
        return None
    entries = [*_config_list(repo, "--global"), *_config_list(repo, "--local")]
    return tuple((k, v) for k, v in entries if k.lower().startswith(_SIGNING_PREFIXES))


def dirty_paths(repo: Path, ignore: Sequence[str] = ()) -> tuple[str, ...]:
    """Paths whose working-tree content differs from HEAD (modified, staged, untracked
    and not ignored), except those under ``ignore`` (e.g. the bundles directory)."""
    res = _git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none")
    if res.returncode != 0:
        raise GitError(f"cannot read the status of {str(repo)!r}: {res.error_text}")
    records = res.stdout.decode("utf-8", "surrogateescape").split("\0")
    paths: list[str] = []
    skip_next = False
    for record in records:
        if skip_next:
            skip_next = False
            continue
        if len(record) < 4:
            continue
        status, path = record[:2], record[3:]
        if "R" in status or "C" in status:
            skip_next = True  # the source path follows
        prefixes = [p.strip("/") for p in ignore if p.strip("/") not in ("", ".")]
        if any(path == p or path.startswith(p + "/") for p in prefixes):
            continue
        paths.append(path)
    return tuple(sorted(set(paths)))


def _exists(path: str) -> bool:
    """Whether `path` names something on disk; a name the system refuses (too long, a NUL)
    names nothing."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def recorded_repo_url(config_url: str | None, repo: Path) -> str:
    """The repoURL hydrated branches record: sluice.yaml's ``repoURL`` (credentials and
    trailing ``/`` removed), else the ``origin`` URL when it is a network URL; never a
    local path, so every clone of one dry commit hydrates identically. "" when neither."""
    for candidate in (config_url, _get(repo, "remote.origin.url")):
        if not candidate or not candidate.strip():
            continue
        url = redact_url(candidate.strip()).rstrip("/")
        local = url.startswith("file://") or url.startswith(("/", ".", "~")) or os.path.isabs(url) or _exists(url)
        if local:
            continue
        return url
    return ""
