"""A small typed wrapper around the ``git`` command line (no GitPython).

Two kinds of calls:

* **local** calls build objects in sluice's private scratch repository. They run
  with a fully isolated configuration (no system or global config, ``HOME``
  pointing into the scratch directory, ``LC_ALL=C``, ``TZ=UTC``) so nothing on
  the user's machine can change the objects, and therefore the SHAs, produced.
* **network** calls (``ls-remote``, ``fetch``, ``push``) keep the user's global
  config (credential helpers, ``url.*.insteadOf``, proxies) but never the
  system config, and pin every option that could alter what is sent.

Inherited ``GIT_*`` variables (``GIT_DIR``, ``GIT_INDEX_FILE`` set by a hook,
``GIT_AUTHOR_DATE``...) are always dropped; only transport variables listed in
``_NETWORK_ENV_ALLOW`` survive, and only for network calls.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..core.errors import GitError, InputError
from ..core.scratch import sweep_stale

__all__ = [
    "GitResult",
    "Git",
    "Identity",
    "Scratch",
    "RefUpdate",
    "PushOutcome",
    "git_date",
    "ls_remote",
    "normalize_remote",
    "redact_url",
    "run_git",
    "config_env",
    "sweep_stale",
]

SCRATCH_PREFIX = "sluice-git-"


# Options pinned on every call: they could otherwise change objects, output
# formats, or run user code (hooks, fsmonitor) behind sluice's back.
_PINNED_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.hooksPath", os.devnull),
    ("core.fsmonitor", "false"),
    ("core.quotePath", "false"),
    ("commit.gpgSign", "false"),
    ("tag.gpgSign", "false"),
    ("push.gpgSign", "false"),
    ("push.followTags", "false"),
    ("push.recurseSubmodules", "no"),
    ("push.useForceIfIncludes", "false"),
    ("push.negotiate", "false"),
    ("fetch.recurseSubmodules", "false"),
    ("i18n.commitEncoding", "UTF-8"),
    ("i18n.logOutputEncoding", "UTF-8"),
    ("log.showSignature", "false"),
    ("log.mailmap", "false"),
    ("notes.rewriteRef", ""),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("advice.detachedHead", "false"),
    ("init.defaultBranch", "main"),
)

# Transport-related variables a user may rely on (ssh command, askpass, CA bundle).
_NETWORK_ENV_ALLOW = frozenset(
    {
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_ASKPASS",
        "GIT_PROXY_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_SSL_CERT",
        "GIT_SSL_KEY",
        "GIT_SSL_NO_VERIFY",
        "GIT_HTTP_USER_AGENT",
        "GIT_CONFIG_GLOBAL",
    }
)


@dataclass(frozen=True)
class GitResult:
    """The outcome of one git invocation."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def text(self) -> str:
        """stdout decoded as UTF-8 (replacing bad bytes), trailing newline removed."""
        return self.stdout.decode("utf-8", "replace").rstrip("\n")

    @property
    def error_text(self) -> str:
        return self.stderr.decode("utf-8", "replace").strip()


@dataclass(frozen=True)
class Identity:
    """Author/committer of the objects sluice creates. ``date`` is in git's raw
    form (``@<epoch> <+hhmm>``), see :func:`git_date`."""

    name: str
    email: str
    date: str

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_AUTHOR_DATE": self.date,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
            "GIT_COMMITTER_DATE": self.date,
        }


def git_date(value: str) -> str:
    """Convert an ISO 8601 date (``2025-06-09T13:50:08-04:00``, ``...Z``) or git's raw
    ``<epoch> <+hhmm>`` form into ``@<epoch> <+hhmm>`` (git's unambiguous raw form),
    keeping the original UTC offset so the commit shows the dry commit's zone."""
    text = value.strip()
    raw = re.fullmatch(r"@?(\d+) ([+-])(\d{2})(\d{2})", text)
    if raw:
        return f"@{raw.group(1)} {raw.group(2)}{raw.group(3)}{raw.group(4)}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"not an ISO 8601 date: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    offset = moment.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    epoch = int(moment.timestamp())
    if epoch < 0:
        raise InputError(f"dates before 1970 are not supported: {value!r}")
    return f"@{epoch} {sign}{minutes // 60:02d}{minutes % 60:02d}"


_SCP_LIKE = re.compile(r"^[A-Za-z0-9._~-]+(@[A-Za-z0-9._~-]+)?:(?!//)")


