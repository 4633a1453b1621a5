"""Commit per-cluster bundles to hydrated branches, the way Argo CD's Source
Hydrator lays them out, without ever checking the branches out.

Layout of a hydrated branch (what Argo CD's commit server writes):

* ``hydrator.metadata`` at the root: JSON, 2-space indent, fields ``repoURL``,
  ``drySha``, ``commands``, ``author``, ``date``, ``subject``, ``body`` in that
  order, empty ones omitted, one trailing newline;
* ``.gitattributes`` marking ``**/README.md`` and ``**/hydrator.metadata`` as
  ``linguist-generated=true`` (byte-identical to Argo CD's, no final newline);
* the caller's files (per app dir ``manifest.yaml``, ``hydrator.metadata``,
  ``README.md``) -- the caller's mapping is the whole content of the branch,
  apart from ``preserve`` globs kept from the previous tip;
* a git note ``{"drySha":"<sha>"}`` under ``refs/notes/hydrator.metadata`` on
  the hydrated commit (Argo CD's ``CommitNote``).

Commit message: ``<dry sha[:7]>: <dry subject>``, the dry body, then a trailer
block (``Co-authored-by`` as in Argo CD's default template, the
``Argocd-reference-commit-sha``/``-repourl`` reference trailers pointing at the
dry commit, and ``Sluice-dry-sha`` -- the mark by which sluice recognises the
branches it owns).

Like Argo CD (since its hydrator notes), a new dry commit that changes only the
generated files (``hydrator.metadata``, ``README.md``) makes no commit: the
existing tip just gets its note moved to the new dry SHA. Pass
``metadata_only_commits=True`` to commit whenever the tree differs.
"""
from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from ..core.errors import GitError, InputError
from ..core.regex import RegexError, compile_user_regex
from .ancestry import DryHistory, Relation
from ..core.branchname import normalize_branch
from .git import (
    Identity,
    PushOutcome,
    RefUpdate,
    Scratch,
    git_date,
    ls_remote,
    normalize_remote,
    redact_url,
    run_git,
)

__all__ = [
    "NOTES_REF",
    "TRAILER_DRY_SHA",
    "TRAILER_REFERENCE_SHA",
    "DrySource",
    "BranchResult",
    "HydrateResult",
    "hydrate",
    "Monotonic",
    "backoff_delay",
    "tip_position",
    "read_dry_source",
    "root_metadata",
    "app_metadata",
    "commit_message",
    "parse_trailers",
    "is_sluice_message",
]

NOTES_REF = "refs/notes/hydrator.metadata"
METADATA_FILE = "hydrator.metadata"
GITATTRIBUTES_FILE = ".gitattributes"
GITATTRIBUTES = b"**/README.md linguist-generated=true\n**/hydrator.metadata linguist-generated=true"
GENERATED_NAMES = frozenset({"hydrator.metadata", "README.md"})

TRAILER_COAUTHOR = "Co-authored-by"
TRAILER_REFERENCE_SHA = "Argocd-reference-commit-sha"
TRAILER_REFERENCE_REPOURL = "Argocd-reference-commit-repourl"
TRAILER_DRY_SHA = "Sluice-dry-sha"
TRAILER_ROLLBACK = "Sluice-rollback-to"
# On a rollback commit: the dry commit the branch had reached. The rollback holds
# until a dry commit newer than this one is hydrated.
TRAILER_HELD_AT = "Sluice-held-at"
TRAILER_DIRTY = "Sluice-dirty"
# Trailers Argo CD lifts out of a dry commit's body into `references`.
ARGO_REFERENCE_TRAILERS = frozenset(
    {
        "Argocd-reference-commit-author",
        "Argocd-reference-commit-author-email",
        "Argocd-reference-commit-sha",
        "Argocd-reference-commit-subject",
        "Argocd-reference-commit-body",
        "Argocd-reference-commit-repourl",
        "Argocd-reference-commit-date",
    }
)

FILE_MODE = "100644"
_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_TRAILER_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)")
_PERSON_RE = re.compile(r"[^<>\n]+ <[^<>\s]+>")


