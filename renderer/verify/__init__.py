"""`sluice verify`: render the fleet and check every resource, collecting all findings.

Checks: the secret-leak guard (`secrets.py`), Argo CD AppProject policy (`policy.py`) and
schema validation (`schemas.py`). `verify_repo` returns a `VerifyResult` (frozen data);
`report_text`/`report_json`/`report_markdown` format it. With `changed=True` only the
targets whose recorded input files changed against HEAD are rendered and checked
(`changed.py`). Render errors propagate as `SluiceError` (exit 2 at the CLI).
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..fleet.bundle import AppBundle
from ..fleet.discover import FleetPlan, Target, discover
from ..fleet.config import load_config
from ..core.fs import RepoFS
from ..fleet.pipeline import ScopeTable, render_plan
from ..core.resource import Origin, split_api_version
from .policy import Project, destination_permitted, kind_permitted, load_projects, source_permitted
from .schemas import ERROR, WARNING, CrdIndex, SchemaChecker
from .catalog import SchemaCatalog, skip_matcher
from .deprecations import judge
from .repo_crds import repository_crds
from .secrets import plaintext_secret_problem
from ..core.resource import as_map as _map

__all__ = ["Finding", "VerifyResult", "verify_repo", "report_text", "report_json", "report_markdown", "ERROR", "WARNING"]

SECRET, POLICY, SCHEMA, API = "secret", "policy", "schema", "api"





@dataclass(frozen=True, slots=True, order=True)
class Finding:
    cluster: str
    app: str
    resource: str  # "Kind[.group] [namespace/]name", "" for the Application itself
    check: str  # secret | policy | schema
    severity: str  # error | warning
    message: str
    file: str  # where to look: the resource's source file (a manifest, a chart template, a kustomization's
    # generator entry; a HelmRelease/Application for a chart of the chart cache), or the AppProject/Application file
    origin: str = ""  # the Application's file
    line: int = 0  # line of `file` where the resource's document (or generator entry) starts; 0: not known

    def to_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True)
class VerifyResult:
    findings: tuple[Finding, ...]
    targets: tuple[str, ...]  # "cluster/app_dir" of every target checked
    skipped: tuple[str, ...] = ()  # targets not checked (--changed: inputs unchanged)
    notes: tuple[str, ...] = ()
    kubernetes_version: str | None = None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def left_out(self) -> tuple[str, ...]:
        """The notes saying the render left an Application or HelmRelease out (out of reach
        offline: `sluice render`'s `skipped`), which verify therefore did not check."""
        from ..core.notes import Skipped

        return tuple(n for n in self.notes if isinstance(n, Skipped))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": {"errors": len(self.errors), "warnings": len(self.warnings), "targets": len(self.targets),
                        "skipped": len(self.skipped), "leftOut": len(self.left_out)},
            "kubernetesVersion": self.kubernetes_version,
            "findings": [f.to_dict() for f in self.findings],
            "targets": list(self.targets),
            "skipped": list(self.skipped),  # --changed: targets whose inputs did not change
            "leftOut": [str(n) for n in self.left_out],  # out of reach offline (render's `skipped`), also in notes
            "notes": list(self.notes),
        }


def describe(body: dict[str, Any]) -> str:
    meta = _map(body.get("metadata"))
    group = split_api_version(str(body.get("apiVersion") or ""))[0]
    kind = str(body.get("kind") or "?")
    ns = meta.get("namespace")
    return f"{kind}.{group if group else ''}".rstrip(".") + f" {ns + '/' if ns else ''}{meta.get('name') or '?'}"


# -- the Application behind a target ----------------------------------------------------------


def _app_project_and_repo(fs: RepoFS, target: Target, plan: FleetPlan) -> tuple[str | None, str | None]:
    """The AppProject that governs a target and the repoURL it checks, as planned (an
    ApplicationSet's or a parent's output included); no project for a Flux Kustomization."""
    if target.source.type == "flux":
        return None, None
    return target.project, target.repo_url or plan.repo_url


# -- checks ------------------------------------------------------------------------------------


@dataclass
class Checks:
    allow_secrets: bool = False
    schemas: bool = True
    kubernetes_version: str | None = None
    policy: bool = True
    skip_kinds: tuple[str, ...] = ()


