"""Text, markdown and JSON views of a DiffResult, written for reviewers.

A shared change (the same edit in many resources) is printed once with the list of where.
Each resource's diff has a line cap. The markdown view (a pull-request comment) must fit
a size limit: it tries ever shorter layouts (fewer lines per resource, then no diffs, then
one line per cluster) and takes the first that fits. Every cluster keeps its line, and
the closing note counts exactly what was hidden.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .compare import AppDiff, ChangeGroup, ClusterDiff, DiffResult, ResourceChange

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
DEFAULT_MAX_BYTES = 60000
DEFAULT_MAX_LINES = 200  # lines of one resource's diff
MEMBERS_SHOWN = 50  # resources listed under a shared change before "and N more"


@dataclass(frozen=True, slots=True)
class Caps:
    """One markdown layout: how much of each resource and app is shown."""

    resource_lines: int | None  # None: every line
    diffs: bool = True  # False: resources listed by name, no diff
    app_rows: bool = True  # False: one line per cluster (counts), no per-app detail


@dataclass(slots=True)
class Hidden:
    """What a layout left out, counted as it is left out."""

    lines: int = 0  # diff lines cut from resources shown in part
    cut: int = 0  # resources whose diff is shown in part
    omitted: int = 0  # resources whose diff is not shown at all
    omitted_shared: int = 0  # shared changes whose diff is not shown
    folded_apps: int = 0  # apps shown as counts only
    capped_by_user: bool = False
    where: list[str] = field(default_factory=list)

    def any(self) -> bool:
        return bool(self.lines or self.cut or self.omitted or self.omitted_shared or self.folded_apps)

    def describe(self) -> str:
        parts = []
        if self.cut:
            parts.append(f"{self.lines} diff line(s) cut from {self.cut} resource(s)")
        if self.omitted:
            parts.append(f"the diffs of {self.omitted} resource(s) left out")
        if self.omitted_shared:
            parts.append(f"the diffs of {self.omitted_shared} shared change(s) left out")
        if self.folded_apps:
            parts.append(f"{self.folded_apps} app(s) shown as counts only")
        return ", ".join(parts)


def _cap(diff: str, limit: int | None, hidden: Hidden) -> str:
    lines = diff.splitlines(keepends=True)
    if limit is None or len(lines) <= limit:
        return diff
    hidden.lines += len(lines) - limit
    hidden.cut += 1
    return "".join(lines[:limit]) + f"... {len(lines) - limit} more line(s) of this diff not shown\n"


def summary_line(result: DiffResult) -> str:
    if not result.changed:
        return f"no differences between {result.base} and {result.head}"
    apps = sum(len(c.apps) for c in result.clusters)
    shared = f"; {len(result.groups)} change(s) shared by several resources" if result.groups else ""
    return (
        f"{result.base} → {result.head}: {len(result.clusters)} cluster(s), {apps} app(s): "
        f"{result.count(ADDED)} added, {result.count(REMOVED)} removed, {result.count(CHANGED)} changed{shared}"
    )


def _counts(item: ClusterDiff | AppDiff) -> str:
    return f"{item.count(ADDED)} added, {item.count(REMOVED)} removed, {item.count(CHANGED)} changed"


def _group_index(result: DiffResult) -> dict[tuple[str, str, Any], ChangeGroup]:
    return {(m.cluster, m.app_dir, m.key): g for g in result.groups for m in g.members}


def _members(group: ChangeGroup) -> tuple[list[str], int]:
    shown = [str(m) for m in group.members[:MEMBERS_SHOWN]]
    return shown, len(group.members) - len(shown)


# -- text ------------------------------------------------------------------------------------


def report_text(result: DiffResult, *, color: bool = False, max_lines: int | None = DEFAULT_MAX_LINES) -> str:
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
            elif line.startswith(("@@", "... ")):
                yield style(line, fg="cyan")
            else:
                yield line

    hidden = Hidden(capped_by_user=max_lines is not None)
    groups = _group_index(result)
    out: list[str] = [style(f"sluice diff {result.base} → {result.head}", bold=True)]
    if result.filters:
        out.append(f"selected: {' '.join(result.filters)}")
    for cluster in result.clusters:
        out.append(style(f"cluster {cluster.cluster}", bold=True))
        for app in cluster.apps:
            note = "" if app.status == CHANGED else f" ({app.status})"
            out.append(style(f"  app {app.app} ({app.app_dir}){note}", bold=True))
            for change in app.changes:
                colour = {ADDED: "green", REMOVED: "red", CHANGED: "yellow"}[change.status]
                group = groups.get((cluster.cluster, app.app_dir, change.key))
                shared = f"  (shared change #{group.number}, shown once below)" if group else ""
                out.append("    " + style(f"{change.status:8}", fg=colour) + f" {change.key}{shared}")
                out.extend(f"             {keys.describe()}" for keys in change.secret_keys)
            for change in app.changes:
                if (cluster.cluster, app.app_dir, change.key) not in groups:
                    out.extend(diff_lines(_cap(change.diff, max_lines, hidden)))
    for group in result.groups:
        shown, more = _members(group)
        out.append(style(f"shared change #{group.number}, the same in {len(group.members)} resources:", bold=True))
        out.extend(f"    {where}" for where in shown)
        if more:
            out.append(f"    and {more} more")
        out.extend(diff_lines(_cap(group.hunks, max_lines, hidden)))
    if hidden.any():
        out.append(f"capped at {max_lines} lines per diff (--max-lines): {hidden.describe()}")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


# -- json ------------------------------------------------------------------------------------


def report_json(result: DiffResult) -> str:
    """Everything, uncapped: the data other tools (the Action's comment) build on."""
    return json.dumps(result.to_dict(), indent=2) + "\n"


# -- markdown --------------------------------------------------------------------------------


def _fence(diff: str) -> list[str]:
    fence = "```"
    while fence in diff:
        fence += "`"
    return [f"{fence}diff", diff.rstrip("\n"), fence, ""]


def _resource_md(cluster: str, app: AppDiff, change: ResourceChange, caps: Caps, hidden: Hidden,
                 groups: dict[tuple[str, str, Any], ChangeGroup]) -> list[str]:
    keys = "".join(f"\n  - {k.describe()}" for k in change.secret_keys)
    group = groups.get((cluster, app.app_dir, change.key))
    if group is not None:
        return [f"- **{change.status}** `{change.key}`: shared change #{group.number}{keys}", ""]
    if not caps.diffs:
        hidden.omitted += 1
        return [f"- **{change.status}** `{change.key}`{keys}"]
    return [f"- **{change.status}** `{change.key}`{keys}", "", *_fence(_cap(change.diff, caps.resource_lines, hidden))]


def _shared_md(result: DiffResult, caps: Caps, hidden: Hidden) -> list[str]:
    if not result.groups or not caps.app_rows:
        if result.groups and not caps.app_rows:
            hidden.omitted_shared += len(result.groups)
        return []
    out = ["#### Changes shared by several resources", ""]
    for group in result.groups:
        shown, more = _members(group)
        out += [f"<details><summary>Shared change #{group.number}: the same in {len(group.members)} resources</summary>", ""]
        out += [f"- `{where}`" for where in shown]
        if more:
            out.append(f"- and {more} more (each listed under its cluster below)")
        out.append("")
        if caps.diffs:
            out += _fence(_cap(group.hunks, caps.resource_lines, hidden))
        else:
            hidden.omitted_shared += 1
        out += ["</details>", ""]
    return out


def _markdown(result: DiffResult, caps: Caps, hidden: Hidden) -> str:
    out = [f"### sluice diff `{result.base}` → `{result.head}`", ""]
    groups = _group_index(result)
    if result.filters:
        out += [f"Selected: `{' '.join(result.filters)}`", ""]
    if not result.changed:
        return "\n".join([*out, "No differences in the rendered manifests.", ""])
    if caps.app_rows:
        out += ["| cluster | app | added | removed | changed |", "|---|---|---:|---:|---:|"]
        for cluster in result.clusters:
            for app in cluster.apps:
                status = "" if app.status == CHANGED else f" ({app.status})"
                out.append(f"| {cluster.cluster} | {app.app}{status} | {app.count(ADDED)} | {app.count(REMOVED)} | {app.count(CHANGED)} |")
    else:
        out += ["| cluster | apps | added | removed | changed |", "|---|---:|---:|---:|---:|"]
        for cluster in result.clusters:
            out.append(f"| {cluster.cluster} | {len(cluster.apps)} | {cluster.count(ADDED)} | {cluster.count(REMOVED)} | {cluster.count(CHANGED)} |")
            hidden.folded_apps += len(cluster.apps)
            hidden.omitted += sum(1 for a in cluster.apps for ch in a.changes
                                  if (cluster.cluster, a.app_dir, ch.key) not in groups)
    out.append("")
    out += _shared_md(result, caps, hidden)
    if caps.app_rows:
        for cluster in result.clusters:
            out += [f"<details><summary>{cluster.cluster}: {_counts(cluster)}</summary>", ""]
            for app in cluster.apps:
                out += [f"#### {app.app} (`{app.app_dir}`)", ""]
                for change in app.changes:
                    out += _resource_md(cluster.cluster, app, change, caps, hidden, groups)
                out.append("")
            out += ["</details>", ""]
    return "\n".join(out) + "\n"


def _layouts(max_lines: int | None) -> list[Caps]:
    steps = [max_lines, *(n for n in (60, 20) if max_lines is None or n < max_lines)]
    return [*(Caps(n) for n in steps), Caps(None, diffs=False), Caps(None, diffs=False, app_rows=False)]


def report_markdown(result: DiffResult, *, max_bytes: int = DEFAULT_MAX_BYTES,
                    max_lines: int | None = DEFAULT_MAX_LINES) -> str:
    """A pull-request comment under `max_bytes` (UTF-8): the most detailed layout that fits,
    with a note counting what it hides. Clusters are never dropped; only when even one line
    per cluster does not fit is the text cut, and the note says so."""
    note_room = 400
    text, hidden, first = "", Hidden(), True
    for number, caps in enumerate(_layouts(max_lines)):
        hidden = Hidden()
        text = _markdown(result, caps, hidden)
        first = number == 0
        if len(text.encode()) + (note_room if hidden.any() else 0) <= max_bytes:
            break
    if hidden.any():
        why = f"capped at {max_lines} lines per resource" if first else f"fitted to {max_bytes} bytes"
        text += f"\n> Not shown ({why}): {hidden.describe()}. Run `sluice diff` locally for everything.\n"
    encoded = text.encode()
    if len(encoded) > max_bytes:
        tail = f"\n\n> Cut at {max_bytes} bytes: even one line per cluster does not fit. Run `sluice diff` locally.\n"
        text = encoded[: max_bytes - len(tail.encode())].decode("utf-8", "ignore") + tail
    return text
