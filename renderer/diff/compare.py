"""Render two revisions of a dry repository and compare them per cluster / app / resource.

`diff_revisions(repo, base, head)` exports each git revision with `git archive` into a
temporary directory (the user's working tree is never touched; `head=None` renders the
working tree as it is), renders both with `render_repo(write=False)` and compares the
resources of every (cluster, app directory), keyed by (API group, kind, namespace, name).
The result is data (`DiffResult`, frozen dataclasses); `report_text`, `report_markdown`
and `report_json` format it. Render errors of either revision propagate as `SluiceError`.
"""
from __future__ import annotations

import difflib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..fleet.bundle import Bundles
from ..core.errors import GitError, InputError, NothingFound
from ..core.resource import split_api_version
from ..core.resource import as_map as _map

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
                            "resources": [
                                {
                                    "group": r.key.group, "kind": r.key.kind, "namespace": r.key.namespace,
                                    "name": r.key.name, "status": r.status, "diff": r.diff,
                                }
                                for r in a.changes
                            ],
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


def compare_bundles(base: Bundles, head: Bundles, *, base_label: str = "base", head_label: str = "head") -> DiffResult:
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
            if key not in o_res:
                changes.append(ResourceChange(key, ADDED, _unified("", _dump(n_res[key]), label)))
            elif key not in n_res:
                changes.append(ResourceChange(key, REMOVED, _unified(_dump(o_res[key]), "", label)))
            elif o_res[key] != n_res[key]:
                old_text, new_text = _dump(o_res[key]), _dump(n_res[key])
                if old_text != new_text:
                    changes.append(ResourceChange(key, CHANGED, _unified(old_text, new_text, label)))
        status = ADDED if o is None else REMOVED if n is None else CHANGED
        if changes or status != CHANGED:
            app_name = (n or o)[0]  # type: ignore[index]
            per_cluster.setdefault(cluster, []).append(AppDiff(cluster, app_name, app_dir, status, tuple(changes)))
    clusters = tuple(ClusterDiff(c, tuple(apps)) for c, apps in sorted(per_cluster.items()))
    return DiffResult(base=base_label, head=head_label, clusters=clusters)


# -- revisions -------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> bytes:
    from ..applier.git import run_git

    return run_git(list(args), cwd=repo).stdout


def git_toplevel(path: Path) -> tuple[Path, str]:
    """(work tree root, prefix of `path` inside it, '' or 'a/b/') of the repository holding `path`."""
    try:
        top = _git(path, "rev-parse", "--show-toplevel").decode().strip()
        prefix = _git(path, "rev-parse", "--show-prefix").decode().strip()
    except GitError as exc:
        raise InputError(f"{path} is not inside a git work tree: sluice diff compares git revisions ({exc.message})") from None
    return Path(top), prefix


def resolve_revision(repo: Path, ref: str) -> str:
    from ..applier.git import run_git

    res = run_git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd=repo, check=False)
    if res.returncode != 0 or not res.stdout.strip():
        raise InputError(f"unknown git revision {ref!r} in {repo}; fetch it or name an existing branch, tag or commit")
    return res.stdout.decode().strip()


def _unborn(repo: Path) -> bool:
    """Whether HEAD names no commit (a repository before its first commit)."""
    from ..applier.git import run_git

    return run_git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=repo, check=False).returncode != 0


def export_revision(repo: Path, sha: str, prefix: str, dest: Path) -> Path:
    """Write the tree of `sha` (below `prefix`) into `dest` with `git archive`; returns the dry root."""
    treeish = f"{sha}:{prefix.rstrip('/')}" if prefix else sha
    data = _git(repo, "archive", "--format=tar", treeish)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        tar.extractall(dest, filter="data")
    return dest


def render_tree(root: Path, sha: str | None = None, **options: Any) -> Bundles:
    """One revision's bundles; `options` go to render_repo (chart cache, repositories, ...)."""
    from ..fleet.pipeline import render_repo

    return render_repo(root, write=False, dry_sha=sha, **options)


def diff_revisions(
    repo: str | os.PathLike[str],
    base: str,
    head: str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> DiffResult:
    """Render `base` and `head` (None: the working tree) of the dry repository at `repo`
    and compare them. The dry repository may be a subdirectory of the git work tree.
    `options` go to every render (chart_cache, repositories, helm_releases); relative
    `repositories` paths stay relative to the repository, not to the exported trees."""
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
                base_bundles = render_tree(export_revision(top, base_sha, prefix, Path(tmp) / "base"), base_sha, **options)
            except NothingFound:
                base_bundles = Bundles(apps=())  # the base predates the fleet: everything is added
        if progress:
            progress(f"rendering {head or 'working tree'}")
        if head_sha is None:
            head_bundles = render_tree(path, **options)
        else:
            head_bundles = render_tree(export_revision(top, head_sha, prefix, Path(tmp) / "head"), head_sha, **options)
    return compare_bundles(base_bundles, head_bundles, base_label=base, head_label=head or "working tree")


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
                piece = f"- **{change.status}** `{change.key}`\n\n```diff\n{change.diff}```\n"
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