def check_bundles(
    fs: RepoFS,
    plan: FleetPlan,
    apps: Iterable[tuple[Target, AppBundle]],
    projects: dict[str, Project],
    checks: Checks,
    checker: SchemaChecker | None,
    cluster_resources: dict[str, list[dict[str, Any]]],
    crd_files: list[str] | None = None,
) -> tuple[list[Finding], list[str]]:
    """Findings for rendered apps. `cluster_resources`: every resource rendered per
    cluster (for CRDs and scopes); `crd_files`: the repository's files holding CRDs, when
    known (the hook's plan cache), else searched."""
    findings: list[Finding] = []
    notes: list[str] = []
    crds = {c: CrdIndex(res) for c, res in cluster_resources.items()}
    scopes: dict[str, ScopeTable] = {}
    for cluster, res in cluster_resources.items():
        scopes[cluster] = ScopeTable(plan.config.cluster_scoped_kinds)
        scopes[cluster].add_crds(res)
    noted_projects: set[str] = set()
    repo_crds = repository_crds(fs, crd_files) if checker is not None and checker.available else []
    repo_index = CrdIndex(repo_crds)
    for index in crds.values():  # a cluster's rendered CRDs win over copies kept elsewhere in the repository
        for crd in repo_crds:
            spec = _map(crd.get("spec"))
            if (str(spec.get("group") or ""), str(_map(spec.get("names")).get("kind") or "")) not in index.kinds:
                index.add(crd)
    skipped_kind = skip_matcher(checks.skip_kinds)
    for target, app in apps:
        where = app.source_path

        def add(check: str, severity: str, message: str, resource: str = "", file: str = where, line: int = 0) -> None:
            findings.append(Finding(target.cluster, target.app, resource, check, severity, message, file, target.origin, line))

        project = None
        repo_url: str | None = None
        if checks.policy:
            name, repo_url = _app_project_and_repo(fs, target, plan)
            project = projects.get(name) if name is not None else None
            if name is not None and project is None and name != "default" and name not in noted_projects:
                noted_projects.add(name)
                notes.append(f"AppProject {name!r} is not defined in this repository: its policy is not checked")
        if project is not None:
            if repo_url and not source_permitted(project, repo_url):
                add(POLICY, ERROR, f"source repository {repo_url!r} is not permitted by AppProject {project.name} (sourceRepos, {project.where})", file=target.origin)
            if not destination_permitted(project, target.server, target.cluster, target.namespace or ""):
                add(POLICY, ERROR, f"destination {target.cluster} ({target.server}) namespace {target.namespace or '(none)'!r} is not permitted by AppProject {project.name} (destinations, {project.where})", file=target.origin)
        scope = scopes.get(target.cluster) or ScopeTable(plan.config.cluster_scoped_kinds)
        cluster_version = checks.kubernetes_version or getattr(target, "kube_version", None)
        for index, body in enumerate(app.resources):
            label = describe(body)
            place = _place(app.origin_of(index), target, where)
            problem = plaintext_secret_problem(body, allow=checks.allow_secrets)
            if problem:
                add(SECRET, ERROR, problem, label, **place)
            if project is not None:
                group = split_api_version(str(body.get("apiVersion") or ""))[0]
                kind = str(body.get("kind") or "")
                namespaced = not scope.cluster_scoped(body)
                if not kind_permitted(project, group, kind, namespaced):
                    lists = "namespaceResourceWhitelist/Blacklist" if namespaced else "clusterResourceWhitelist/Blacklist"
                    add(POLICY, ERROR, f"{'namespaced' if namespaced else 'cluster-scoped'} kind {kind}{'.' + group if group else ''} is not permitted by AppProject {project.name} ({lists}, {project.where})", label, **place)
                meta = _map(body.get("metadata"))
                ns = meta.get("namespace")
                if namespaced and isinstance(ns, str) and ns and ns != (target.namespace or ""):
                    if not destination_permitted(project, target.server, target.cluster, ns):
                        add(POLICY, ERROR, f"namespace {ns!r} on cluster {target.cluster} is not a permitted destination of AppProject {project.name} ({project.where})", label, **place)
            api_version = str(body.get("apiVersion") or "")
            judged = judge(api_version, str(body.get("kind") or ""), cluster_version) if cluster_version else None
            if judged is not None:
                add(API, judged[0], judged[1], label, **place)
            group, version = split_api_version(api_version)
            if judged is not None and judged[0] == ERROR or skipped_kind(group, version, str(body.get("kind") or "")):
                continue
            if checker is not None and checker.available:
                for p in checker.check(body, crds.get(target.cluster) or repo_index):
                    add(SCHEMA, p.severity, p.message, label, **place)
    return summarise_unknown_kinds(findings), notes