@dataclass(frozen=True)
class DrySource:
    """The dry commit a hydration is made from."""

    repo_url: str
    dry_sha: str
    subject: str
    body: str = ""
    author: str = ""
    date: str = ""
    commands: tuple[str, ...] = ()
    # Paths that differed from the dry commit when it was rendered (--allow-dirty).
    dirty: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _SHA_RE.fullmatch(self.dry_sha):
            raise InputError(f"dry SHA must be a full lowercase hex object id, got {self.dry_sha!r}")
        if not isinstance(self.commands, tuple):
            object.__setattr__(self, "commands", tuple(self.commands))
        if not isinstance(self.dirty, tuple):
            object.__setattr__(self, "dirty", tuple(self.dirty))


@dataclass(frozen=True)
class BranchResult:
    """What happened to one branch. ``new_sha`` is the branch tip afterwards
    (equal to ``old_sha`` when nothing was committed); ``note_updated`` says the
    tip's ``hydrator.metadata`` note now names this dry SHA (always true with a
    new commit; true without one when only generated files differed)."""

    branch: str
    old_sha: str | None
    new_sha: str | None
    changed: bool
    note_updated: bool = False
    # Dry commit the branch recorded before this run (None for a new branch) and how
    # ours related to it: "new", "forward", "same", "superseded", "held", "forced".
    recorded_dry_sha: str | None = None
    status: str = ""


@dataclass(frozen=True)
class HydrateResult:
    """``superseded_by`` is set when nothing was written because a branch already
    holds a newer (or the same, held by a rollback) dry commit."""

    branches: tuple[BranchResult, ...]
    pushed: bool
    attempts: int = 1
    superseded_by: str | None = None
    held_by_rollback: bool = False

    def __getitem__(self, branch: str) -> BranchResult:
        for result in self.branches:
            if result.branch == branch:
                return result
        raise KeyError(branch)


# -- metadata and messages ---------------------------------------------------------


def _metadata_json(fields: Iterable[tuple[str, object]]) -> bytes:
    """JSON as Go's encoder writes it for Argo CD (2-space indent, no HTML
    escaping, U+2028/U+2029 escaped, trailing newline), empty fields omitted."""
    data = {key: value for key, value in fields if value}
    text = json.dumps(data, indent=2, ensure_ascii=False)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return (text + "\n").encode("utf-8")


def root_metadata(dry: DrySource) -> bytes:
    """The branch-root ``hydrator.metadata``."""
    return _metadata_json(
        [
            ("repoURL", dry.repo_url),
            ("drySha", dry.dry_sha),
            ("commands", list(dry.commands)),
            ("author", dry.author),
            ("date", dry.date),
            ("subject", dry.subject),
            ("body", dry.body),
            ("dirty", list(dry.dirty)),
        ]
    )


