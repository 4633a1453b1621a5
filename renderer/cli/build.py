"""`sluice build DIR`: one kustomization to stdout, as `kubectl kustomize DIR`."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..core.errors import SluiceError
from .options import legacy_output_path
from .run import EXIT_OK, run_command


def _repo_and_path(directory: str, repo: str | None) -> tuple[Any, str]:
    from ..core.fs import RepoFS, build_root

    target = Path(directory).resolve()
    if not target.exists():
        raise SluiceError(f"directory not found: {directory}")
    fs = RepoFS(Path(repo).resolve() if repo else build_root(target))
    return fs, fs.relpath(target)


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--repo", type=click.Path(file_okay=False), metavar="ROOT",
              help="Confine every read to this repository root (default: kustomize's load restrictor alone, as kubectl kustomize).")
@click.option("--load-restrictor", type=click.Choice(["LoadRestrictionsRootOnly", "LoadRestrictionsNone", "rootOnly", "none"]),
              default="LoadRestrictionsRootOnly", show_default=True, help="Whether files outside a kustomization's directory may be read.")
@click.option("--enable-helm", is_flag=True, help="Inflate helmCharts through sluice's Helm engine.")
@click.option("--reorder", type=click.Choice(["legacy", "none"]), default="legacy", show_default=True,
              help="Output order: legacy (kustomize's kind order, as kubectl kustomize prints) or none (as accumulated).")
@click.option("-o", "--output", "output_format", default="yaml", show_default=True, metavar="[yaml|json]",
              callback=legacy_output_path("yaml", "json"),
              help="Output format (json: a v1 List, as kubectl get -o json).")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def build(directory: str, repo: str | None, load_restrictor: str, enable_helm: bool, reorder: str,
          output_format: tuple[str, str | None], out: str | None) -> None:
    """Build one kustomization, as `kubectl kustomize DIRECTORY` does."""
    fmt, legacy_out = output_format
    output = out or legacy_out

    def go() -> int:
        from ..core.yaml import dump_documents
        from ..kustomize import Builder, BuildOptions

        fs, path = _repo_and_path(directory, repo)
        restrictor = "none" if load_restrictor in ("LoadRestrictionsNone", "none") else "rootOnly"
        engine = None
        if enable_helm:
            from ..helm.kustomize_adapter import KustomizeHelm

            engine = KustomizeHelm()
        options = BuildOptions(load_restrictor=restrictor, enable_helm=enable_helm, reorder=reorder, helm_engine=engine)
        try:
            resources = Builder(fs, options).build(path)
            text = (json.dumps({"apiVersion": "v1", "kind": "List", "items": resources}, indent=2) + "\n"
                    if fmt == "json" else dump_documents(resources))
        except SluiceError as exc:
            if exc.file and fs.root == Path(fs.root.anchor):  # read from `/`: name files as kubectl does
                exc.file = fs.abspath(exc.file)
            raise
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise SluiceError(f"cannot write --out {output}: {exc.strerror or exc}") from None
        else:
            sys.stdout.write(text)
        return EXIT_OK

    run_command(go)
