"""Render a fleet plan into bundles: in memory first, written only when all succeeded.

`render_plan` is pure: files in (through `RepoFS`), `Bundles` out. Per target it renders
the source (one kustomize Builder per render, so shared bases build once), sets the
destination namespace on namespaced resources that have none, and serialises the
resources in render order. `render_repo` is the whole thing for a repository root.
"""
from __future__ import annotations

import dataclasses
import os
from collections import deque
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence

from .bundle import MANIFEST, METADATA, README, AppBundle, Bundles, hydrator_metadata, readme, write_bundles
from ..core.errors import OutOfReach, RenderError, SluiceError, SourceOutOfReach
from .discover import (
    DEFAULT_APP_NAMESPACE,
    MAX_TARGETS,
    FleetPlan,
    Target,
    check_locations,
    discover,
    hydrated_branches,
    out_of_reach_reason,
    plan_child_applications,
)
from .config import load_config, with_repositories
from .flux import flux_sources
from .inflate import HelmReleaseInflater, KeptRelease, kept_summary
from .secret_guard import refuse_plaintext_secrets
from ..core.fs import RepoFS
from ..core.notes import Skipped
from ..core.resource import Origin, Placed, split_api_version
from ..core.secret_redact import scrub_error
from ..argo.sources import SourceRenderer

