"""Render two revisions of a dry repository and compare them per cluster / app / resource.

`diff_revisions(repo, base, head)` writes each git revision's tree and blob objects into a
private temporary directory (renderer/revision_tree.py: no `git archive`, so no
attributes, filters or hooks; the user's working tree is never touched; `head=None`
renders the working tree as it is), renders both with `render_repo(write=False)` and
compares the resources of every (cluster, app directory), keyed by (API group, kind,
namespace, name). Secret values are replaced by placeholders before anything is
formatted, unless the caller asks to show them (renderer/secret_redact.py). The result is
data (`DiffResult`, frozen dataclasses); renderer/diff/reporters.py formats it. Both sides
are labelled alike (`REF (short SHA)`); a render error of either side propagates as
`SluiceError` saying which side failed. `select` narrows both renders to some clusters
and apps before anything is rendered.
"""
from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..core.errors import InputError, NothingFound, SluiceError
from ..core.gitobjects import git_toplevel, resolve_commit, run as run_git
from ..core.resource import as_map as _map
from ..core.resource import split_api_version
from ..core.revision_tree import materialise
from ..core.secret_redact import SecretKeys, redact_pair
from ..fleet.bundle import Bundles

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
DEFAULT_MAX_BYTES = 60000


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class ResourceKey:
    group: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, body: dict[str, Any]) -> ResourceKey:
        meta = _map(body.get("metadata"))
        group = split_api_version(str(body.get("apiVersion") or ""))[0]
        return cls(group, str(body.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or ""))

    def __str__(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind} {self.namespace + '/' if self.namespace else ''}{self.name}"


@dataclass(frozen=True, slots=True)
class ResourceChange:
    key: ResourceKey
    status: str  # added | removed | changed
    diff: str  # unified diff of the YAML (the whole document for added/removed)
    secret_keys: tuple[SecretKeys, ...] = ()  # for Secrets (also inside a List): keys added/removed/changed

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "group": self.key.group, "kind": self.key.kind, "namespace": self.key.namespace,
            "name": self.key.name, "status": self.status, "diff": self.diff,
        }
        if self.secret_keys:
            out["secretKeys"] = [k.to_dict() for k in self.secret_keys]
        return out


@dataclass(frozen=True, slots=True)
class AppDiff:
    cluster: str
    app: str
    app_dir: str
    status: str  # added | removed | changed (app present on both sides)
    changes: tuple[ResourceChange, ...]

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)


@dataclass(frozen=True, slots=True)
class ClusterDiff:
    cluster: str
    apps: tuple[AppDiff, ...]

    def count(self, status: str) -> int:
        return sum(a.count(status) for a in self.apps)


@dataclass(frozen=True, slots=True)
class Revision:
    """One side of a diff: the ref as the user gave it and the commit it named (None for
    an empty base, or for the working tree of a repository without commits)."""

    ref: str
    sha: str | None = None
    worktree: bool = False  # the working tree as it is, on top of `sha`

    @property
    def label(self) -> str:
        """`main (1a2b3c4)`, `working tree (on 1a2b3c4)`: both sides read the same way."""
        if self.sha is None:
            return f"{self.ref} (no commit)" if not self.worktree else self.ref
        return f"{self.ref} ({'on ' if self.worktree else ''}{self.sha[:7]})"

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "sha": self.sha, "label": self.label, "workingTree": self.worktree}


@dataclass(frozen=True, slots=True)
class Where:
    """A resource a shared change was seen in."""

    cluster: str
    app: str
    app_dir: str
    key: ResourceKey

    def __str__(self) -> str:
        return f"{self.cluster}/{self.app_dir}: {self.key}"

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "app": self.app, "appDir": self.app_dir, "group": self.key.group,
                "kind": self.key.kind, "namespace": self.key.namespace, "name": self.key.name}


@dataclass(frozen=True, slots=True)
class ChangeGroup:
    """The same edit (the same lines removed and added) in several resources: shown once,
    with the list of where. `hunks` is the first member's diff without its file header."""

    number: int  # 1-based, in order of first appearance
    hunks: str
    members: tuple[Where, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.number, "diff": self.hunks, "resources": [m.to_dict() for m in self.members]}


