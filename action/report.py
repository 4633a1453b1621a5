"""The pull-request report (comment and job summary) built from sluice's JSON outputs.

GitHub refuses a comment over 65,536 characters, so the report is laid out to fit by
design: each resource diff has a cap, then each app, then apps fold to one line each,
then clusters to their counts; every cluster keeps its line and every hidden item is
counted. What was left out is in the full report (uploaded as an artifact, linked).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COMMENT_LIMIT = 65536
FENCE = "````"


@dataclass(frozen=True)
class Caps:
    resource_lines: int | None  # lines of one resource's diff (None: all)
    app_chars: int | None  # characters of one app's diffs before the rest are listed by name
    app_diffs: bool = True  # False: one line per app, no diff
    cluster_apps: bool = True  # False: one line per cluster
    findings: int | None = None  # rows of the findings table


FULL = Caps(None, None)
LEVELS = (
    Caps(120, 16000, findings=200),
    Caps(40, 6000, findings=100),
    Caps(15, 2000, findings=50),
    Caps(None, None, app_diffs=False, findings=30),
    Caps(None, None, app_diffs=False, cluster_apps=False, findings=10),
)


@dataclass(frozen=True)
class Inputs:
    job: str
    verify: dict[str, Any] | None = None  # `sluice verify --output json`
    verify_error: str | None = None  # what sluice said on stderr when verify could not render
    diff: dict[str, Any] | None = None  # `sluice diff --output json`
    diff_error: str | None = None
    full_report_url: str | None = None
    fleet_report_url: str | None = None  # the `sluice report` site, uploaded as an artifact


def marker(job: str) -> str:
    """The hidden line that finds this job's comment again on the next push."""
    return f"<!-- sluice-report: {job} -->"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _where(f: dict[str, Any]) -> str:
    line = f.get("line") or 0
    return f"`{_cell(f.get('file') or '')}{':' + str(line) if line else ''}`"


def _error_block(title: str, text: str) -> list[str]:
    lines = text.strip().splitlines()[-40:]
    return [f"**{title}**", "", FENCE + "text", *lines, FENCE, ""]


def _verify(inputs: Inputs, caps: Caps) -> list[str]:
    out = ["### verify", ""]
    if inputs.verify_error is not None:
        return out + _error_block(":x: sluice verify could not render the fleet", inputs.verify_error)
    if inputs.verify is None:
        return out + ["verify did not run.", ""]
    v = inputs.verify
    s = v.get("summary") or {}
    icon = ":white_check_mark:" if v.get("ok") else ":x:"
    out += [f"{icon} {s.get('targets', 0)} target(s) checked: **{s.get('errors', 0)} error(s)**, {s.get('warnings', 0)} warning(s)", ""]
    findings = list(v.get("findings") or [])
    for severity, opened in (("error", " open"), ("warning", "")):
        rows = [f for f in findings if f.get("severity") == severity]
        if not rows:
            continue
        shown = rows if caps.findings is None else rows[: caps.findings]
        out += [f"<details{opened}><summary>{len(rows)} {severity}(s)</summary>", "",
                "| check | cluster/app | resource | source | message |", "|---|---|---|---|---|"]
        for f in shown:
            out.append(f"| {_cell(f.get('check'))} | {_cell(f.get('cluster'))}/{_cell(f.get('app'))} | {_cell(f.get('resource'))} | {_where(f)} | {_cell(f.get('message'))} |")
        if len(shown) < len(rows):
            out += ["", f"{len(rows) - len(shown)} more {severity}(s) not shown: see the full report."]
        out += ["", "</details>", ""]
    notes = list(v.get("notes") or [])
    if notes:
        out += [f"<details><summary>{len(notes)} note(s)</summary>", ""]
        out += [f"- {_cell(n)}" for n in notes] + ["", "</details>", ""]
    return out


def _label(r: dict[str, Any]) -> str:
    kind = f"{r.get('kind')}.{r.get('group')}" if r.get("group") else str(r.get("kind"))
    ns = r.get("namespace")
    return f"{kind} {ns + '/' if ns else ''}{r.get('name')}"


def _counts(items: list[dict[str, Any]]) -> str:
    parts = []
    for status, sign in (("added", "+"), ("removed", "-"), ("changed", "~")):
        n = sum(1 for r in items if r.get("status") == status)
        if n:
            parts.append(f"{sign}{n} {status}")
    return ", ".join(parts) or "no resource changes"