# Built-in cluster-scoped kinds, by (API group, kind), of current Kubernetes releases
# (`kubectl api-resources --namespaced=false`), plus removed ones still found in repos.
CLUSTER_SCOPED_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "ComponentStatus"),
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("authentication.k8s.io", "SelfSubjectReview"),
        ("authentication.k8s.io", "TokenReview"),
        ("authorization.k8s.io", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectRulesReview"),
        ("authorization.k8s.io", "SubjectAccessReview"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("certificates.k8s.io", "ClusterTrustBundle"),
        ("extensions", "PodSecurityPolicy"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("internal.apiserver.k8s.io", "StorageVersion"),
        ("networking.k8s.io", "IPAddress"),
        ("networking.k8s.io", "IngressClass"),
        ("networking.k8s.io", "ServiceCIDR"),
        ("node.k8s.io", "RuntimeClass"),
        ("policy", "PodSecurityPolicy"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("resource.k8s.io", "DeviceClass"),
        ("resource.k8s.io", "DeviceTaintRule"),
        ("resource.k8s.io", "ResourceSlice"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("storage.k8s.io", "VolumeAttributesClass"),
        ("storagemigration.k8s.io", "StorageVersionMigration"),
    }
)


class ScopeTable:
    """Which kinds are cluster-scoped: built-ins, sluice.yaml `clusterScopedKinds`
    ("Kind" for any group, "Kind.group"), and CRDs with `spec.scope: Cluster`."""

    def __init__(self, declared: Iterable[str] = ()) -> None:
        self.exact: set[tuple[str, str]] = set(CLUSTER_SCOPED_KINDS)
        self.any_group: set[str] = set()
        for item in declared:
            kind, _, group = item.partition(".")
            if group:
                self.exact.add((group, kind))
            else:
                self.any_group.add(kind)

    def copy(self) -> ScopeTable:
        other = ScopeTable()
        other.exact = set(self.exact)
        other.any_group = set(self.any_group)
        return other

    def add_crds(self, resources: Iterable[dict[str, Any]]) -> None:
        for body in resources:
            if body.get("kind") != "CustomResourceDefinition":
                continue
            if split_api_version(str(body.get("apiVersion") or ""))[0] != "apiextensions.k8s.io":
                continue
            spec = body.get("spec")
            if not isinstance(spec, dict) or spec.get("scope") != "Cluster":
                continue
            names = spec.get("names")
            kind = names.get("kind") if isinstance(names, dict) else None
            group = spec.get("group")
            if isinstance(kind, str) and isinstance(group, str):
                self.exact.add((group, kind))

    def cluster_scoped(self, body: dict[str, Any]) -> bool:
        kind = str(body.get("kind") or "")
        group = split_api_version(str(body.get("apiVersion") or ""))[0]
        return (group, kind) in self.exact or kind in self.any_group


def apply_namespace(resources: list[dict[str, Any]], namespace: str | None, scopes: ScopeTable) -> list[dict[str, Any]]:
    """Set `namespace` on namespaced resources without one (copy on write: inputs untouched)."""
    if not namespace:
        return list(resources)
    out: list[dict[str, Any]] = []
    for body in resources:
        meta = body.get("metadata")
        if scopes.cluster_scoped(body) or (isinstance(meta, dict) and meta.get("namespace")):
            out.append(body)
            continue
        new_meta = dict(meta) if isinstance(meta, dict) else {}
        new_meta["namespace"] = namespace
        new_body = dict(body)
        new_body["metadata"] = new_meta
        out.append(new_body)
    return out


def _resource_key(body: dict[str, Any]) -> tuple[str, str, str, str]:
    raw = body.get("metadata")
    meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
    group = split_api_version(str(body.get("apiVersion") or ""))[0]
    return (group, str(body.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def _describe(key: tuple[str, str, str, str]) -> str:
    group, kind, ns, name = key
    kind_text = f"{kind}.{group}" if group else kind
    return f"{kind_text} {ns + '/' if ns else ''}{name}"


def _check_resources(target: Target, resources: list[dict[str, Any]]) -> None:
    seen: set[tuple[str, str, str, str]] = set()
    for body in resources:
        if str(body.get("apiVersion") or "").startswith("kustomize.config.k8s.io/"):
            raise RenderError(
                f"Application {target.app}: the render contains a kustomize {body.get('kind')} object; "
                "it would be applied to the cluster as is",
                file=target.origin, line=target.line,
            )
        key = _resource_key(body)
        if key in seen:
            raise RenderError(
                f"Application {target.app}: {_describe(key)} appears twice in the render of {target.source.path!r}",
                file=target.origin, line=target.line,
            )
        seen.add(key)


def _in_context(exc: SluiceError, target: Target) -> SluiceError:
    what = "Flux Kustomization" if target.source.type == "flux" else "Application"
    origin = f", {target.generated_by}" if target.generated_by else ""
    note = f" (rendering {what} {target.app} for cluster {target.cluster}, {target.where}{origin})"
    new = type(exc)(exc.message + note, file=exc.file or target.origin, line=exc.line if exc.file else target.line)
    return new


class _RepoRenderers:
    """One SourceRenderer and HelmRelease inflater per repository a render reads: the dry
    repository, and the local checkouts sluice.yaml `repositories` maps repoURLs to. They
    share one Helm engine."""

    def __init__(self, fs: RepoFS, plan: FleetPlan, build_options: Any, chart_cache: str | os.PathLike[str] | None) -> None:
        self._dirs = dict(plan.config.repositories)
        self._build_options = build_options
        self._chart_cache = chart_cache
        dry = SourceRenderer(fs, build_options, skip_dirs=plan.skip_dirs, chart_cache=chart_cache,
                             flux_sources=flux_sources(plan.config))
        dry.helm_limits = (plan.config.helm_render_seconds, plan.config.helm_output_bytes, plan.config.helm_render_memory)
        dry.helm_engine_name = plan.config.helm_engine
        dry.flux_objects = plan.config.substitutions.resolver
        self._made: dict[str, tuple[SourceRenderer, HelmReleaseInflater]] = {"": (dry, HelmReleaseInflater(fs, dry, chart_cache))}

    @property
    def chart_cache(self) -> str | os.PathLike[str] | None:
        return self._chart_cache

    @property
    def dry(self) -> SourceRenderer:
        """The dry repository's renderer."""
        return self._made[""][0]

    def kept(self) -> list[KeptRelease]:
        """HelmReleases every inflater kept for Flux (helmReleases: auto)."""
        return [k for _, inflater in self._made.values() for k in inflater.kept]

    def get(self, repo: str) -> tuple[SourceRenderer, "HelmReleaseInflater"]:
        if repo not in self._made:
            other = RepoFS(self._dirs[repo])
            renderer = SourceRenderer(other, self._build_options, chart_cache=self._chart_cache, helm_from=self._made[""][0])
            self._made[repo] = (renderer, HelmReleaseInflater(other, renderer, self._chart_cache))
        return self._made[repo]


def _render_targets(
    fs: RepoFS, plan: FleetPlan, repos: _RepoRenderers, notes: list[str], *, lenient: bool = False,
    planned: list[Target] | None = None, unreached: list[Target] | None = None,
) -> list[TargetRender]:
    """Render the plan's targets and, app of apps, the Applications they render, in queue
    order. An out-of-reach source stops the render for an Application written in the repo
    and becomes a note for a generated one (for every one when `lenient`, which also keeps
    unreachable HelmReleases). `planned` receives every target taken up, `unreached` those
    left out as out of reach."""
    rendered: list[TargetRender] = []
    queue = deque(plan.targets)
    known = {t.app_key for t in plan.targets} | set(plan.skipped)
    hydrated = hydrated_branches(plan)
    while queue:
        target = queue.popleft()
        if plan.select is not None and not plan.select.matches(target):
            continue  # a child of an app of apps outside --cluster/--app
        if planned is not None:
            planned.append(target)
        try:
            renderer, inflater = repos.get(target.source.repo)
            kind = renderer.source_type(target.source, referrer=target.origin)
            placed = _render_source(renderer, target.source, target)
            for extra in target.extra_sources:  # multi-source: every source's manifests, in order
                placed = [*placed, *_render_source(renderer, extra, target)]
            if target.helm_releases in ("inflate", "auto"):
                placed = inflater.inflate_placed(placed, target.origin,
                                                 keep_unreachable=lenient or target.helm_releases == "auto", notes=notes,
                                                 kube_version=target.kube_version, api_versions=target.api_versions)
            resources = [p.body for p in placed]
        except OutOfReach as exc:
            flux = isinstance(exc, SourceOutOfReach)
            if not (target.generated_by or lenient or flux):
                raise _in_context(exc, target) from exc
            if unreached is not None:
                unreached.append(target)
            if flux:  # a Flux Kustomization whose source is not available offline
                notes.append(Skipped(f"{target.where}: {exc.message} (cluster {target.cluster}; its hydrated "
                                     f"directory {target.app_dir}/ is left as it was)"))
                continue
            notes.append(Skipped(f"{target.where}: Application {target.app} ({target.generated_by or 'in the repository'}) "
                                 f"not rendered: {out_of_reach_reason(exc.message, target.app)}"))
            continue
        except SluiceError as exc:
            raise _in_context(exc, target) from exc
        rendered.append(TargetRender(target, kind, resources, [p.origin for p in placed]))
        notes.extend(n for n in renderer.flux_notes if n not in notes)
        if target.source.type != "flux":
            children, child_notes = plan_child_applications(fs, plan, target, resources, known, parent_fs=renderer.fs,
                                                                 hydrated=hydrated)
            queue.extend(children)
            notes.extend(child_notes)
            if len(rendered) + len(queue) > MAX_TARGETS:
                raise RenderError(f"more than {MAX_TARGETS} Applications after app-of-apps expansion (last parent: "
                                  f"Application {target.app}, {target.where}); is a generator producing without end?")
    summary = kept_summary(repos.kept(), repos.chart_cache)
    if summary is not None:
        notes.append(summary)
    if len(rendered) > len(plan.targets):
        check_locations([r.target for r in rendered])
    if plan.config.child_applications == "hydrated":
        rendered = _point_applications_at_hydrated(plan, rendered)
    return rendered


def _point_applications_at_hydrated(plan: FleetPlan, rendered: list[TargetRender]) -> list[TargetRender]:
    """`childApplications: hydrated`: every Application manifest in a bundle that sluice
    renders itself (an app of apps' children, a root managing itself) is pointed at its
    hydrated branch and directory, so that Argo CD syncs the whole tree from hydrated
    branches. Other Applications (out of reach, ApplicationSets' templates) stay as written."""
    if not plan.repo_url:
        raise RenderError("childApplications: hydrated needs the repository's URL (repoURL in sluice.yaml): "
                          "Applications are pointed at its hydrated branches")
    targets = {r.target.app_key: r.target for r in rendered if r.target.source.type != "flux"}
    out = []
    for parent, kind, resources, origins in rendered:
        rewritten = []
        for body in resources:
            meta = body.get("metadata") or {}
            key = (str(meta.get("namespace") or parent.namespace or DEFAULT_APP_NAMESPACE), str(meta.get("name") or ""))
            target = targets.get(key) if body.get("kind") == "Application" and str(body.get("apiVersion", "")).startswith("argoproj.io/") else None
            if target is None:
                rewritten.append(body)
                continue
            spec = {k: v for k, v in (body.get("spec") or {}).items() if k not in ("source", "sources", "sourceHydrator")}
            spec["source"] = {"repoURL": plan.repo_url, "targetRevision": target.branch, "path": target.app_dir}
            rewritten.append({**body, "spec": spec})
        out.append(TargetRender(parent, kind, rewritten, origins))
    return out


RepoRenderers = _RepoRenderers


class TargetRender(NamedTuple):
    """A target's render: its source kind, the resources in order and, parallel to them,
    the file and line each came from (what verify names in its findings)."""

    target: Target
    kind: str
    resources: list[dict[str, Any]]
    origins: list[Origin]


def _render_source(renderer: SourceRenderer, spec: Any, target: Target) -> list[Placed]:
    """One source of a target, placed; files of another repository say which one."""
    placed = renderer.render_placed(spec, referrer=target.origin, origin=Origin(target.origin, target.line or 0))
    if not spec.repo:
        return placed
    return [p if p.origin.repo else Placed(p.body, dataclasses.replace(p.origin, repo=spec.repo)) for p in placed]


def repo_renderers(fs: RepoFS, plan: FleetPlan, *, chart_cache: str | os.PathLike[str] | None = None,
                   build_options: Any = None, flux_memo: Any = None) -> _RepoRenderers:
    """Renderers to share between `render_plan` calls over parts of one plan; `flux_memo`
    (renderer.flux.memo.KsMemo) serves Flux Kustomization builds kept from an earlier run."""
    made = _RepoRenderers(fs, plan, build_options, chart_cache)
    made.dry.flux_memo = flux_memo
    return made


def every_target(fs: RepoFS, plan: FleetPlan, *, chart_cache: str | os.PathLike[str] | None = None,
                 build_options: Any = None) -> list[Target]:
    """Every target a render takes up, the Applications that parents generate included,
    without stopping at what is out of reach (for `sluice helm pull --fleet`, which fetches
    what such targets miss). Real input errors still raise."""
    planned: list[Target] = []
    _render_targets(fs, plan, _RepoRenderers(fs, plan, build_options, chart_cache), [], lenient=True, planned=planned)
    return planned


def render_plan(
    fs: RepoFS,
    plan: FleetPlan,
    *,
    dry_sha: str | None = None,
    repo_url: str | None = None,
    commands: Iterable[str] = (),
    build_options: Any = None,
    chart_cache: str | os.PathLike[str] | None = None,
    renderers: "RepoRenderers | None" = None,
) -> Bundles:
    """Render every target of the plan into bundles, in memory. Raises on the first error
    (in plan order); nothing is written. `repo_url` defaults to the plan's; `chart_cache`
    holds the charts of HelmRepository sources (see `sluice helm pull`). `renderers` (from
    `repo_renderers`) lets several calls share memoised builds and the Helm engine (the
    hook renders unit by unit)."""

    commands = tuple(commands)
    repo_url = repo_url if repo_url is not None else plan.repo_url
    repos = renderers if renderers is not None else _RepoRenderers(fs, plan, build_options, chart_cache)
    notes = list(plan.notes)
    unreached: list[Target] = []
    rendered = _render_targets(fs, plan, repos, notes, unreached=unreached)

    base_scopes = ScopeTable(plan.config.cluster_scoped_kinds)
    scopes: dict[str, ScopeTable] = {}
    for target, _, resources, _ in rendered:
        scopes.setdefault(target.cluster, base_scopes.copy()).add_crds(resources)

    apps = [finalize_target(target, kind, resources, scopes[target.cluster], repo_url=repo_url, dry_sha=dry_sha,
                            commands=commands, origins=origins) for target, kind, resources, origins in rendered]
    warnings = ownership_warnings(apps)
    apps.sort(key=lambda a: (a.cluster, a.app_dir))
    return Bundles(
        apps=tuple(apps), repo_url=repo_url, dry_sha=dry_sha, commands=commands,
        preserve=(*plan.config.preserve, *_kept_dirs(unreached, apps)), warnings=tuple(warnings), notes=tuple(notes),
    )


def finalize_target(target: Target, kind: str, resources: list[dict[str, Any]], scopes: ScopeTable, *,
                    repo_url: str | None, dry_sha: str | None, commands: tuple[str, ...],
                    origins: Sequence[Origin] = ()) -> AppBundle:
    """A target's rendered resources as its bundle: destination namespace set, checked,
    serialised with the metadata and README beside them; `origins` parallel to them."""
    from ..core import yaml as sluice_yaml

    final = apply_namespace(resources, target.namespace, scopes)
    _check_resources(target, final)
    try:
        manifest = sluice_yaml.dump_documents(final).encode("utf-8")
    except SluiceError as exc:
        safe = scrub_error(exc, final)  # the emitter quotes the string it cannot print
        raise _in_context(safe, target) from (exc if safe is exc else None)
    return app_bundle(target, kind, manifest, final, repo_url=repo_url, dry_sha=dry_sha, commands=commands,
                      origins=origins)


def app_bundle(target: Target, kind: str, manifest: bytes, resources: Sequence[dict[str, Any]], *,
               repo_url: str | None, dry_sha: str | None, commands: tuple[str, ...],
               origins: Sequence[Origin] = ()) -> AppBundle:
    """A target's bundle around its manifest: the metadata and README depend on the dry
    commit, the manifest only on the inputs (which is what a cache keeps). `origins`,
    parallel to `resources`: where each came from (none given: the Application's file)."""
    files = {
        MANIFEST: manifest,
        METADATA: hydrator_metadata(repo_url, dry_sha, commands),
        README: readme(
            app=target.app, cluster=target.cluster, server=target.server, source_path=target.source.path,
            source_kind=kind, origin=target.origin, namespace=target.namespace, repo_url=repo_url,
            dry_sha=dry_sha, commands=commands, branch=target.branch, app_dir=target.app_dir,
        ),
    }
    return AppBundle(
        cluster=target.cluster, app=target.app, app_dir=target.app_dir, branch=target.branch,
        source_path=target.source.path, origin=target.origin, files=files,
        resources=tuple(resources), namespace=target.namespace, target=target,
        origins=tuple(origins) if origins else (Origin(target.origin, target.line or 0),) * len(resources),
    )


def ownership_warnings(apps: Iterable[AppBundle]) -> list[str]:
    """A resource rendered by two apps of one cluster, in render order."""
    owners: dict[tuple[str, tuple[str, str, str, str]], str] = {}
    warnings: list[str] = []
    for app in apps:
        for body in app.resources:
            key = _resource_key(body)
            other = owners.setdefault((app.cluster, key), app.app)
            if other != app.app:
                warnings.append(f"cluster {app.cluster}: {_describe(key)} is rendered by both {other} and {app.app}")
    return warnings


def _kept_dirs(unreached: list[Target], apps: list[AppBundle]) -> tuple[str, ...]:
    """Hydrated directories of targets left out as out of reach: the applier keeps what the
    branch has there (never an emptied app, which Argo CD or Flux would prune). Globs are
    per branch path, so a directory another cluster renders is not listed."""
    import glob

    rendered = {a.app_dir for a in apps}
    return tuple(sorted({glob.escape(t.app_dir) for t in unreached if t.app_dir not in rendered}))


def render_repo(
    root: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    dry_sha: str | None = None,
    repo_url: str | None = None,
    commands: Iterable[str] = (),
    write: bool = True,
    chart_cache: str | os.PathLike[str] | None = None,
    repositories: dict[str, str] | None = None,
    helm_releases: str | None = None,
    strict: bool = False,
    helm_engine: str | None = None,
    checkouts_root: str | os.PathLike[str] | None = None,
    allowed_roots: Sequence[str | os.PathLike[str]] = (),
    allow_plaintext_secrets: bool = False,
    select: Any = None,
    jobs: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
    shard: Any = None,
) -> Bundles:
    """Load the config, discover, render and (with `write`) write the bundles atomically
    to `out_dir` (default: sluice.yaml `output.dir` under the root). Returns the bundles.
    `repositories` adds repoURL -> local checkout mappings to sluice.yaml's. With `strict`,
    anything left out as out of reach is an error and nothing is written. `allowed_roots`
    (and the `repositories` checkouts) are the roots the caller grants beyond the repository.
    A plaintext Secret is an error (nothing written) unless `allow_plaintext_secrets`,
    sluice.yaml `allowPlaintextSecrets` or its annotation opts in: the bundles go to git.
    `select` (a fleet.select.TargetFilter) takes up only some targets. `jobs`, `cache_dir`
    and `shard` (a `shards.Shard`) render through `fleet.workers`; a shard also writes its
    manifest beside the bundles."""
    from .select import narrow

    fs = RepoFS(root)
    granted = [*allowed_roots, *(repositories or {}).values()]
    config = load_config(fs, checkouts_root=checkouts_root, granted=granted, overridden=(repositories or {}).keys())
    if repositories:
        config = with_repositories(config, repositories)
    if helm_releases:
        config = dataclasses.replace(config, helm_releases=helm_releases)
    if helm_engine:
        config = dataclasses.replace(config, helm_engine=helm_engine)
    out = Path(out_dir).absolute() if out_dir is not None else Path(fs.abspath(config.output_dir))
    skip: list[str] = []
    try:
        skip.append(fs.relpath(out))
    except SluiceError:
        pass  # outside the repository: nothing to skip
    plan = narrow(discover(fs, config, skip=skip), select)
    rendered = None
    from .jobs import jobs_for

    jobs = jobs_for(jobs, len(plan.targets))
    if jobs > 1 or cache_dir is not None or shard is not None:
        from .workers import render_units, shard_plan_digest
        from .cache import context_salt

        salt = context_salt(config=config, build_options=None, chart_cache=chart_cache)
        rendered = render_units(root, fs, plan, jobs=jobs, cache_dir=cache_dir, shard=shard, dry_sha=dry_sha,
                                repo_url=repo_url, commands=commands, chart_cache=chart_cache,
                                salt=salt + repr(plan.skip_dirs))
        bundles = rendered.bundles
    else:
        bundles = render_plan(fs, plan, dry_sha=dry_sha, repo_url=repo_url, commands=commands, chart_cache=chart_cache)
    if strict and bundles.skipped:
        raise RenderError("left out (--strict) as out of reach offline: " + "; ".join(bundles.skipped))
    refuse_plaintext_secrets(bundles, allow=allow_plaintext_secrets or config.allow_plaintext_secrets)
    if write:
        write_bundles(bundles, out)
        if shard is not None and rendered is not None:
            from .shards import shard_manifest, write_manifest

            write_manifest(out, shard_manifest(bundles, shard, plan_digest=shard_plan_digest(plan, salt),
                                               units=rendered.units, scopes=rendered.scopes,
                                               config_preserve=plan.config.preserve, unreached=rendered.unreached))
    return bundles