@dataclass(frozen=True, slots=True)
class DiffResult:
    base: str  # labels: `REF (short SHA)` (see Revision.label)
    head: str
    clusters: tuple[ClusterDiff, ...]  # only clusters with differences, sorted
    groups: tuple[ChangeGroup, ...] = ()  # changes shared by several resources
    base_revision: Revision | None = None
    head_revision: Revision | None = None
    filters: tuple[str, ...] = ()  # the --cluster/--app selection, as given, for the reports

    def group_of(self, cluster: str, app_dir: str, key: ResourceKey) -> ChangeGroup | None:
        for group in self.groups:
            if any(m.cluster == cluster and m.app_dir == app_dir and m.key == key for m in group.members):
                return group
        return None

    @property
    def changed(self) -> bool:
        return bool(self.clusters)

    def count(self, status: str) -> int:
        return sum(c.count(status) for c in self.clusters)

    def to_dict(self) -> dict[str, Any]:
        where = {(m.cluster, m.app_dir, m.key): g.number for g in self.groups for m in g.members}

        def resource(cluster: str, app_dir: str, r: ResourceChange) -> dict[str, Any]:
            out = r.to_dict()
            if (cluster, app_dir, r.key) in where:
                out["sharedChange"] = where[(cluster, app_dir, r.key)]
            return out

        return {
            "base": self.base,
            "head": self.head,
            "baseRevision": self.base_revision.to_dict() if self.base_revision else None,
            "headRevision": self.head_revision.to_dict() if self.head_revision else None,
            "filters": list(self.filters),
            "summary": {s: self.count(s) for s in (ADDED, REMOVED, CHANGED)},
            "sharedChanges": [g.to_dict() for g in self.groups],
            "clusters": [
                {
                    "cluster": c.cluster,
                    "apps": [
                        {
                            "app": a.app,
                            "appDir": a.app_dir,
                            "status": a.status,
                            "resources": [resource(c.cluster, a.app_dir, r) for r in a.changes],
                        }
                        for a in c.apps
                    ],
                }
                for c in self.clusters
            ],
        }


# -- comparing -------------------------------------------------------------------------------


def _dump(body: dict[str, Any]) -> str:
    from ..core.yaml import dump_document

    return dump_document(body)


DIFFLIB_LINES = 2000
"""Above this many lines on either side git's diff computes the hunks: difflib's matcher
takes minutes on a 20,000-line resource changed every other line (a pull request can make
one), git's xdiff milliseconds."""


def _unified(old: str, new: str, label: str) -> str:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(a) > DIFFLIB_LINES or len(b) > DIFFLIB_LINES:
        return _git_unified(old, new, label)
    lines = difflib.unified_diff(a, b, fromfile=f"a/{label}", tofile=f"b/{label}", n=3)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _git_unified(old: str, new: str, label: str) -> str:
    """The same unified diff (3 lines of context, difflib's headers) from `git diff
    --no-index` over two temporary files, with git's sanitised environment."""
    with tempfile.TemporaryDirectory(prefix="sluice-diff-") as tmp:
        paths = []
        for name, text in (("a", old), ("b", new)):
            path = os.path.join(tmp, name)
            with open(path, "wb") as fh:
                fh.write(text.encode("utf-8", "surrogateescape"))
            paths.append(name)
        proc = run_git(Path(tmp), ["diff", "--no-index", "--no-color", "--no-ext-diff", "--no-textconv", "-U3",
                                   "--diff-algorithm=myers", "--", *paths], check=False)
    if proc.returncode not in (0, 1):
        raise InputError(f"{label}: cannot compare: {proc.stderr.decode('utf-8', 'replace').strip()}")
    out = proc.stdout.decode("utf-8", "surrogateescape")
    start = out.find("\n@@")
    if start < 0:
        return ""
    return f"--- a/{label}\n+++ b/{label}\n" + out[start + 1:]


def _resources(bundles: Bundles) -> dict[tuple[str, str], tuple[str, dict[ResourceKey, dict[str, Any]]]]:
    out: dict[tuple[str, str], tuple[str, dict[ResourceKey, dict[str, Any]]]] = {}
    for app in bundles.apps:
        out[(app.cluster, app.app_dir)] = (app.app, {ResourceKey.of(body): body for body in app.resources})
    return out


def _change(key: ResourceKey, label: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
            show_secrets: bool) -> ResourceChange | None:
    """The change of one resource, None when both sides print the same; Secret values are
    replaced by placeholders unless `show_secrets` (which keys changed is known either way)."""
    old_text, new_text = (_dump(old) if old is not None else ""), (_dump(new) if new is not None else "")
    if old_text == new_text:
        return None
    shown_old, shown_new, keys = redact_pair(old, new)
    if not show_secrets:
        old_text = _dump(shown_old) if shown_old is not None else ""
        new_text = _dump(shown_new) if shown_new is not None else ""
    status = ADDED if old is None else REMOVED if new is None else CHANGED
    return ResourceChange(key, status, _unified(old_text, new_text, label), keys)


def compare_bundles(base: Bundles, head: Bundles, *, base_label: str = "base", head_label: str = "head",
                    show_secrets: bool = False, base_revision: Revision | None = None,
                    head_revision: Revision | None = None, filters: tuple[str, ...] = ()) -> DiffResult:
    """Compare two rendered fleets: per cluster, per app directory, per resource."""
    old, new = _resources(base), _resources(head)
    per_cluster: dict[str, list[AppDiff]] = {}
    for cluster, app_dir in sorted(set(old) | set(new)):
        o = old.get((cluster, app_dir))
        n = new.get((cluster, app_dir))
        o_res = o[1] if o else {}
        n_res = n[1] if n else {}
        changes: list[ResourceChange] = []
        for key in sorted(set(o_res) | set(n_res)):
            label = f"{cluster}/{app_dir}/{key.kind}/{(key.namespace + '/') if key.namespace else ''}{key.name}"
            old_body, new_body = o_res.get(key), n_res.get(key)
            if old_body is not None and new_body is not None and old_body == new_body:
                continue
            change = _change(key, label, old_body, new_body, show_secrets)
            if change is not None:
                changes.append(change)
        status = ADDED if o is None else REMOVED if n is None else CHANGED
        if changes or status != CHANGED:
            app_name = (n or o)[0]  # type: ignore[index]
            per_cluster.setdefault(cluster, []).append(AppDiff(cluster, app_name, app_dir, status, tuple(changes)))
    from .groups import shared_changes

    clusters = tuple(ClusterDiff(c, tuple(apps)) for c, apps in sorted(per_cluster.items()))
    return DiffResult(base=base_label, head=head_label, clusters=clusters, groups=shared_changes(clusters),
                      base_revision=base_revision, head_revision=head_revision, filters=filters)


