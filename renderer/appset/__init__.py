"""Argo CD ApplicationSets expanded offline into the Applications the controller creates.

    from renderer.appset import expand, ClusterInfo, RepoResolver
    apps = expand(appset, clusters=[...], repos=RepoResolver(default="."), source="apps/set.yaml")

`expand` raises `renderer.core.errors.InputError` naming the ApplicationSet, the generator
(index and type) and, for template errors, the parameter set.
"""
from __future__ import annotations

import json
from typing import Any

from renderer.appset.generators import (
    ClusterInfo,
    Context,
    GeneratorError,
    GeneratorInputs,
    RepoResolver,
    cluster_info_from_secret,
    generator_type,
    run_generator,
)
from renderer.appset.templates import RenderBudget, TemplateRenderError, merge_template, render_application
from renderer.core.errors import InputError
from renderer.core.limits import ceilings, how_to_raise

__all__ = [
    "ClusterInfo",
    "RepoResolver",
    "cluster_info_from_secret",
    "expand",
    "generate_params",
    "is_application_set",
]


def is_application_set(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == "ApplicationSet" and str(doc.get("apiVersion", "")).startswith("argoproj.io/")


def _name(appset: dict[str, Any]) -> str:
    meta = appset.get("metadata") or {}
    return str(meta.get("name") or "<unnamed>")


def _spec(appset: dict[str, Any], source: str, line: int | None) -> dict[str, Any]:
    if not is_application_set(appset):
        raise InputError("not an argoproj.io ApplicationSet", file=source, line=line)
    spec = appset.get("spec")
    if not isinstance(spec, dict):
        raise InputError(f"ApplicationSet {_name(appset)}: spec must be a mapping", file=source, line=line)
    gens = spec.get("generators")
    if not isinstance(gens, list) or not gens:
        raise InputError(f"ApplicationSet {_name(appset)}: spec.generators must be a non-empty list", file=source, line=line)
    opts = spec.get("goTemplateOptions") or []
    if not isinstance(opts, list) or not all(isinstance(o, str) for o in opts):
        raise InputError(f"ApplicationSet {_name(appset)}: spec.goTemplateOptions must be a list of strings", file=source, line=line)
    if spec.get("templatePatch") is not None and not spec.get("goTemplate"):
        raise InputError(f"ApplicationSet {_name(appset)}: templatePatch requires goTemplate to be enabled", file=source, line=line)
    return spec


def _context(appset: dict[str, Any], spec: dict[str, Any], clusters: list[ClusterInfo], repos: RepoResolver,
             inputs: GeneratorInputs | None, max_generated: int | None = None) -> Context:
    return Context(
        max_generated=ceilings()["generatedApplications"] if max_generated is None else max_generated,
        appset_name=_name(appset),
        go_template=bool(spec.get("goTemplate")),
        options=tuple(spec.get("goTemplateOptions") or ()),
        clusters=list(clusters),
        repos=repos,
        inputs=inputs,
    )


def _gen_label(index: int, gen: Any) -> str:
    try:
        kind = generator_type(gen) if isinstance(gen, dict) else "?"
    except GeneratorError:
        kind = "?"
    return f"generator {index} ({kind})"


def _params_text(params: dict[str, Any], limit: int = 300) -> str:
    """The parameter set an error names, cut to `limit` characters (a message stays a line)."""
    text = json.dumps(params, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def generate_params(
    appset: dict[str, Any],
    *,
    clusters: list[ClusterInfo],
    repos: RepoResolver,
    source: str,
    inputs: GeneratorInputs | None = None,
    line: int | None = None,
) -> list[list[dict[str, Any]]]:
    """Every generator's parameter sets (after its selector), in generator order."""
    spec = _spec(appset, source, line)
    ctx = _context(appset, spec, clusters, repos, inputs)
    out = []
    for i, gen in enumerate(spec["generators"]):
        out.append(_run(appset, ctx, i, gen, source, line))
    return out


def _run(appset: dict[str, Any], ctx: Context, i: int, gen: Any, source: str, line: int | None) -> list[dict[str, Any]]:
    where = f"ApplicationSet {_name(appset)}, {_gen_label(i, gen)}"
    if not isinstance(gen, dict):
        raise InputError(f"{where}: not a mapping", file=source, line=line)
    try:
        return run_generator(gen, ctx)
    except (GeneratorError, TemplateRenderError) as e:
        raise InputError(f"{where}: {e}", file=source, line=line) from None
    except InputError as e:
        raise InputError(f"{where}: {e.message}", file=e.file or source, line=e.line if e.file else line) from None


def expand(
    appset: dict[str, Any],
    *,
    clusters: list[ClusterInfo],
    repos: RepoResolver,
    source: str,
    inputs: GeneratorInputs | None = None,
    line: int | None = None,
    max_generated: int | None = None,  # None: the run's ceiling (core/limits.py)
) -> list[dict[str, Any]]:
    """The Applications the ApplicationSet controller would create for `appset`, in
    generator order. Each has apiVersion, kind, metadata (name, namespace = the
    ApplicationSet's, labels, annotations, finalizers) and spec. More than `max_generated`
    from one generator is an error, raised before they are built."""
    spec = _spec(appset, source, line)
    ctx = _context(appset, spec, clusters, repos, inputs, max_generated)
    base_template = spec.get("template") or {}
    if not isinstance(base_template, dict):
        raise InputError(f"ApplicationSet {_name(appset)}: spec.template must be a mapping", file=source, line=line)
    namespace = (appset.get("metadata") or {}).get("namespace")
    apps: list[dict[str, Any]] = []
    budget = RenderBudget()  # what all its Applications may render
    for i, gen in enumerate(spec["generators"]):
        params_list = _run(appset, ctx, i, gen, source, line)
        if len(apps) + len(params_list) > ctx.max_generated:
            raise InputError(f"ApplicationSet {_name(appset)}: more than {ctx.max_generated} Applications; "
                             f"{how_to_raise('generatedApplications')}", file=source, line=line)
        kind = generator_type(gen)
        gen_template = (gen.get(kind) or {}).get("template") if isinstance(gen.get(kind), dict) else None
        template = merge_template(gen_template, base_template)
        for params in params_list:
            try:
                app = render_application(
                    template,
                    params,
                    go_template=ctx.go_template,
                    options=ctx.options,
                    sync_policy=spec.get("syncPolicy"),
                    template_patch=spec.get("templatePatch"),
                    namespace=namespace,
                    budget=budget,
                )
            except TemplateRenderError as e:
                raise InputError(
                    f"ApplicationSet {_name(appset)}, {_gen_label(i, gen)}, parameters {_params_text(params)}: {e}",
                    file=source,
                    line=line,
                ) from None
            if not app["metadata"].get("name"):
                raise InputError(
                    f"ApplicationSet {_name(appset)}, {_gen_label(i, gen)}, parameters {_params_text(params)}: the generated Application has no metadata.name",
                    file=source,
                    line=line,
                )
            apps.append(app)
    seen: set[str] = set()
    for app in apps:
        name = app["metadata"]["name"]
        if name in seen:
            raise InputError(f"ApplicationSet {_name(appset)} contains applications with duplicate name: {name}", file=source, line=line)
        seen.add(name)
    return apps