def normalize_remote(remote: str | os.PathLike[str]) -> str:
    """Make a local-path remote absolute (git runs with the scratch dir as its cwd);
    URLs (``scheme://``) and scp-like ``host:path`` remotes are returned unchanged."""
    text = os.fspath(remote)
    if not text:
        raise InputError("empty git remote")
    if "://" in text or (_SCP_LIKE.match(text) and not os.path.exists(text)):
        return text
    return str(Path(text).expanduser().resolve())


def redact_url(remote: str) -> str:
    """``remote`` with any ``user:password@`` (or token) part of a URL removed,
    for messages and metadata."""
    if "://" not in remote:
        return remote
    scheme, _, rest = remote.partition("://")
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        # http(s) user names are often tokens; ssh://git@host is meaningful, keep it.
        if ":" in userinfo or scheme.lower() in ("http", "https"):
            authority = host
    return f"{scheme}://{authority}{slash}{path}"


def _base_env(*, network: bool, home: Path | None) -> dict[str, str]:
    env: dict[str, str] = {}
    for key, value in os.environ.items():
        if key.startswith("GIT_"):
            if network and key in _NETWORK_ENV_ALLOW:
                env[key] = value
            continue
        env[key] = value
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_ATTR_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C",
            "LANG": "C",
            "LANGUAGE": "",
            "TZ": "UTC",
            "PAGER": "cat",
            "GIT_PAGER": "cat",
            "GIT_EDITOR": "false",
        }
    )
    if not network:
        env["GIT_CONFIG_GLOBAL"] = os.devnull
        if home is not None:
            env["HOME"] = str(home)
            env["XDG_CONFIG_HOME"] = str(home / ".config")
    return env


