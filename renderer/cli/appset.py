"""`sluice appset generate`: like `argocd appset generate`, offline.

Registered on the main CLI with `cli.add_command(appset)`.
"""
from __future__ import annotations

import json
import os
from typing import Any

import click

from renderer.appset import (
    ClusterInfo,
    RepoResolver,
    cluster_info_from_secret,
    expand,
    generate_params,
    is_application_set,
)
from renderer.core.errors import InputError

from .options import ALLOW_ROOT_OPTION, LIMIT_OPTION
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


def _split_repo(values: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """`--repo` is the repository root; the old `--repo URL=PATH` is `--repository`, kept
    for one release."""
    from .options import deprecated

    root: str | None = None
    legacy: list[str] = []
    for v in values:
        url, sep, _path = v.rpartition("=")
        if sep and url and ("://" in url or url.startswith("git@") or "@" in url):
            deprecated(f"--repo {v}", f"--repository {v} (--repo is the repository root)")
            legacy.append(v)
        elif sep and url:
            raise InputError(f"--repo {v}: expected the repository root (a checkout of another repository is "
                             "--repository URL=PATH)")
        else:
            root = v
    return root, tuple(legacy)


def _default_root(file: str) -> str | None:
    """The repository holding FILE: the nearest directory above it with a sluice.yaml or a
    `.git` (a dry repository may sit in a subdirectory of a work tree, or outside git)."""
    here = os.path.dirname(os.path.abspath(file))
    while True:
        if os.path.exists(os.path.join(here, ".git")) or os.path.isfile(os.path.join(here, "sluice.yaml")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _inventory(file: str, clusters: tuple[str, ...], repos: tuple[str, ...], repositories: tuple[str, ...],
               use_config: bool, allowed_roots: tuple[str, ...] = ()) -> tuple[list[ClusterInfo], RepoResolver, str | None]:
    """Clusters and repository checkouts: the command line's, else the repository's sluice.yaml
    (as `sluice render` would see them). Also returns the sluice.yaml read, if any."""
    from .options import repository_map

    root, legacy = _split_repo(repos)
    mapping = repository_map((*legacy, *repositories))
    config_file = None
    inventory = load_clusters(clusters)
    default = root
    base = root or _default_root(file)
    if use_config and base is not None:
        from renderer.fleet.appset_inputs import repository_inputs

        found = repository_inputs(base, granted=[*allowed_roots, *mapping.values()], overridden=mapping.keys())
        config_file = found.config_file
        if config_file is not None:
            if not clusters:
                inventory = list(found.clusters)
            mapping = {**found.repositories, **mapping}
        # an explicit --repo ROOT stands for every other URL; else as a render of the repository has it
        # (without sluice.yaml, or one without repoURL, the repository stands for every URL)
        default = root or found.default_root
    return inventory, RepoResolver(mapping, default), config_file


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
    """ApplicationSets, offline (like `argocd appset generate`)."""


@appset.command("generate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--clusters", "clusters", multiple=True, type=click.Path(),
              help="Cluster Secrets: a file or directory (repeatable; default: those sluice.yaml's repository holds).")
@click.option("--repo", "repos", multiple=True, metavar="ROOT",
              help="The repository root: its sluice.yaml gives clusters and repositories, and it is the local copy "
                   "of its own repoURL, or of every repoURL when sluice.yaml names none (default: the nearest "
                   "directory above FILE holding sluice.yaml or .git).")
@click.option("--repository", "repositories", multiple=True, metavar="URL=PATH",
              help="A local checkout of another repository the generators read (repeatable; adds to sluice.yaml's).")
@ALLOW_ROOT_OPTION
@click.option("--no-config", is_flag=True, help="Ignore sluice.yaml: only the command line's clusters and repositories.")
@click.option("--generator-inputs", type=click.Path(dir_okay=False), help="JSON/YAML results for scmProvider, pullRequest, clusterDecisionResource and plugin generators.")
@click.option("-o", "--output", "output", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Output format.")
@click.option("--params", "show_params", is_flag=True, help="Print the generators' parameter sets (JSON) instead of Applications.")
@LIMIT_OPTION
@click.option("--steps", "show_steps", is_flag=True, help="Print the RollingSync rollout plan: which Applications fall in which step.")
def generate(file: str, clusters: tuple[str, ...], repos: tuple[str, ...], repositories: tuple[str, ...],
             allowed_roots: tuple[str, ...], no_config: bool, generator_inputs: str | None, output: str,
             show_params: bool, show_steps: bool) -> None:
    """Print the Applications the ApplicationSet(s) in FILE generate."""

    def go() -> int:
        click.echo(run_generate(file, clusters, repos, generator_inputs, output, show_params, show_steps,
                                repositories=repositories, use_config=not no_config, allowed_roots=allowed_roots,
                                note=lambda message: click.echo(f"note: {message}", err=True)), nl=False)
        return 0

    run_command(go)


def run_generate(file: str, clusters: tuple[str, ...], repos: tuple[str, ...], generator_inputs: str | None, output: str,
                 show_params: bool, show_steps: bool = False, *, repositories: tuple[str, ...] = (),
                 use_config: bool = True, allowed_roots: tuple[str, ...] = (), note: Any = None) -> str:
    from renderer.core.yaml import dump_documents

    inventory, resolver, _config_file = _inventory(file, clusters, repos, repositories, use_config, allowed_roots)
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
        if not generated and note is not None:  # as `sluice render` says it: an empty result is not an error
            note(f"{file}:{line or 1}: ApplicationSet {(doc.get('metadata') or {}).get('name')} generates no "
                 f"Application (its generators produced no parameters from the clusters and files sluice sees)")
        if show_steps:
            from ..appset.rollout import rollout_plan

            plan = rollout_plan(doc, generated, source=file)
            if plan is None:  # not an error: Argo CD syncs all of them at once, which is worth knowing
                name = (doc.get("metadata") or {}).get("name")
                if note is not None:
                    note(f"{file}:{line}: ApplicationSet {name} has no strategy.type RollingSync: "
                         f"its {len(generated)} Application(s) sync at once, in no steps")
                plans.append({"applicationSet": name, "rollingSync": False, "steps": [],
                              "unmatched": [], "applications": sorted(str((a.get("metadata") or {}).get("name")) for a in generated)})
                continue
            plans.append({**plan.to_dict(), "rollingSync": True})
    if show_steps:
        if output == "json":
            return json.dumps(plans, indent=2) + "\n"
        lines = []
        for record in plans:
            if not record["rollingSync"]:
                lines.append(f"ApplicationSet {record['applicationSet']}: no RollingSync, every Application syncs at once: "
                             f"{', '.join(record['applications']) or '-'}")
                continue
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