def _place(origin: Origin, target: Target, where: str) -> dict[str, Any]:
    """The file and line a finding names: where the render says the resource came from
    (tracked through kustomize and Helm, see renderer.core.resource.Origin). A file of
    another repository is no place in this one: the Application that uses it is named."""
    if origin.repo:
        return {"file": target.origin, "line": target.line or 0}
    if not origin.file:
        return {"file": where, "line": 0}
    return {"file": origin.file, "line": origin.line}


def summarise_unknown_kinds(findings: list[Finding]) -> list[Finding]:
    """One warning per unknown kind, naming how many resources and apps, and the first of them."""
    out: list[Finding] = []
    unknown: dict[str, list[Finding]] = {}
    for f in findings:
        if f.check == SCHEMA and f.severity == WARNING and f.message.startswith("unknown kind "):
            unknown.setdefault(f.message.split(":", 1)[0], []).append(f)
        else:
            out.append(f)
    for head, group in unknown.items():
        first = min(group)
        apps = {(f.cluster, f.app) for f in group}
        more = f"; {len(group)} resource(s) in {len(apps)} app(s), the first shown" if len(group) > 1 else ""
        out.append(dataclasses.replace(first, message=f"{head}: no schema (built-in, CRD in the repository or render, "
                                       f"vendored catalog or --schema-location); not validated{more}"))
    return out


def _config(fs: RepoFS, repositories: dict[str, str] | None = None,
            helm_releases: str | None = None, allowed_roots: Sequence[str] = (), helm_engine: str | None = None) -> Any:
    from ..fleet.config import with_repositories

    config = load_config(fs, granted=[*allowed_roots, *(repositories or {}).values()], overridden=(repositories or {}).keys())
    if repositories:
        config = with_repositories(config, repositories)
    if helm_releases:
        config = dataclasses.replace(config, helm_releases=helm_releases)
    if helm_engine:
        config = dataclasses.replace(config, helm_engine=helm_engine)
    return config


def _plan(root: Path, repositories: dict[str, str] | None = None,
          helm_releases: str | None = None, allowed_roots: Sequence[str] = (),
          helm_engine: str | None = None) -> tuple[RepoFS, FleetPlan]:
    fs = RepoFS(root)
    config = _config(fs, repositories, helm_releases, allowed_roots, helm_engine)
    skip: list[str] = []
    plan = discover(fs, config, skip=skip)
    return fs, plan


