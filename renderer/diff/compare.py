"""Render two revisions of a dry repository and compare them per cluster / app / resource.

`diff_revisions(repo, base, head)` writes each git revision's tree and blob objects into a
private temporary directory (renderer/revision_tree.py: no `git archive`, so no
attributes, filters or hooks; the user's working tree is never touched; `head=None`
renders the working tree as it is), renders both with `render_repo(write=False)` and
compares the resources of every (cluster, app directory), keyed by (API group, kind,
namespace, name). Secret values are replaced by placeholders before anything is
formatted, unless the caller asks to show them (renderer/secret_redact.py). The result is
data (`DiffResult`, frozen dataclasses); `report_text`, `report_markdown` and
`report_json` format it. Render errors of either revision propagate as `SluiceError`,
naming the revision.
"""
from __future__ import annotations

import difflib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

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
class DiffResult:
    base: str  # the revisions as given (head "working tree" when None)
    head: str
    clusters: tuple[ClusterDiff, ...]  # only clusters with differences, sorted

    @property
    def changed(self) -> bool:
        return bool(self.clusters)

    def count(self, status: str) -> int:
        return sum(c.count(status) for c in self.clusters)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "summary": {s: self.count(s) for s in (ADDED, REMOVED, CHANGED)},
            "clusters": [
                {
                    "cluster": c.cluster,
                    "apps": [
                        {
                            "app": a.app,
                            "appDir": a.app_dir,
                            "status": a.status,
                            "resources": [r.to_dict() for r in a.changes],
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


def _unified(old: str, new: str, label: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=f"a/{label}", tofile=f"b/{label}", n=3,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


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
                    show_secrets: bool = False) -> DiffResult:
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
    clusters = tuple(ClusterDiff(c, tuple(apps)) for c, apps in sorted(per_cluster.items()))
    return DiffResult(base=base_label, head=head_label, clusters=clusters)


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


def _render_revision(top: Path, sha: str, prefix: str, dest: Path, label: str, **options: Any) -> Bundles:
    try:
        return render_tree(materialise(top, sha, prefix, dest), sha, **options)
    except SluiceError as exc:
        raise type(exc)(f"{exc.message} (in revision {label}, {sha[:12]})", file=exc.file, line=exc.line) from None


def diff_revisions(
    repo: str | os.PathLike[str],
    base: str,
    head: str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    show_secrets: bool = False,
    **options: Any,
) -> DiffResult:
    """Render `base` and `head` (None: the working tree) of the dry repository at `repo`
    and compare them. The dry repository may be a subdirectory of the git work tree.
    `options` go to every render (chart_cache, repositories, helm_releases); relative
    `repositories` paths stay relative to the repository, not to the materialised trees.
    Secret values are redacted unless `show_secrets`."""
    path = Path(repo).resolve()
    options = {"checkouts_root": path, **options}
    if not path.is_dir():
        raise InputError(f"repository directory not found: {repo}")
    top, prefix = git_toplevel(path)
    # a repository's first commit: HEAD names no commit yet, so the base is empty
    base_sha = None if base == "HEAD" and _unborn(top) else resolve_revision(top, base)
    head_sha = resolve_revision(top, head) if head is not None else None
    with tempfile.TemporaryDirectory(prefix="sluice-diff-") as tmp:
        if progress:
            progress(f"rendering {base}")
        if base_sha is None:
            base_bundles = Bundles(apps=())
        else:
            try:
                base_bundles = _render_revision(top, base_sha, prefix, Path(tmp) / "base", base, **options)
            except NothingFound:
                base_bundles = Bundles(apps=())  # the base predates the fleet: everything is added
        if progress:
            progress(f"rendering {head or 'working tree'}")
        if head_sha is None:
            head_bundles = render_tree(path, **options)
        else:
            head_bundles = _render_revision(top, head_sha, prefix, Path(tmp) / "head", head or "", **options)
    return compare_bundles(base_bundles, head_bundles, base_label=base, head_label=head or "working tree",
                           show_secrets=show_secrets)


# -- reporters -------------------------------------------------------------------------------


def _summary_line(result: DiffResult) -> str:
    if not result.changed:
        return f"no differences between {result.base} and {result.head}"
    apps = sum(len(c.apps) for c in result.clusters)
    return (
        f"{result.base}..{result.head}: {len(result.clusters)} cluster(s), {apps} app(s): "
        f"{result.count(ADDED)} added, {result.count(REMOVED)} removed, {result.count(CHANGED)} changed"
    )


def report_text(result: DiffResult, *, color: bool = False) -> str:
    def style(text: str, **kw: Any) -> str:
        if not color:
            return text
        import click

        return click.style(text, **kw)

    def diff_lines(text: str) -> Iterable[str]:
        for line in text.splitlines():
            if line.startswith(("+++", "---")):
                yield style(line, bold=True)
            elif line.startswith("+"):
                yield style(line, fg="green")
            elif line.startswith("-"):
                yield style(line, fg="red")
            elif line.startswith("@@"):
                yield style(line, fg="cyan")
            else:
                yield line

    out: list[str] = []
    for cluster in result.clusters:
        out.append(style(f"cluster {cluster.cluster}", bold=True))
        for app in cluster.apps:
            note = "" if app.status == CHANGED else f" ({app.status})"
            out.append(style(f"  app {app.app} ({app.app_dir}){note}", bold=True))
            for change in app.changes:
                colour = {ADDED: "green", REMOVED: "red", CHANGED: "yellow"}[change.status]
                out.append("    " + style(f"{change.status:8}", fg=colour) + f" {change.key}")
                out.extend(f"             {keys.describe()}" for keys in change.secret_keys)
            for change in app.changes:
                out.extend(diff_lines(change.diff))
    out.append(_summary_line(result))
    return "\n".join(out) + "\n"


def report_json(result: DiffResult) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"


def report_markdown(result: DiffResult, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A pull-request comment: a summary table, then a `<details>` block per cluster;
    diffs that would exceed `max_bytes` are left out, with a note of what was cut."""
    head = [f"### sluice diff `{result.base}` → `{result.head}`", ""]
    if not result.changed:
        return "\n".join([*head, "No differences in the rendered manifests.", ""])
    head += ["| cluster | app | added | removed | changed |", "|---|---|---:|---:|---:|"]
    for cluster in result.clusters:
        for app in cluster.apps:
            status = "" if app.status == CHANGED else f" ({app.status})"
            head.append(f"| {cluster.cluster} | {app.app}{status} | {app.count(ADDED)} | {app.count(REMOVED)} | {app.count(CHANGED)} |")
    head.append("")
    text = "\n".join(head) + "\n"
    cut: list[str] = []
    budget_note = 400  # room for the note on what was cut
    for cluster in result.clusters:
        block = [f"<details><summary>{cluster.cluster}: {cluster.count(ADDED)} added, {cluster.count(REMOVED)} removed, {cluster.count(CHANGED)} changed</summary>", ""]
        for app in cluster.apps:
            block.append(f"#### {app.app} (`{app.app_dir}`)")
            block.append("")
            for change in app.changes:
                keys = "".join(f"\n  - {k.describe()}" for k in change.secret_keys)
                piece = f"- **{change.status}** `{change.key}`{keys}\n\n```diff\n{change.diff}```\n"
                size = len("\n".join(block).encode()) + len(piece.encode())
                if len(text.encode()) + size + budget_note > max_bytes:
                    cut.append(f"{cluster.cluster}/{app.app_dir}: {change.key}")
                    block.append(f"- **{change.status}** `{change.key}` (diff cut: comment size limit)")
                else:
                    block.append(piece)
        block += ["</details>", ""]
        chunk = "\n".join(block) + "\n"
        if len(text.encode()) + len(chunk.encode()) + budget_note > max_bytes:
            cut.append(f"cluster {cluster.cluster} (whole block)")
            continue
        text += chunk
    if cut:
        shown = ", ".join(cut[:10]) + (f" and {len(cut) - 10} more" if len(cut) > 10 else "")
        note = f"\n> Output cut at {max_bytes} bytes: {len(cut)} item(s) not shown: {shown}. Run `sluice diff` locally for everything.\n"
        text += note
        encoded = text.encode()
        if len(encoded) > max_bytes:
            text = encoded[: max_bytes].decode("utf-8", "ignore")
    return text