def app_metadata(dry: DrySource, commands: Sequence[str] = ()) -> bytes:
    """A per-app-directory ``hydrator.metadata`` as Argo CD writes it
    (``repoURL``, ``drySha``, ``commands``), for callers building bundles."""
    return _metadata_json(
        [("repoURL", dry.repo_url), ("drySha", dry.dry_sha), ("commands", list(commands))]
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _strip_reference_trailers(body: str) -> str:
    kept = []
    for line in body.splitlines():
        key, sep, _ = line.partition(": ")
        if sep and key in ARGO_REFERENCE_TRAILERS:
            continue
        kept.append(line)
    return "\n".join(kept).strip("\n")


def commit_message(dry: DrySource) -> str:
    """The hydrated commit's message (see the module docstring)."""
    parts = [f"{dry.dry_sha[:7]}: {_one_line(dry.subject)}"]
    body = _strip_reference_trailers(dry.body).rstrip()
    if body:
        parts.append(body)
    if dry.dirty:
        shown = ", ".join(dry.dirty[:20]) + (f" and {len(dry.dirty) - 20} more" if len(dry.dirty) > 20 else "")
        parts.append(f"Rendered with uncommitted changes to: {shown}")
    trailers = []
    if _PERSON_RE.fullmatch(dry.author.strip()):
        trailers.append(f"{TRAILER_COAUTHOR}: {dry.author.strip()}")
    trailers.append(f"{TRAILER_REFERENCE_SHA}: {dry.dry_sha}")
    if dry.repo_url.strip():
        trailers.append(f"{TRAILER_REFERENCE_REPOURL}: {_one_line(dry.repo_url)}")
    trailers.append(f"{TRAILER_DRY_SHA}: {dry.dry_sha}")
    if dry.dirty:
        trailers.append(f"{TRAILER_DIRTY}: true")
    parts.append("\n".join(trailers))
    return "\n\n".join(parts) + "\n"


def note_text(dry_sha: str) -> str:
    """Argo CD's ``CommitNote`` JSON (compact, like Go's ``json.Marshal``)."""
    return json.dumps({"drySha": dry_sha}, separators=(",", ":"))


def note_dry_sha(note: str | None) -> str | None:
    if not note:
        return None
    try:
        value = json.loads(note)
    except ValueError:
        return None
    sha = value.get("drySha") if isinstance(value, dict) else None
    return sha if isinstance(sha, str) and sha else None


def parse_trailers(message: str) -> list[tuple[str, str]]:
    """``(key, value)`` pairs of the trailer block: the last paragraph of a
    message with at least two paragraphs, every line of it ``Key: value``
    (continuation lines start with whitespace)."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", message.strip("\n")) if p.strip()]
    if len(paragraphs) < 2:
        return []
    trailers: list[tuple[str, str]] = []
    for line in paragraphs[-1].splitlines():
        if line[:1] in (" ", "\t") and trailers:
            key, value = trailers[-1]
            trailers[-1] = (key, f"{value} {line.strip()}")
            continue
        match = _TRAILER_RE.fullmatch(line.rstrip())
        if not match:
            return []
        trailers.append((match.group(1), match.group(2)))
    return trailers


def trailer_value(message: str, key: str) -> str | None:
    """The last value of trailer ``key`` (case-insensitive), or None."""
    found = None
    for name, value in parse_trailers(message):
        if name.lower() == key.lower():
            found = value
    return found


def is_sluice_message(message: str) -> bool:
    """True for commits sluice made (they carry a ``Sluice-dry-sha`` trailer)."""
    value = trailer_value(message, TRAILER_DRY_SHA)
    return value is not None and bool(_SHA_RE.fullmatch(value))


# -- bundle checks and tree building ---------------------------------------------------


def _check_path(branch: str, path: str) -> None:
    problem = None
    if not path or path.startswith("/") or path.endswith("/"):
        problem = "must be a relative file path"
    elif "\\" in path or any(ord(c) < 32 or c == "\x7f" for c in path):
        problem = "contains a backslash or control character"
    else:
        for part in path.split("/"):
            if part in ("", ".", ".."):
                problem = "has an empty, '.' or '..' segment"
                break
            if part.lower() == ".git":
                problem = "has a '.git' segment"
                break
    if problem is None and path in (METADATA_FILE, GITATTRIBUTES_FILE):
        problem = "is written by sluice itself (branch root files)"
    if problem:
        raise InputError(f"branch {branch!r}: path {path!r} {problem}")


def _parents(path: str) -> Iterable[str]:
    parts = path.split("/")
    for i in range(1, len(parts)):
        yield "/".join(parts[:i])


def _check_file_dir_clashes(branch: str, paths: Iterable[str]) -> None:
    files = set(paths)
    for path in sorted(files):
        for parent in _parents(path):
            if parent in files:
                raise InputError(f"branch {branch!r}: {parent!r} is both a file and a directory")


def _glob_regex(pattern: str) -> Any:
    """Translate a path glob: ``*`` and ``?`` stay within one segment, ``**``
    spans segments, ``[...]`` is a character class. Compiled on RE2: the globs come from
    sluice.yaml `preserve`, which a pull request controls, and `*a*a*a*a*c` on Python's
    backtracking engine takes exponential time against a long app directory name."""
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    try:
        return compile_user_regex("".join(out))
    except RegexError as exc:
        raise InputError(f"preserve: bad glob pattern {pattern!r}: {exc}", file="sluice.yaml") from None


class _Preserve:
    """Matches repo-relative paths against the caller's globs; a pattern
    matching a directory keeps everything below it."""

    def __init__(self, patterns: Sequence[str]) -> None:
        if isinstance(patterns, str):
            patterns = [patterns]
        self.regexes = [_glob_regex(p.strip("/")) for p in patterns if p.strip("/")]

    def __call__(self, path: str) -> bool:
        if not self.regexes:
            return False
        candidates = [*_parents(path), path]
        return any(rx.fullmatch(c) for rx in self.regexes for c in candidates)


def _significant_change(old: Mapping[str, tuple[str, str]], new: Mapping[str, tuple[str, str]]) -> bool:
    """True when some path other than generated files differs."""
    for path in set(old) | set(new):
        if old.get(path) == new.get(path):
            continue
        if path == GITATTRIBUTES_FILE or PurePosixPath(path).name in GENERATED_NAMES:
            continue
        return True
    return False


# -- the transaction -------------------------------------------------------------------


@dataclass(frozen=True)
class _Remote:
    tips: dict[str, str | None]  # ref -> commit (None = absent)
    trees: dict[str, str]  # ref -> tree of that commit (present refs only)
    notes: str | None


def _fetch_remote(scratch: Scratch, refs: Sequence[str], present: Mapping[str, str], *, depth: int | None) -> _Remote:
    """Fetch the ``present`` ones of ``refs`` into ``refs/sluice/remote/...`` and
    the notes ref; the values fetched are the push leases."""
    local = {ref: f"refs/sluice/remote/{ref[len('refs/'):]}" for ref in refs if ref in present}
    mapping = dict(local)
    if NOTES_REF in present:
        mapping[NOTES_REF] = NOTES_REF
    scratch.fetch(mapping, depth=depth)
    have = scratch.refs("refs/sluice/remote/", NOTES_REF)
    tips: dict[str, str | None] = {ref: None for ref in refs}
    trees: dict[str, str] = {}
    for ref, name in local.items():
        tips[ref], trees[ref] = have[name]
    notes = have[NOTES_REF][0] if NOTES_REF in have else None
    return _Remote(tips=tips, trees=trees, notes=notes)


def _is_vanished_ref(err: GitError) -> bool:
    text = str(err)
    return "couldn't find remote ref" in text or "not our ref" in text


def _check_owned(scratch: Scratch, remote: _Remote, display: str) -> None:
    messages = scratch.commit_messages(t for t in remote.tips.values() if t is not None)
    refused = [
        f"{ref[len('refs/heads/'):]} (tip {tip[:12]})"
        for ref, tip in remote.tips.items()
        if tip is not None and not is_sluice_message(messages[tip])
    ]
    if refused:
        raise GitError(
            f"refusing to write branch(es) not created by sluice on {display}: {', '.join(refused)}; "
            f"their tip commit has no {TRAILER_DRY_SHA} trailer. Nothing was pushed."
        )


def _moved(scratch: Scratch, updates: Sequence[RefUpdate]) -> bool:
    now = scratch.ls_remote([u.ref for u in updates])
    return any(now.get(u.ref) != u.old for u in updates)


_T = TypeVar("_T")

BACKOFF_BASE = 0.05
BACKOFF_CAP = 2.0


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry ``attempt + 1``: "full jitter" exponential
    back-off, so writers that collided once do not collide again in lockstep."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


def transact(
    remote: str,
    refs: Sequence[str],
    build: Callable[[Scratch, _Remote], tuple[list[RefUpdate], _T]],
    *,
    depth: int | None,
    max_retries: int,
    workdir: Path | None,
    before_push: Callable[[int], None] | None,
    config: Sequence[tuple[str, str]] = (),
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, str], None] | None = None,
) -> tuple[_T, bool, int]:
    """Fetch, build, push atomically with leases; on a lease failure caused by
    another writer, wait a jittered back-off and start over on the new tips (where
    ``build`` may find it has been superseded). Returns (build result, pushed,
    attempts). ``build`` raises to abort (nothing pushed)."""
    if max_retries < 0:
        raise InputError("max_retries must be >= 0")
    display = redact_url(remote)
    last: PushOutcome | None = None
    for attempt in range(1, max_retries + 2):
        if attempt > 1:
            if on_retry is not None:
                on_retry(attempt, last.message if last else "a branch vanished while fetching")
            sleep(backoff_delay(attempt - 1))
        present = ls_remote(remote, [*refs, NOTES_REF, "HEAD"], config=config)
        # A sha256 remote shows 64-hex ids; an empty remote is taken as sha1.
        object_format = "sha256" if any(len(oid) == 64 for oid in present.values()) else "sha1"
        with Scratch.create(remote, workdir=workdir, object_format=object_format, config=config) as scratch:
            try:
                state = _fetch_remote(scratch, refs, present, depth=depth)
            except GitError as err:
                if _is_vanished_ref(err) and attempt <= max_retries:
                    continue
                raise
            _check_owned(scratch, state, display)
            updates, payload = build(scratch, state)
            if not updates:
                return payload, False, attempt
            if before_push is not None:
                before_push(attempt)
            last = scratch.push(updates)
            if last.ok:
                return payload, True, attempt
            if not _moved(scratch, updates):
                raise GitError(f"push to {display} was rejected: {last.message}")
    raise GitError(
        f"gave up after {max_retries + 1} attempts: other writers kept moving the branches on {display}"
        + (f" ({last.message})" if last else "")
    )


@dataclass(frozen=True)
class _Position:
    """Where a hydrated tip stands in the dry history."""

    dry_sha: str | None  # dry commit whose content the tip holds (per its note)
    held_at: str | None  # set on an unreleased rollback: the dry commit the branch had reached

    @property
    def mark(self) -> str | None:
        """The dry commit a new hydration must be newer than."""
        return self.held_at or self.dry_sha


def tip_position(scratch: Scratch, tip: str) -> _Position:
    """The tip's recorded dry commit: its note (moved on by metadata-only hydrations),
    else its ``Sluice-dry-sha`` trailer. A rollback commit whose note was not moved on
    holds the branch at its ``Sluice-held-at`` commit."""
    message = scratch.commit_message(tip)
    noted = note_dry_sha(scratch.read_note(NOTES_REF, tip))
    trailer = trailer_value(message, TRAILER_DRY_SHA)
    held = trailer_value(message, TRAILER_HELD_AT)
    dry = noted or trailer
    if held and _SHA_RE.fullmatch(held) and (noted is None or noted == trailer):
        return _Position(dry, held)
    return _Position(dry, None)


@dataclass(frozen=True)
class Monotonic:
    """How a hydration checks it moves branches forward only.

    ``history`` answers ancestry from the dry checkout; without it only equal dry
    SHAs are recognised (API callers holding no checkout). ``allow_unrelated``
    hydrates over a branch whose recorded dry commit is unrelated to ours or
    unknown to the checkout; ``release_rollback`` replaces a rollback held at the
    very dry commit being hydrated."""

    history: DryHistory | None = None
    allow_unrelated: bool = False
    release_rollback: bool = False


def _classify(
    branch: str, position: _Position, dry_sha: str, policy: Monotonic
) -> tuple[str, str | None]:
    """``(status, superseding sha)`` of one existing branch; raises on unrelated history."""
    mark = position.mark
    if mark is None:
        return "forward", None
    if policy.history is None:
        relation = Relation.SAME if mark == dry_sha else Relation.BEHIND
    else:
        relation = policy.history.relation(mark, dry_sha)
    held = position.held_at is not None
    if relation is Relation.SAME:
        if held and not policy.release_rollback:
            return "held", mark
        return ("forward", None) if held else ("same", mark)
    if relation is Relation.AHEAD:
        return ("held" if held else "superseded"), mark
    if relation is Relation.BEHIND:
        return "forward", None
    if policy.allow_unrelated:
        return "forced", None
    where = f" in the dry checkout {str(policy.history.repo)!r}" if policy.history else ""
    if relation is Relation.UNKNOWN:
        raise GitError(
            f"branch {branch!r} records dry commit {mark[:12]}, which is not known{where} "
            "(a shallow clone? fetch the dry history, e.g. `git fetch --unshallow`); cannot tell whether "
            f"{dry_sha[:12]} is newer. Nothing was pushed; pass --allow-unrelated to hydrate anyway."
        )
    raise GitError(
        f"branch {branch!r} records dry commit {mark[:12]}, which shares no history with {dry_sha[:12]} "
        "(was the dry branch force-pushed?). Nothing was pushed; pass --allow-unrelated to hydrate anyway."
    )


def hydrate(
    remote: str | Path,
    bundles: Mapping[str, Mapping[str, bytes]],
    dry: DrySource,
    *,
    preserve: Sequence[str] = (),
    author_name: str = "sluice",
    author_email: str = "sluice@localhost",
    commit_date: str | None = None,
    metadata_only_commits: bool = False,
    max_retries: int = 12,
    workdir: Path | None = None,
    before_push: Callable[[int], None] | None = None,
    monotonic: Monotonic | None = None,
    config: Sequence[tuple[str, str]] = (),
    signing: Sequence[tuple[str, str]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, str], None] | None = None,
) -> HydrateResult:
    """Commit ``bundles`` (``branch -> {path: bytes}``, the whole desired content
    of each branch) to ``remote`` and push every changed branch and the notes ref
    in one ``git push --atomic`` with a lease per ref.

    Monotonic: when any branch already records a dry commit newer than ``dry``
    (per ``monotonic.history``), or the same one held by a rollback, nothing is
    written and ``superseded_by`` names it; a branch recording ``dry`` itself is
    left alone. ``commit_date`` (ISO 8601, default ``dry.date``) is the author and
    committer date of every commit and note, so identical inputs give identical
    SHAs. ``config`` are transport config entries (the dry repository's own) for
    fetch and push; ``signing`` signs commits (see :meth:`Scratch.commit_tree`).
    ``preserve`` globs name paths kept from the previous tip when the bundle
    lacks them. ``before_push(attempt)`` runs just before each push (tests use
    it to simulate a concurrent writer). Raises :class:`InputError` for bad
    inputs and :class:`GitError` when a branch is not sluice's, records an
    unrelated dry commit, the push is rejected, or retries run out -- in every
    error case nothing was pushed.
    """
    policy = monotonic or Monotonic()
    date = commit_date or dry.date
    if not date:
        raise InputError("no commit date: the dry source has no date and commit_date was not given")
    identity = make_identity(author_name, author_email, date)
    url = normalize_remote(remote)

    named: dict[str, Mapping[str, bytes]] = {}
    for key, files in bundles.items():
        name = _check_branch(key)
        if name in named:
            raise InputError(f"branch {key!r} is given twice (as {name!r})")
        named[name] = files
    branches = sorted(named)
    if not branches:
        return HydrateResult(branches=(), pushed=False, attempts=0)
    desired_files: dict[str, dict[str, bytes]] = {}
    for branch in branches:
        files = named[branch]
        for path, data in files.items():
            if not isinstance(path, str):
                raise InputError(f"branch {branch!r}: path {path!r} is not a string")
            _check_path(branch, path)
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise InputError(f"branch {branch!r}: content of {path!r} is not bytes")
        content = {path: bytes(data) for path, data in files.items()}
        content[METADATA_FILE] = root_metadata(dry)
        content[GITATTRIBUTES_FILE] = GITATTRIBUTES
        _check_file_dir_clashes(branch, content)
        desired_files[branch] = content

    keep = _Preserve(preserve)
    message = commit_message(dry)
    note = note_text(dry.dry_sha)
    refs = [f"refs/heads/{b}" for b in branches]

    def build(scratch: Scratch, state: _Remote) -> tuple[list[RefUpdate], tuple[list[BranchResult], str | None, bool]]:
        statuses: dict[str, tuple[str, str | None]] = {}
        superseded: tuple[str, bool] | None = None
        for branch in branches:
            tip = state.tips[f"refs/heads/{branch}"]
            if tip is None:
                statuses[branch] = ("new", None)
                continue
            position = tip_position(scratch, tip)
            status, newer = _classify(branch, position, dry.dry_sha, policy)
            statuses[branch] = (status, position.dry_sha)
            if status in ("superseded", "held") and newer and superseded is None:
                superseded = (newer, status == "held")
        if superseded is not None:
            untouched = [
                BranchResult(b, state.tips[f"refs/heads/{b}"], state.tips[f"refs/heads/{b}"], changed=False,
                             recorded_dry_sha=statuses[b][1], status=statuses[b][0])
                for b in branches
            ]
            return [], (untouched, superseded[0], superseded[1])
        blobs: dict[str, bytes] = {}
        for content in desired_files.values():
            for data in content.values():
                blobs.setdefault(scratch.blob_id(data), data)
        scratch.write_blobs(blobs.values())
        updates: list[RefUpdate] = []
        results: list[BranchResult] = []
        notes_changed = False
        for branch in branches:
            ref = f"refs/heads/{branch}"
            tip = state.tips[ref]
            status, recorded = statuses[branch]
            if status == "same":
                results.append(BranchResult(branch, tip, tip, changed=False, recorded_dry_sha=recorded, status=status))
                continue
            entries = {p: (FILE_MODE, scratch.blob_id(d)) for p, d in desired_files[branch].items()}
            old_entries = scratch.ls_tree(tip) if tip else {}
            kept = {p: e for p, e in old_entries.items() if p not in entries and keep(p)}
            if kept:
                _check_file_dir_clashes(branch, [*entries, *kept])
                entries.update(kept)
            tree = scratch.write_tree(entries)
            commit_needed = tip is None or (
                tree != state.trees[ref]
                and (metadata_only_commits or _significant_change(old_entries, entries) or status in ("forced",))
            )
            if commit_needed:
                new = scratch.commit_tree(tree, [tip] if tip else [], message, identity, signing=signing)
                scratch.add_note(NOTES_REF, new, note, identity)
                notes_changed = True
                updates.append(RefUpdate(ref, tip, new))
                results.append(BranchResult(branch, tip, new, changed=True, note_updated=True,
                                            recorded_dry_sha=recorded, status=status))
                continue
            assert tip is not None
            noted = note_dry_sha(scratch.read_note(NOTES_REF, tip)) != dry.dry_sha
            if noted:
                scratch.add_note(NOTES_REF, tip, note, identity)
                notes_changed = True
            results.append(BranchResult(branch, tip, tip, changed=False, note_updated=noted,
                                        recorded_dry_sha=recorded, status=status))
        if notes_changed:
            updates.append(RefUpdate(NOTES_REF, state.notes, scratch.git.out("rev-parse", NOTES_REF)))
        return updates, (results, None, False)

    payload, pushed, attempts = transact(
        url,
        refs,
        build,
        depth=1,
        max_retries=max_retries,
        workdir=workdir,
        before_push=before_push,
        config=config,
        sleep=sleep,
        on_retry=on_retry,
    )
    results, superseded_by, held = payload
    return HydrateResult(branches=tuple(results), pushed=pushed, attempts=attempts,
                         superseded_by=superseded_by, held_by_rollback=held)


def make_identity(name: str, email: str, date: str) -> Identity:
    """Validated author/committer identity with the date in git's raw form."""
    for value in (name, email):
        if not value.strip() or any(c in value for c in "<>\n\0"):
            raise InputError(f"invalid author identity {name!r} <{email}>")
    return Identity(name.strip(), email.strip(), git_date(date))


def _check_branch(branch: str) -> str:
    """The branch name under sluice's one rule (``refs/heads/x`` -> ``x``), or InputError."""
    if not isinstance(branch, str):
        raise InputError(f"invalid hydrated branch name {branch!r}")
    name, problem = normalize_branch(branch)
    if problem:
        raise InputError(f"invalid hydrated branch name {branch!r}: {problem}")
    return name


# -- reading the dry commit ------------------------------------------------------------


def read_dry_source(
    repo_path: str | Path,
    rev: str = "HEAD",
    repo_url: str | None = None,
    commands: Sequence[str] = (),
) -> DrySource:
    """Describe dry commit ``rev`` of the repository at ``repo_path`` (read-only).

    ``repo_url`` defaults to the ``origin`` remote URL (credentials removed), else
    the absolute repository path. ``author`` is ``Name <email>``, ``date`` strict
    ISO 8601 (``%aI``), ``subject`` git's ``%s``; ``body`` is the rest of the
    message without the ``Argocd-reference-commit-*`` trailers (Argo CD moves
    those into ``references``), each line newline-terminated as Argo CD writes it.
    The user's global git config is honoured here (``safe.directory``), the
    system config is not."""
    path = Path(repo_path).expanduser().resolve()
    fmt = "%H%x00%an <%ae>%x00%aI%x00%s%x00%B"

    def git(*args: str, check: bool = True):  # noqa: ANN202 - local helper
        return run_git(["-C", str(path), *args], cwd=path if path.is_dir() else None, network=True, check=check)

    if not path.is_dir():
        raise InputError(f"dry repository {str(path)!r} does not exist")
    res = git("show", "-s", "--no-show-signature", f"--format={fmt}", "--end-of-options", f"{rev}^{{commit}}", check=False)
    if res.returncode != 0:
        raise GitError(f"cannot read dry commit {rev!r} in {str(path)!r}: {res.error_text}")
    out = res.stdout.decode("utf-8", "replace")
    if out.endswith("\n"):
        out = out[:-1]  # the tformat terminator
    sha, author, date, subject, raw = out.split("\0", 4)
    _, _, rest = raw.partition("\n\n")
    body = _strip_reference_trailers(rest).rstrip()
    if body:
        body += "\n"
    if repo_url is None:
        origin = git("config", "--get", "remote.origin.url", check=False)
        repo_url = redact_url(origin.text.strip()) if origin.returncode == 0 and origin.text.strip() else str(path)
    return DrySource(
        repo_url=repo_url,
        dry_sha=sha.strip(),
        subject=subject,
        body=body,
        author=author,
        date=date,
        commands=tuple(commands),
    )