def verify_repo(
    root: str | os.PathLike[str],
    *,
    allow_secrets: bool = False,
    schemas: bool = True,
    kubernetes_version: str | None = None,
    changed: bool = False,
    progress: Callable[[str], None] | None = None,
    chart_cache: str | os.PathLike[str] | None = None,
    repositories: dict[str, str] | None = None,
    allowed_roots: Sequence[str] = (),
    helm_releases: str | None = None,
    schema_locations: Sequence[str] = (),
    skip_kinds: Sequence[str] = (),
    select: Any = None,
    jobs: int = 1,
    helm_engine: str | None = None,
) -> VerifyResult:
    """Render the fleet at `root` and check every resource; all findings are collected.
    `chart_cache`, `repositories` and `helm_releases` reach the render as in `sluice render`;
    `jobs` worker processes render it (the same bundles, see fleet.workers)."""
    path = Path(root).resolve()
    from ..core.errors import InputError

    if not path.is_dir():
        raise InputError(f"repository directory not found: {root}")
    state = None
    if changed:
        from .changed import plan_changed

        fs, plan, state = plan_changed(
            path, lambda view: _config(view, repositories, helm_releases, allowed_roots, helm_engine),
            chart_cache=chart_cache)
    else:
        fs, plan = _plan(path, repositories, helm_releases, allowed_roots, helm_engine)
    if select:
        from ..fleet.select import narrow

        plan = narrow(plan, select)
    allow_secrets = allow_secrets or plan.config.allow_plaintext_secrets
    checks = Checks(allow_secrets=allow_secrets, schemas=schemas, kubernetes_version=kubernetes_version,
                    skip_kinds=tuple(skip_kinds))
    checker = SchemaChecker(kubernetes_version, SchemaCatalog(schema_locations)) if schemas else None
    notes: list[str] = []
    if checker is not None and not checker.available:
        notes.append("schema validation skipped: the Kubernetes schemas (PyPI kubernetes-validate) are not installed")
    notes.extend(plan.notes)
    projects = load_projects(fs, skip=plan.skip_dirs, exclude=plan.config.exclude, where=plan.config.applications,
                             files=state.project_files if state is not None else None)
    skipped: list[str] = []
    seen: dict[str, list[dict[str, Any]]] = {}  # more objects whose CRDs the checks know (--changed)
    if changed:
        from .changed import render_changed

        assert state is not None
        pairs, skipped, seen = render_changed(path, fs, plan, projects, progress=progress, chart_cache=chart_cache,
                                              state=state, jobs=jobs, notes=notes)
    else:
        if progress:
            progress(f"rendering {len(plan.targets)} targets")
        from ..fleet.jobs import jobs_for

        jobs = jobs_for(jobs, len(plan.targets))
        if jobs > 1:
            from ..fleet.workers import render_units

            bundles = render_units(path, fs, plan, jobs=jobs, chart_cache=chart_cache).bundles
        else:
            bundles = render_plan(fs, plan, chart_cache=chart_cache)
        pairs = [(a.target, a) for a in bundles.apps]  # app of apps: the children are checked too
        notes.extend(n for n in bundles.notes if n not in plan.notes)  # what the render left out
    cluster_resources: dict[str, list[dict[str, Any]]] = {}
    for target, app in pairs:
        cluster_resources.setdefault(target.cluster, []).extend(app.resources)
    for cluster, objects in seen.items():
        if cluster in cluster_resources:
            cluster_resources[cluster].extend(o for o in objects if o.get("kind") == "CustomResourceDefinition")
    if progress:
        progress(f"checking {len(pairs)} targets")
    findings, more_notes = check_bundles(fs, plan, pairs, projects, checks, checker, cluster_resources,
                                         crd_files=state.crd_files if state is not None else None)
    notes.extend(more_notes)
    return VerifyResult(
        findings=tuple(sorted(findings)),
        targets=tuple(f"{t.cluster}/{t.app_dir}" for t, _ in pairs),
        skipped=tuple(skipped),
        notes=tuple(notes),
        kubernetes_version=checker.version if checker is not None else None,
    )


# -- reporters -------------------------------------------------------------------------------


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.line else f.file


def _line(f: Finding) -> str:
    what = f" {f.resource}" if f.resource else ""
    return f"{f.severity} [{f.check}] {f.cluster}/{f.app}{what} ({_where(f)}): {f.message}"


def _summary(result: VerifyResult) -> str:
    checked = f"{len(result.targets)} target(s) checked" + (f", {len(result.skipped)} unchanged skipped" if result.skipped else "")
    return f"{checked}: {len(result.errors)} error(s), {len(result.warnings)} warning(s)"


def report_text(result: VerifyResult, *, color: bool = False) -> str:
    import click

    out = []
    for f in result.findings:
        line = _line(f)
        if color:
            line = click.style(f.severity, fg="red" if f.severity == ERROR else "yellow", bold=True) + line[len(f.severity):]
        out.append(line)
    left_out = set(result.left_out)
    for note in result.notes:
        out.append(f"{'skipped' if note in left_out else 'note'}: {note}")  # as `sluice render` prints them
    summary = _summary(result)
    out.append(click.style(summary, fg="green" if result.ok else "red") if color else summary)
    return "\n".join(out) + "\n"


def report_json(result: VerifyResult) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(result: VerifyResult) -> str:
    out = ["### sluice verify", "", _summary(result), ""]
    if result.findings:
        out += ["| severity | check | cluster | app | resource | file | message |", "|---|---|---|---|---|---|---|"]
        for f in result.findings:
            out.append(f"| {f.severity} | {f.check} | {_md(f.cluster)} | {_md(f.app)} | {_md(f.resource)} | `{_md(_where(f))}` | {_md(f.message)} |")
        out.append("")
    for note in result.notes:
        out.append(f"> {note}")
    return "\n".join(out) + "\n"
