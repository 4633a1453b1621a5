"""`sluice verify`: the click command (registered on the root group, renderer/cli/app.py)."""
from __future__ import annotations

import click

from .diff import COLOR_CHOICES, COLOR_HELP, stderr_progress, use_color
from .options import (
    JOBS_OPTION,
    OUTPUT_FORMAT,
    SELECT_OPTIONS,
    SOURCE_OPTIONS,
    repository_map,
    target_filter,
)


@click.command("verify")
@click.argument("repo", default=".", type=click.Path(file_okay=False))
@click.option("--changed", is_flag=True, help="Check only the targets whose input files changed against HEAD (pre-commit).")
@click.option("--allow-secrets", is_flag=True,
              help="Do not report plaintext Secrets (as sluice.yaml `allowPlaintextSecrets`; render and hydrate "
                   "then write them).")
@click.option("--no-schemas", is_flag=True, help="Skip schema validation.")
@click.option("--kubernetes-version", default=None, metavar="V",
              help="Kubernetes version to check against: the built-in schemas (default: the newest available) and "
                   "removed or deprecated APIs (default: each target cluster's version).")
@click.option("--schema-location", "schema_locations", multiple=True, metavar="DIR|TEMPLATE",
              help="More CRD schemas, kubeconform style: a directory of GROUP/KIND_VERSION.json or a path template "
                   "({{.Group}}, {{.ResourceKind}}, {{.ResourceAPIVersion}}); 'default' is the vendored catalog. Repeatable.")
@click.option("--skip-kinds", "skip_kinds", multiple=True, metavar="KINDS",
              help="Kinds not to schema-check: Kind or group/version/Kind, comma-separated. Repeatable.")
@OUTPUT_FORMAT("text", "json", "markdown")
@SELECT_OPTIONS
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True, help=COLOR_HELP)
@SOURCE_OPTIONS
@JOBS_OPTION
def verify(repo: str, changed: bool, allow_secrets: bool, no_schemas: bool, kubernetes_version: str | None,
           output_format: str, color: str, chart_cache: str | None, repositories: tuple[str, ...],
           allowed_roots: tuple[str, ...], helm_releases: str | None,
           schema_locations: tuple[str, ...] = (), skip_kinds: tuple[str, ...] = (),
           select_clusters: tuple[str, ...] = (), select_apps: tuple[str, ...] = (), jobs: int = 1,
           helm_engine: str | None = None) -> None:
    """Render REPO and check every resource: secrets, AppProject policy, schemas. Exit 1 on errors."""
    from .run import EXIT_FINDINGS, EXIT_OK, run_command

    def go() -> int:
        from ..verify import report_json, report_markdown, report_text, verify_repo

        progress, done = stderr_progress()
        try:
            result = verify_repo(repo, allow_secrets=allow_secrets, schemas=not no_schemas,
                                 kubernetes_version=kubernetes_version, changed=changed, progress=progress,
                                 chart_cache=chart_cache, repositories=repository_map(repositories),
                                 helm_releases=helm_releases, allowed_roots=allowed_roots,
                                 schema_locations=schema_locations, skip_kinds=skip_kinds,
                                 select=target_filter(select_clusters, select_apps), jobs=jobs,
                                 helm_engine=helm_engine)
        finally:
            done()
        if output_format == "json":
            click.echo(report_json(result), nl=False)
        elif output_format == "markdown":
            click.echo(report_markdown(result), nl=False)
        else:
            colored = use_color(color)
            click.echo(report_text(result, color=colored), nl=False, color=colored)
        return EXIT_OK if result.ok else EXIT_FINDINGS

    run_command(go)
