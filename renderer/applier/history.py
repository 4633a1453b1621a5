"""History of a hydrated branch and forward-only rollback.

A rollback never rewrites history: it makes a new commit on top of the current
tip whose tree equals an earlier hydrated commit's tree, pushed with a lease
like any hydration, so Argo CD/Flux simply sync forward to the old content.

A rollback holds: its commit records (``Sluice-held-at``) the dry commit the
branch had reached, and hydrations of that commit or older ones leave the
branch alone (they report "held by rollback"). It is released by hydrating a
newer dry commit, or explicitly with ``sluice hydrate --release-rollback``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..core.errors import GitError, InputError
from .git import RefUpdate, Scratch, ls_remote, normalize_remote, redact_url
from .hydrate import (
    NOTES_REF,
    TRAILER_DRY_SHA,
    TRAILER_HELD_AT,
    TRAILER_REFERENCE_REPOURL,
    TRAILER_REFERENCE_SHA,
    TRAILER_ROLLBACK,
    BranchResult,
    _check_branch,
    _Remote,
    is_sluice_message,
    make_identity,
    note_dry_sha,
    note_text,
    trailer_value,
    tip_position,
    transact,
)

__all__ = ["HydratedCommit", "history", "rollback"]

_HEX_RE = re.compile(r"[0-9a-f]{4,64}")


@dataclass(frozen=True)
class HydratedCommit:
    """One commit of a hydrated branch, newest first in :func:`history`.

    ``dry_sha`` is the dry commit whose hydration this commit holds (its
    ``Sluice-dry-sha`` trailer, else -- e.g. for Argo CD's own commits -- the
    note); ``note_dry_sha`` is what the ``refs/notes/hydrator.metadata`` note
    says now (it moves on when later dry commits changed only generated files).
    ``rollback_to`` is set on rollback commits: the hydrated commit restored."""

    sha: str
    dry_sha: str | None
    date: str
    subject: str
    note_dry_sha: str | None = None
    by_sluice: bool = False
    rollback_to: str | None = None
    held_at: str | None = None  # rollbacks: hydrations up to this dry commit leave the branch alone


def _read_log(scratch: Scratch, tip: str, limit: int | None) -> list[HydratedCommit]:
    args = ["log", "--first-parent", "--no-show-signature", f"--notes={NOTES_REF}", "-z"]
    if limit is not None:
        args.append(f"--max-count={limit}")
    # %N is the note; it ends the record (a note cannot contain NUL).
    args += ["--format=%H%x01%cI%x01%s%x01%B%x01%N", tip, "--"]
    out = scratch.git.run(*args).stdout.decode("utf-8", "replace")
    records = []
    for raw in out.split("\0"):
        if not raw.strip():
            continue
        sha, date, subject, message, note = raw.split("\x01", 4)
        noted = note_dry_sha(note.strip())
        # Not Argocd-reference-commit-sha: on other commits it names a *code* commit.
        dry = trailer_value(message, TRAILER_DRY_SHA) or noted
        records.append(
            HydratedCommit(
                sha=sha.strip(),
                dry_sha=dry,
                date=date,
                subject=subject,
                note_dry_sha=noted,
                by_sluice=is_sluice_message(message),
                rollback_to=trailer_value(message, TRAILER_ROLLBACK),
                held_at=trailer_value(message, TRAILER_HELD_AT),
            )
        )
    return records


def history(
    remote: str | Path,
    branch: str,
    limit: int = 20,
    *,
    workdir: Path | None = None,
    config: Sequence[tuple[str, str]] = (),
) -> list[HydratedCommit]:
    """The last ``limit`` first-parent commits of ``branch`` on ``remote``,
    newest first; empty if the branch does not exist. Read-only."""
    branch = _check_branch(branch)
    if limit < 1:
        raise InputError("history limit must be >= 1")
    url = normalize_remote(remote)
    ref = f"refs/heads/{branch}"
    present = ls_remote(url, [ref, NOTES_REF], config=config)
    if ref not in present:
        return []
    object_format = "sha256" if len(present[ref]) == 64 else "sha1"
    with Scratch.create(url, workdir=workdir, object_format=object_format, config=config) as scratch:
        mapping = {ref: "refs/sluice/remote/branch"}
        if NOTES_REF in present:
            mapping[NOTES_REF] = NOTES_REF
        scratch.fetch(mapping, depth=limit)
        tip = scratch.git.out("rev-parse", "refs/sluice/remote/branch")
        return _read_log(scratch, tip, limit)


def _resolve_target(records: Sequence[HydratedCommit], to: str, branch: str) -> tuple[HydratedCommit, str | None]:
    """``to`` is a hydrated commit (full or abbreviated SHA) of the branch, or a
    dry SHA (full or abbreviated): the newest commit that hydrated it (or whose
    note names it). Returns the commit and the dry SHA the rollback restores."""
    needle = to.strip().lower()
    if not _HEX_RE.fullmatch(needle):
        raise InputError(f"rollback target must be a commit SHA (hydrated or dry), got {to!r}")
    by_hydrated = [r for r in records if r.sha.startswith(needle)]
    if len(by_hydrated) == 1:
        return by_hydrated[0], by_hydrated[0].dry_sha
    if len(by_hydrated) > 1:
        raise GitError(f"{to!r} is ambiguous on branch {branch!r}: matches {len(by_hydrated)} commits")
    for attr in ("dry_sha", "note_dry_sha"):
        matches = [r for r in records if r.rollback_to is None and (getattr(r, attr) or "").startswith(needle)]
        dry_shas = sorted({getattr(r, attr) for r in matches})
        if len(dry_shas) > 1:
            raise GitError(f"{to!r} is ambiguous on branch {branch!r}: matches dry commits {dry_shas}")
        if matches:
            return matches[0], dry_shas[0]  # newest first
    raise GitError(f"{to!r} is neither a commit of branch {branch!r} nor a dry commit hydrated into it")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def rollback(
    remote: str | Path,
    branch: str,
    to: str,
    *,
    author_name: str = "sluice",
    author_email: str = "sluice@localhost",
    date: str | None = None,
    max_retries: int = 12,
    workdir: Path | None = None,
    before_push: Callable[[int], None] | None = None,
    config: Sequence[tuple[str, str]] = (),
) -> BranchResult:
    """Make a new commit on ``branch`` whose tree equals the tree of hydrated
    commit ``to`` (a hydrated SHA of that branch, or a dry SHA it hydrated), and
    push it with a lease (forward-only; retried on concurrent writes like
    :func:`~renderer.applier.hydrate.hydrate`). ``date`` (ISO 8601) defaults to
    now. Returns ``changed=False`` when the tip already has that tree."""
    branch = _check_branch(branch)
    if not _HEX_RE.fullmatch(to.strip().lower()):
        raise InputError(f"rollback target must be a commit SHA (hydrated or dry), got {to!r}")
    identity = make_identity(author_name, author_email, date or _now())
    url = normalize_remote(remote)
    ref = f"refs/heads/{branch}"

    def build(scratch: Scratch, state: _Remote) -> tuple[list[RefUpdate], BranchResult]:
        tip = state.tips[ref]
        if tip is None:
            raise GitError(f"branch {branch!r} does not exist on {redact_url(url)}")
        records = _read_log(scratch, tip, None)
        target, dry = _resolve_target(records, to, branch)
        tree = scratch.git.out("rev-parse", f"{target.sha}^{{tree}}")
        if tree == state.trees[ref]:
            return [], BranchResult(branch, tip, tip, changed=False)
        if not dry:
            raise GitError(f"hydrated commit {target.sha[:12]} names no dry SHA; cannot roll back to it")
        held_at = tip_position(scratch, tip).mark or dry
        lines = [
            f"Rollback to {target.sha[:7]} ({target.subject})",
            "",
            f"Restores the tree of hydrated commit {target.sha}",
            f"(previous tip {tip}). Forward-only: no history was rewritten.",
            f"Holds until a dry commit newer than {held_at[:12]} is hydrated",
            "(or `sluice hydrate --release-rollback`).",
            "",
            f"{TRAILER_REFERENCE_SHA}: {dry}",
        ]
        repo_url = trailer_value(scratch.commit_message(target.sha), TRAILER_REFERENCE_REPOURL)
        if repo_url:
            lines.append(f"{TRAILER_REFERENCE_REPOURL}: {repo_url}")
        lines.append(f"{TRAILER_DRY_SHA}: {dry}")
        lines.append(f"{TRAILER_ROLLBACK}: {target.sha}")
        lines.append(f"{TRAILER_HELD_AT}: {held_at}")
        message = "\n".join(lines) + "\n"
        new = scratch.commit_tree(tree, [tip], message, identity)
        scratch.add_note(NOTES_REF, new, note_text(dry), identity)
        notes_new = scratch.git.out("rev-parse", NOTES_REF)
        updates = [RefUpdate(ref, tip, new), RefUpdate(NOTES_REF, state.notes, notes_new)]
        return updates, BranchResult(branch, tip, new, changed=True, note_updated=True)

    payload, _pushed, _attempts = transact(
        url,
        [ref],
        build,
        depth=None,
        max_retries=max_retries,
        workdir=workdir,
        before_push=before_push,
        config=config,
    )
    return payload