# -- revisions -------------------------------------------------------------------------------


def resolve_revision(repo: Path, ref: str) -> str:
    return resolve_commit(repo, ref)


def _unborn(repo: Path) -> bool:
    """Whether HEAD names no commit (a repository before its first commit)."""
    return run_git(repo, ["rev-parse", "--verify", "--quiet", "HEAD"], check=False).returncode != 0


def render_tree(root: Path, sha: str | None = None, **options: Any) -> Bundles:
    """One revision's bundles; `options` go to render_repo (chart cache, repositories, ...)."""
    from ..fleet.pipeline import render_repo

    # diff writes nothing: plaintext Secrets are shown redacted, not refused (verify reports them)
    return render_repo(root, write=False, dry_sha=sha, allow_plaintext_secrets=True, **options)


def _side_error(exc: SluiceError, side: str, revision: Revision) -> SluiceError:
    """The same error, saying which side of the diff failed to render."""
    return type(exc)(f"{exc.message} (rendering the {side}, {revision.label})", file=exc.file, line=exc.line)


def _render_side(side: str, revision: Revision, render: Callable[[], Bundles], *, empty_ok: bool) -> Bundles:
    try:
        return render()
    except NothingFound:
        if empty_ok:
            return Bundles(apps=())  # the base predates the fleet (or the selection): everything is added
        raise
    except SluiceError as exc:
        raise _side_error(exc, side, revision) from None


def _resolve(top: Path, side: str, ref: str) -> str:
    try:
        return resolve_revision(top, ref)
    except SluiceError as exc:
        raise type(exc)(f"--{side} {ref}: {exc.message}", file=exc.file, line=exc.line) from None


def diff_revisions(
    repo: str | os.PathLike[str],
    base: str,
    head: str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    show_secrets: bool = False,
    select: Any = None,
    **options: Any,
) -> DiffResult:
    """Render `base` and `head` (None: the working tree) of the dry repository at `repo`
    and compare them. The dry repository may be a subdirectory of the git work tree.
    `options` go to every render (chart_cache, repositories, helm_releases); relative
    `repositories` paths stay relative to the repository, not to the materialised trees.
    `select` (a fleet.select.TargetFilter) narrows both renders. Secret values are
    redacted unless `show_secrets`."""
    path = Path(repo).resolve()
    options = {"checkouts_root": path, "select": select, **options}
    if not path.is_dir():
        raise InputError(f"repository directory not found: {repo}")
    top, prefix = git_toplevel(path)
    unborn = _unborn(top)
    # a repository's first commit: HEAD names no commit yet, so the base is empty
    base_sha = None if base == "HEAD" and unborn else _resolve(top, "base", base)
    head_sha = _resolve(top, "head", head) if head is not None else (None if unborn else resolve_revision(top, "HEAD"))
    base_rev = Revision(base, base_sha)
    head_rev = Revision(head, head_sha) if head is not None else Revision("working tree", head_sha, worktree=True)
    with tempfile.TemporaryDirectory(prefix="sluice-diff-") as tmp:
        if progress:
            progress(f"rendering the base, {base_rev.label}")
        if base_sha is None:
            base_bundles = Bundles(apps=())
        else:
            sha = base_sha
            base_bundles = _render_side("base", base_rev, lambda: render_tree(
                materialise(top, sha, prefix, Path(tmp) / "base"), sha, **options), empty_ok=True)
        if progress:
            progress(f"rendering the head, {head_rev.label}")
        if head is None:
            head_bundles = _render_side("head", head_rev, lambda: render_tree(path, **options), empty_ok=False)
        else:
            sha_h = str(head_sha)
            head_bundles = _render_side("head", head_rev, lambda: render_tree(
                materialise(top, sha_h, prefix, Path(tmp) / "head"), sha_h, **options), empty_ok=False)
    return compare_bundles(base_bundles, head_bundles, base_label=base_rev.label, head_label=head_rev.label,
                           show_secrets=show_secrets, base_revision=base_rev, head_revision=head_rev,
                           filters=select.describe() if select is not None else ())


# -- reporters (renderer/diff/reporters.py; imported here for the callers that know this module)

from .reporters import report_json, report_markdown, report_text  # noqa: E402

__all__ = ["ADDED", "CHANGED", "REMOVED", "ChangeGroup", "DiffResult", "Revision", "compare_bundles", "diff_revisions",
           "report_json", "report_markdown", "report_text"]