def run_git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    git_dir: Path | None = None,
    network: bool = False,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    input: bytes | None = None,
    check: bool = True,
    timeout: float | None = 600,
) -> GitResult:
    """Run ``git <args>`` with the deterministic environment described above.

    Raises :class:`GitError` when git is missing, times out, or (with ``check``)
    exits non-zero; the message carries the command and git's stderr."""
    argv = ["git"]
    for key, value in _PINNED_CONFIG:
        argv += ["-c", f"{key}={value}"]
    if git_dir is not None:
        argv.append(f"--git-dir={git_dir}")
    argv += list(args)
    full_env = _base_env(network=network, home=home)
    if env:
        full_env.update(env)
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=full_env,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git executable not found on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {' '.join(args[:2])} timed out after {timeout}s") from exc
    result = GitResult(tuple(args), proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        shown = " ".join(redact_url(a) for a in args if "\n" not in a)
        raise GitError(f"git {shown} failed (exit {proc.returncode}): {result.error_text}")
    return result


def config_env(entries: Sequence[tuple[str, str]]) -> dict[str, str]:
    """``GIT_CONFIG_COUNT``/``KEY``/``VALUE`` variables carrying config entries (a CI
    checkout's ``http.<url>.extraheader``, ``url.<base>.insteadOf``) into one call:
    keys may contain dots and URLs, which ``-c`` on a command line mangles less safely."""
    env: dict[str, str] = {}
    for i, (key, value) in enumerate(entries):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    if entries:
        env["GIT_CONFIG_COUNT"] = str(len(entries))
    return env


def ls_remote(remote: str, refs: Iterable[str], *, config: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """Current values of exactly these refs on ``remote`` (absent refs omitted).
    Needs no repository."""
    wanted = list(dict.fromkeys(refs))
    if not wanted:
        return {}
    res = run_git(["ls-remote", "--end-of-options", remote, *wanted], network=True, env=config_env(config))
    found: dict[str, str] = {}
    wanted_set = set(wanted)
    for line in res.text.splitlines():
        oid, _, ref = line.partition("\t")
        if ref in wanted_set:
            found[ref] = oid
    return found


def remote_branches(remote: str, *, config: Sequence[tuple[str, str]] = ()) -> list[str]:
    """The branch names on ``remote``, sorted (to say which exist when one is asked for in vain)."""
    res = run_git(["ls-remote", "--heads", "--end-of-options", remote], network=True, env=config_env(config))
    prefix = "refs/heads/"
    return sorted(ref[len(prefix):] for _oid, _, ref in (line.partition("\t") for line in res.text.splitlines())
                  if ref.startswith(prefix))


class Git:
    """git bound to one repository (``git_dir``) with an isolated HOME."""

    def __init__(self, git_dir: Path, *, home: Path | None = None) -> None:
        self.git_dir = git_dir
        self.home = home

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        network: bool = False,
    ) -> GitResult:
        return run_git(
            args,
            cwd=self.git_dir,
            git_dir=self.git_dir,
            network=network,
            home=self.home,
            env=env,
            input=input,
            check=check,
        )

    def out(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, env=env).text

    def rev(self, name: str) -> str | None:
        """The object id ``name`` resolves to, or None."""
        res = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", name, check=False)
        return (res.text or None) if res.returncode == 0 else None


@dataclass(frozen=True)
class RefUpdate:
    """One ref to push: ``old`` is the lease (None = must not exist yet)."""

    ref: str
    old: str | None
    new: str


@dataclass(frozen=True)
class PushOutcome:
    ok: bool
    rejected: tuple[str, ...] = ()
    message: str = ""


@dataclass
class Scratch:
    """A private bare repository in a temporary directory, deleted on close.

    Nothing here touches a user's working tree: objects are written with
    ``fast-import``, trees built through a throwaway ``GIT_INDEX_FILE``, commits
    made with ``commit-tree``, and refs pushed from this repository only.
    """

    remote: str
    root: Path
    object_format: str = "sha1"
    config: tuple[tuple[str, str], ...] = ()  # the dry repository's transport config
    git: Git = field(init=False)
    _index_count: int = field(default=0, init=False)

    @classmethod
    def create(
        cls,
        remote: str,
        *,
        workdir: Path | None = None,
        object_format: str = "sha1",
        config: Sequence[tuple[str, str]] = (),
    ) -> Scratch:
        if workdir is not None:
            workdir.mkdir(parents=True, exist_ok=True)
        sweep_stale(Path(workdir) if workdir is not None else Path(tempfile.gettempdir()), SCRATCH_PREFIX)
        # The pid in the name lets a later run tell a dead run's leftovers from a live one's.
        root = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=workdir))
        try:
            (root / "home").mkdir()
            run_git(
                ["init", "--quiet", "--bare", f"--object-format={object_format}", "--template=", str(root / "repo.git")],
                cwd=root,
                home=root / "home",
            )
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return cls(remote=remote, root=root, object_format=object_format, config=tuple(config))

    def __post_init__(self) -> None:
        self.git = Git(self.root / "repo.git", home=self.root / "home")

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- remote side -------------------------------------------------------------

    def ls_remote(self, refs: Iterable[str]) -> dict[str, str]:
        return ls_remote(self.remote, refs, config=self.config)

    def fetch(self, refs: Mapping[str, str], *, depth: int | None) -> None:
        """Fetch remote ``ref -> local ref`` (forced). ``depth`` None = full history."""
        if not refs:
            return
        args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head"]
        if depth is not None:
            args.append(f"--depth={depth}")
        args += ["--end-of-options", self.remote]
        args += [f"+{src}:{dst}" for src, dst in refs.items()]
        self.git.run(*args, network=True, env=config_env(self.config))

    def push(self, updates: Sequence[RefUpdate]) -> PushOutcome:
        """One ``git push --atomic`` with an explicit lease for every ref."""
        args = ["push", "--atomic", "--porcelain", "--no-verify"]
        for up in updates:
            args.append(f"--force-with-lease={up.ref}:{up.old or ''}")
        args += ["--end-of-options", self.remote]
        args += [f"{up.new}:{up.ref}" for up in updates]
        res = self.git.run(*args, network=True, check=False, env=config_env(self.config))
        if res.returncode == 0:
            return PushOutcome(ok=True)
        rejected = []
        for line in res.text.splitlines():
            if line.startswith("!\t"):
                rejected.append(line[2:])
        message = "; ".join(rejected) or res.error_text
        if res.error_text and rejected:
            message += f" ({res.error_text.splitlines()[0]})"
        return PushOutcome(ok=False, rejected=tuple(rejected), message=message)

    # -- object building ---------------------------------------------------------

    def blob_id(self, data: bytes) -> str:
        header = b"blob %d\0" % len(data)
        algo = hashlib.sha256 if self.object_format == "sha256" else hashlib.sha1
        return algo(header + data).hexdigest()

    def write_blobs(self, blobs: Iterable[bytes]) -> None:
        """Store blobs in one ``git fast-import`` run (no filters, no config)."""
        chunks: list[bytes] = [b"feature done\n"]
        count = 0
        for data in blobs:
            chunks.append(b"blob\ndata %d\n" % len(data))
            chunks.append(data)
            chunks.append(b"\n")
            count += 1
        if not count:
            return
        chunks.append(b"done\n")
        self.git.run("fast-import", "--quiet", "--done", input=b"".join(chunks))

    def ls_tree(self, treeish: str) -> dict[str, tuple[str, str]]:
        """``path -> (mode, oid)`` of every non-tree entry below ``treeish``."""
        res = self.git.run("ls-tree", "-r", "-z", "--full-tree", treeish)
        entries: dict[str, tuple[str, str]] = {}
        for record in res.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, oid = meta.decode("ascii").split(" ")
            entries[path.decode("utf-8", "surrogateescape")] = (mode, oid)
        return entries

    def write_tree(self, entries: Mapping[str, tuple[str, str]]) -> str:
        """Build a tree from ``path -> (mode, oid)`` through a private index file."""
        self._index_count += 1
        index = self.root / f"index-{self._index_count}"
        env = {"GIT_INDEX_FILE": str(index)}
        records = [
            f"{mode} {oid}\t".encode("ascii") + path.encode("utf-8", "surrogateescape") + b"\0"
            for path, (mode, oid) in sorted(entries.items())
        ]
        # The index file does not exist yet: update-index starts from an empty index.
        self.git.run("update-index", "-z", "--index-info", env=env, input=b"".join(records))
        tree = self.git.run("write-tree", env=env).text
        index.unlink(missing_ok=True)
        return tree

    def commit_tree(
        self,
        tree: str,
        parents: Sequence[str],
        message: str,
        identity: Identity,
        *,
        signing: Sequence[tuple[str, str]] | None = None,
    ) -> str:
        """``signing`` (the user's ``gpg.*``/``user.signingKey`` entries) signs the
        commit as ``git commit -S`` would; None keeps the commit unsigned and so
        reproducible byte for byte."""
        args = ["commit-tree", "--no-gpg-sign" if signing is None else "-S"]
        for parent in parents:
            args += ["-p", parent]
        args += ["-F", "-", tree]
        env = identity.env()
        if signing is not None:
            env.update(config_env(signing))
            # gpg and ssh-keygen find the user's keys through the real HOME.
            for key in ("HOME", "XDG_CONFIG_HOME"):
                if key in os.environ:
                    env[key] = os.environ[key]
        return self.git.run(*args, input=message.encode("utf-8"), env=env).text

    def add_note(self, notes_ref: str, commit: str, text: str, identity: Identity) -> None:
        self.git.run(
            "notes", f"--ref={notes_ref}", "add", "--force", "--message", text, commit, env=identity.env()
        )

    def read_note(self, notes_ref: str, commit: str) -> str | None:
        res = self.git.run("notes", f"--ref={notes_ref}", "show", commit, check=False)
        return res.text if res.returncode == 0 else None

    def refs(self, *patterns: str) -> dict[str, tuple[str, str]]:
        """``ref -> (commit, tree)`` of local refs matching ``patterns``."""
        res = self.git.run("for-each-ref", "--format=%(refname)%00%(objectname)%00%(tree)", *patterns)
        found = {}
        for line in res.text.splitlines():
            ref, oid, tree = line.split("\0")
            found[ref] = (oid, tree)
        return found

    def commit_messages(self, commits: Iterable[str]) -> dict[str, str]:
        """Raw messages of several commits in one ``cat-file --batch``."""
        wanted = list(dict.fromkeys(commits))
        if not wanted:
            return {}
        out = self.git.run("cat-file", "--batch", input="".join(f"{c}\n" for c in wanted).encode()).stdout
        messages: dict[str, str] = {}
        pos = 0
        for commit in wanted:
            header_end = out.index(b"\n", pos)
            oid, kind, size = out[pos:header_end].decode("ascii").split(" ")
            if kind != "commit":
                raise GitError(f"{commit} is a {kind}, not a commit")
            body = out[header_end + 1 : header_end + 1 + int(size)]
            pos = header_end + 1 + int(size) + 1
            messages[commit] = body.partition(b"\n\n")[2].decode("utf-8", "replace")
        return messages

    def commit_message(self, commit: str) -> str:
        """The raw message of ``commit`` (as stored, after the header)."""
        raw = self.git.run("cat-file", "commit", commit).stdout
        _, _, message = raw.partition(b"\n\n")
        return message.decode("utf-8", "replace")