def _resource(r: dict[str, Any], caps: Caps) -> str:
    lines = str(r.get("diff") or "").rstrip("\n").splitlines()
    hidden = 0
    if caps.resource_lines is not None and len(lines) > caps.resource_lines:
        hidden = len(lines) - caps.resource_lines
        lines = lines[: caps.resource_lines]
    text = "\n".join([f"**{r.get('status')}** `{_cell(_label(r))}`", "", FENCE + "diff", *lines, FENCE])
    if hidden:
        text += f"\n\n{hidden} more line(s) of this diff not shown: see the full report."
    return text + "\n"


def _app(cluster: str, app: dict[str, Any], caps: Caps) -> list[str]:
    resources = list(app.get("resources") or [])
    head = f"`{_cell(app.get('app'))}` ({app.get('status')}: {_counts(resources)})"
    if not caps.app_diffs:
        return [f"- {head}"]
    out = [f"<details><summary>{head}</summary>", ""]
    used, hidden = 0, []
    for r in resources:
        block = _resource(r, caps)
        if caps.app_chars is not None and used + len(block) > caps.app_chars:
            hidden.append(r)
            continue
        used += len(block)
        out.append(block)
    if hidden:
        names = ", ".join(f"`{_cell(_label(r))}` ({r.get('status')})" for r in hidden[:50])
        more = f" and {len(hidden) - 50} more" if len(hidden) > 50 else ""
        out.append(f"{len(hidden)} more resource(s) of this app not shown: {names}{more}. See the full report.\n")
    return out + ["</details>", ""]


def _diff(inputs: Inputs, caps: Caps) -> list[str]:
    out = ["### diff", ""]
    if inputs.diff_error is not None:
        return out + _error_block(":x: sluice diff failed", inputs.diff_error)
    if inputs.diff is None:
        return out + ["diff did not run.", ""]
    d = inputs.diff
    s = d.get("summary") or {}
    clusters = list(d.get("clusters") or [])
    out += [f"`{_cell(d.get('base'))}` → `{_cell(d.get('head'))}`: "
            f"+{s.get('added', 0)} added, -{s.get('removed', 0)} removed, ~{s.get('changed', 0)} changed "
            f"in {len(clusters)} cluster(s)", ""]
    if not clusters:
        return out + ["No rendered change.", ""]
    for c in clusters:
        apps = list(c.get("apps") or [])
        every = [r for a in apps for r in (a.get("resources") or [])]
        out.append(f"#### cluster `{_cell(c.get('cluster'))}`: {len(apps)} app(s), {_counts(every)}")
        out.append("")
        if caps.cluster_apps:
            for a in apps:
                out += _app(str(c.get("cluster")), a, caps)
            out.append("")
    return out


def _status(inputs: Inputs) -> str:
    if inputs.verify_error is not None or inputs.diff_error is not None:
        return ":x: render error"
    if inputs.verify is not None and not inputs.verify.get("ok"):
        return ":x: verify found errors"
    return ":white_check_mark: ok"


def render(inputs: Inputs, caps: Caps = FULL, *, note: str | None = None) -> str:
    out = [marker(inputs.job), f"## sluice `{_cell(inputs.job)}`: {_status(inputs)}", ""]
    if note:
        out += [f"> {note}", ""]
    if inputs.fleet_report_url:
        out += [f":bar_chart: [Fleet report]({inputs.fleet_report_url}): what runs where, versions per cluster and "
                "this change, as a static site (download the artifact, open `index.html`).", ""]
    out += _verify(inputs, caps) + _diff(inputs, caps)
    if caps is not FULL:
        where = f"[the full report]({inputs.full_report_url})" if inputs.full_report_url else "the full report (this run's artifacts)"
        out.append(f"<sub>Long diffs are capped to fit a comment; {where} has everything.</sub>")
    return "\n".join(out).rstrip("\n") + "\n"


def fit(inputs: Inputs, limit: int = COMMENT_LIMIT, *, note: str | None = None) -> str:
    """The most detailed layout under `limit` characters; never cut mid-way but as a last resort."""
    text = ""
    for caps in LEVELS:
        text = render(inputs, caps, note=note)
        if len(text) <= limit:
            return text
    tail = "\n\n(cut to fit a comment: see the full report)\n"
    return text[: limit - len(tail)] + tail
