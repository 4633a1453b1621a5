"""`sluice appset generate`: like `argocd appset generate`, offline.

Registered on the main CLI with `cli.add_command(appset)`.
"""
from __future__ import annotations

import json
import os
from typing import Any

import click

from renderer.appset import ClusterInfo, RepoResolver, cluster_info_from_secret, expand, generate_params, is_application_set
from renderer.core.errors import InputError

from .run import run_command



def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read: {e}", file=path) from None


def _docs(path: str) -> list[tuple[Any, int]]:
    from renderer.core.yaml import load_documents_with_lines

    return load_documents_with_lines(_read(path), path)


def _yaml_files(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        raise InputError("clusters path not found", file=path)
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith((".yaml", ".yml", ".json")))
    return out


def load_clusters(paths: tuple[str, ...]) -> list[ClusterInfo]:
    """Cluster Secrets (`argocd.argoproj.io/secret-type: cluster`) from files or directories."""
    clusters: list[ClusterInfo] = []
    for p in paths:
        for f in _yaml_files(p):
            for doc, line in _docs(f):
                if not isinstance(doc, dict) or doc.get("kind") != "Secret":
                    continue
                labels = (doc.get("metadata") or {}).get("labels") or {}
                if labels.get("argocd.argoproj.io/secret-type") != "cluster":
                    continue
                clusters.append(cluster_info_from_secret(doc, f, line))
    return clusters


def _repos(values: tuple[str, ...]) -> RepoResolver:
    default = None
    mapping: dict[str, str] = {}
    for v in values:
        url, sep, path = v.partition("=")
        if sep and ("://" in url or url.startswith("git@") or "@" in url):
            mapping[url] = path
        elif sep:
            raise InputError(f"--repo {v}: expected ROOT or URL=PATH")
        else:
            default = v
    return RepoResolver(mapping, default)


def _inputs(path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    docs = _docs(path)
    data = docs[0][0] if docs else {}
    if not isinstance(data, dict):
        raise InputError("generator inputs must be a mapping keyed by generator type (or by ApplicationSet name)", file=path)
    return data


@click.group("appset")
def appset() -> None:
    """Argo CD ApplicationSets."""


@appset.command("generate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--clusters", "clusters", multiple=True, type=click.Path(), help="Cluster Secrets: a file or directory (repeatable).")
@click.option("--repo", "repos", multiple=True, help="Local copy of the git repositories: ROOT for all, or URL=PATH (repeatable).")
@click.option("--generator-inputs", type=click.Path(dir_okay=False), help="JSON/YAML results for scmProvider, pullRequest, clusterDecisionResource and plugin generators.")
@click.option("-o", "--output", "output", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--params", "show_params", is_flag=True, help="Print the generators' parameter sets (JSON) instead of Applications.")
@click.option("--steps", "show_steps", is_flag=True, help="Print the RollingSync rollout plan: which Applications fall in which step.")
def generate(file: str, clusters: tuple[str, ...], repos: tuple[str, ...], generator_inputs: str | None, output: str,
             show_params: bool, show_steps: bool) -> None:
    """Print the Applications the ApplicationSet(s) in FILE generate."""

    def go() -> int:
        click.echo(run_generate(file, clusters, repos, generator_inputs, output, show_params, show_steps), nl=False)
        return 0

    run_command(go)


def run_generate(file: str, clusters: tuple[str, ...], repos: tuple[str, ...], generator_inputs: str | None, output: str,
                 show_params: bool, show_steps: bool = False) -> str:
    from renderer.core.yaml import dump_documents

    inventory = load_clusters(clusters)
    resolver = _repos(repos)
    inputs = _inputs(generator_inputs)
    sets = [(doc, line) for doc, line in _docs(file) if is_application_set(doc)]
    if not sets:
        raise InputError("no argoproj.io ApplicationSet in this file", file=file)
    if show_params:
        result = []
        for doc, line in sets:
            params = generate_params(doc, clusters=inventory, repos=resolver, source=file, inputs=inputs, line=line)
            result.append({"applicationSet": (doc.get("metadata") or {}).get("name"), "generators": params})
        return json.dumps(result, indent=2, sort_keys=True, default=str) + "\n"
    apps: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for doc, line in sets:
        generated = expand(doc, clusters=inventory, repos=resolver, source=file, inputs=inputs, line=line)
        apps.extend(generated)
        if show_steps:
            from ..appset.rollout import rollout_plan

            plan = rollout_plan(doc, generated, source=file)
            if plan is None:
                raise InputError(f"ApplicationSet {(doc.get('metadata') or {}).get('name')}: no strategy.type RollingSync", file=file, line=line)
            plans.append(plan.to_dict())
    if show_steps:
        if output == "json":
            return json.dumps(plans, indent=2) + "\n"
        lines = []
        for record in plans:
            lines.append(f"ApplicationSet {record['applicationSet']}:")
            for step in record["steps"]:
                cap = f" (maxUpdate {step['maxUpdate']})" if step["maxUpdate"] is not None else ""
                lines.append(f"  step {step['step']}{cap}: {', '.join(step['applications']) or '-'}")
            if record["unmatched"]:
                lines.append(f"  in no step (not synced by the rollout): {', '.join(record['unmatched'])}")
        return "\n".join(lines) + "\n"
    if output == "json":
        return json.dumps(apps, indent=2, sort_keys=True) + "\n"
    return dump_documents(apps) if apps else ""
