"""`sluice helm pull` for Argo CD Applications whose source is a chart from a Helm
repository, `--fleet`, and `helm.valueFiles` read from inside such a chart's archive.

A real chart repository (`helm package`, an index.yaml with sha256 digests) is served on
127.0.0.1; renders are compared with the real `helm template` on the pulled archive.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import tarfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from renderer.cli import cli
from renderer.core.errors import InputError
from renderer.helm.argo import chart_cache_key
from renderer.helm.engine import find_helm_binary
from renderer.helm.repository import pull_for_application
from renderer.fleet.pipeline import render_repo
from renderer.core.yaml import dump_document, load_documents
from trees import write_tree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "helm"
HELM = find_helm_binary()
pytestmark = pytest.mark.skipif(HELM is None, reason="needs the helm binary to package the charts (tools/install_helm.py)")

WEBAPP_VERSIONS = ("1.0.0", "1.1.0", "2.0.0")
PROD_VALUES = "replicaCount: 4\npodLabels: {tier: prod}\nservice: {port: 8080}\n"


def _package(chart_dir: Path, version: str, dest: Path) -> Path:
    assert HELM is not None
    subprocess.run([HELM, "package", str(chart_dir), "--version", version, "-d", str(dest)], check=True, capture_output=True)
    return dest / f"{chart_dir.name}-{version}.tgz"


@pytest.fixture(scope="module")
def chart_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`webapp` (shipping a values-prod.yaml) at three versions and `operator` at one, with a
    hand-written index.yaml (sha256 digests), served over HTTP on 127.0.0.1 under /stable."""
    work = tmp_path_factory.mktemp("chart-repo")
    webapp = work / "src" / "webapp"
    shutil.copytree(FIXTURES / "webapp", webapp)
    (webapp / "values-prod.yaml").write_text(PROD_VALUES)
    served = work / "served" / "stable"
    (served / "archives").mkdir(parents=True)
    archives = [("webapp", v, _package(webapp, v, served / "archives")) for v in WEBAPP_VERSIONS]
    archives.append(("operator", "0.3.0", _package(FIXTURES / "operator", "0.3.0", served / "archives")))
    entries: dict[str, list[dict[str, Any]]] = {}
    for chart, version, archive in archives:
        entries.setdefault(chart, []).append({
            "apiVersion": "v2", "name": chart, "version": version, "urls": [f"archives/{archive.name}"],
            "digest": hashlib.sha256(archive.read_bytes()).hexdigest(),
        })
    (served / "index.yaml").write_text(dump_document({"apiVersion": "v1", "entries": entries}))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(work / "served"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/stable"
    finally:
        server.shutdown()
        server.server_close()


def sluice(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def pulled(result: Result) -> list[str]:
    return [line.removeprefix("pulled ") for line in result.stdout.splitlines() if line.startswith("pulled ")]


def application(name: str, source: str, namespace: str = "web") -> str:
    return f"""
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}, namespace: argocd}}
spec:
{textwrap.indent(textwrap.dedent(source).strip(), "  ")}
  destination: {{name: in-cluster, namespace: {namespace}}}
"""


def chart_source(repo_url: str, chart: str = "webapp", revision: str = "1.x", helm: str = "") -> str:
    text = f"source:\n  repoURL: {repo_url}\n  chart: {chart}\n  targetRevision: {revision!r}\n"
    return text + (f"  helm: {helm}\n" if helm else "")


# -- sluice helm pull FILE -----------------------------------------------------------------


def test_pull_single_source_application(chart_repo: str, tmp_path: Path) -> None:
    app = write_tree(tmp_path / "dry", {"app.yaml": application("web", chart_source(chart_repo))}) / "app.yaml"
    cache = tmp_path / "cache"
    result = sluice("helm", "pull", str(app), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output
    key = chart_cache_key(chart_repo)
    assert key.startswith("127.0.0.1_") and key.endswith("/stable")
    assert pulled(result) == [str(cache / key / "webapp-1.1.0.tgz")], "1.x: the newest 1.* version"
    assert sorted(p.name for p in (cache / key).iterdir()) == ["webapp-1.1.0.tgz"], "the archive, nothing else"


def test_pull_multi_source_application(chart_repo: str, tmp_path: Path) -> None:
    app = write_tree(tmp_path / "dry", {"app.yaml": application("multi", f"""
        sources:
          - repoURL: https://git.example.com/dry.git
            targetRevision: main
            ref: values
          - repoURL: {chart_repo}
            chart: webapp
            targetRevision: "~1.0.0"
          - repoURL: {chart_repo}/
            chart: operator
          - repoURL: https://git.example.com/dry.git
            path: apps/extra
        """)}) / "app.yaml"
    cache = tmp_path / "cache"
    result = sluice("helm", "pull", str(app), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output
    key = chart_cache_key(chart_repo)
    assert pulled(result) == [str(cache / key / "webapp-1.0.0.tgz"), str(cache / key / "operator-0.3.0.tgz")]
    assert sorted(p.name for p in (cache / key).iterdir()) == ["operator-0.3.0.tgz", "webapp-1.0.0.tgz"], "one folder per URL"


def test_pull_name_picks_one_of_several(chart_repo: str, tmp_path: Path) -> None:
    app = write_tree(tmp_path / "dry", {"apps.yaml": application("old", chart_source(chart_repo, revision="1.0.0"))
                                        + "---" + application("new", chart_source(chart_repo, revision="2.x"))}) / "apps.yaml"
    cache = tmp_path / "cache"
    result = sluice("helm", "pull", str(app), "--chart-cache", str(cache))
    assert result.exit_code == 2
    assert "several HelmReleases/Applications (Application old, Application new): pick one with --name" in result.output
    result = sluice("helm", "pull", str(app), "--name", "new", "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output
    assert [Path(p).name for p in pulled(result)] == ["webapp-2.0.0.tgz"]
    result = sluice("helm", "pull", str(app), "--name", "nope", "--chart-cache", str(cache))
    assert result.exit_code == 2 and "no HelmRelease (helm.toolkit.fluxcd.io) or Argo CD Application named 'nope' found" in result.output


def test_pull_twice_is_idempotent(chart_repo: str, tmp_path: Path) -> None:
    app = write_tree(tmp_path / "dry", {"app.yaml": application("web", chart_source(chart_repo))}) / "app.yaml"
    cache = tmp_path / "cache"
    first = sluice("helm", "pull", str(app), "--chart-cache", str(cache))
    assert first.exit_code == 0, first.output

    def snapshot() -> dict[str, tuple[bytes, int]]:
        return {str(p.relative_to(cache)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(cache.rglob("*")) if p.is_file()}

    before = snapshot()
    second = sluice("helm", "pull", str(app), "--chart-cache", str(cache))
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    assert snapshot() == before, "same files, same bytes, nothing rewritten"


def test_version_constraints_pick_the_newest_matching(chart_repo: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = {"": "2.0.0", "*": "2.0.0", "1.0.0": "1.0.0", "~1.0": "1.0.0", "^1.0.0": "1.1.0", ">=1.0.0 <2.0.0": "1.1.0",
                "1.1.x": "1.1.0", ">1.0.0": "2.0.0"}
    for revision, version in expected.items():
        source: dict[str, Any] = {"repoURL": chart_repo, "chart": "webapp"}
        if revision:
            source["targetRevision"] = revision
        app = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "web"},
               "spec": {"source": source}}
        assert [p.name for p in pull_for_application(app, cache)] == [f"webapp-{version}.tgz"], revision
    app["spec"]["source"]["targetRevision"] = ">=3.0"
    with pytest.raises(InputError, match=r"Application web spec.source: chart webapp >=3.0 from .*: helm pull failed: .*webapp.*>=3.0"):
        pull_for_application(app, cache)


def test_an_unreachable_registry_is_a_clear_error(chart_repo: str, tmp_path: Path) -> None:
    """OCI sources are pulled by Helm like HTTP ones; a registry Helm cannot reach (an
    `.invalid` host never resolves) names the Application's source and Helm's reason."""
    app = write_tree(tmp_path / "dry", {"app.yaml": application("cache", f"""
        sources:
          - {{repoURL: {chart_repo}, chart: webapp, targetRevision: "1.0.0"}}
          - {{repoURL: registry.invalid/charts, chart: redis, targetRevision: 19.0.1}}
        """)}) / "app.yaml"
    cache = tmp_path / "cache"
    result = sluice("helm", "pull", str(app), "--chart-cache", str(cache))
    assert result.exit_code == 2
    assert "Application cache spec.sources[1]: chart redis 19.0.1 from registry.invalid/charts: helm pull failed" in result.output
    assert "Traceback" not in result.output


def test_application_without_repository_chart_needs_no_pull(tmp_path: Path) -> None:
    app = write_tree(tmp_path / "dry", {"app.yaml": application("plain", "source: {repoURL: https://git.example.com/x.git, path: apps/web}")}) / "app.yaml"
    result = sluice("helm", "pull", str(app), "--chart-cache", str(tmp_path / "cache"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("nothing to pull")
    appset = write_tree(tmp_path / "dry", {"set.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec: {}\n"}) / "set.yaml"
    result = sluice("helm", "pull", str(appset), "--chart-cache", str(tmp_path / "cache"))
    assert result.exit_code == 2 and "ApplicationSets are not expanded" in result.output
    result = sluice("helm", "pull", "--chart-cache", str(tmp_path / "cache"))
    assert result.exit_code == 2 and "give FILE" in result.output


# -- sluice helm pull --fleet ----------------------------------------------------------------


def fleet_repo(root: Path, chart_repo: str, helm: str = "{valueFiles: [values-prod.yaml]}") -> Path:
    """An Application with a Helm-repository chart, and one whose directory holds a Flux
    HelmRelease whose chart comes from a HelmRepository."""
    return write_tree(root, {
        "apps/web.yaml": application("web", chart_source(chart_repo, helm=helm)),
        "apps/infra.yaml": application("infra", "source: {repoURL: https://git.example.com/dry.git, path: infra}", "ops"),
        "infra/release.yaml": f"""
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: HelmRepository
            metadata: {{name: stable, namespace: flux-system}}
            spec: {{url: "{chart_repo}"}}
            ---
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {{name: ops, namespace: flux-system}}
            spec:
              targetNamespace: ops
              chart:
                spec:
                  chart: webapp
                  version: "~1.0.0"
                  sourceRef: {{kind: HelmRepository, name: stable}}
              values: {{replicaCount: 3}}
            """,
    })


def test_fleet_pull_fills_the_cache_then_render_succeeds(chart_repo: str, tmp_path: Path) -> None:
    repo = fleet_repo(tmp_path / "dry", chart_repo)
    cache = tmp_path / "cache"
    result = sluice("render", str(repo), "--chart-cache", str(cache), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "chart cache" in result.output, "nothing pulled yet: a clear error"
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output
    key = chart_cache_key(chart_repo)
    # one layout for Argo CD and Flux sources: the HelmRepository's chart is under its URL too
    assert pulled(result) == sorted([str(cache / key / "webapp-1.1.0.tgz"), str(cache / key / "webapp-1.0.0.tgz")])
    again = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache))
    assert again.stdout == result.stdout, "deterministic"
    result = sluice("render", str(repo), "--chart-cache", str(cache), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    bundles = render_repo(repo, write=False, chart_cache=cache)
    web = next(a for a in bundles.apps if a.app == "web")
    deployment = next(d for d in web.resources if d["kind"] == "Deployment")
    assert deployment["metadata"]["name"] == "web-webapp" and deployment["spec"]["replicas"] == 4
    assert deployment["metadata"]["labels"]["helm.sh/chart"] == "webapp-1.1.0"
    infra = next(a for a in bundles.apps if a.app == "infra")
    release = next(d for d in infra.resources if d["kind"] == "Deployment")
    assert release["metadata"]["name"] == "ops-ops-webapp" and release["spec"]["replicas"] == 3
    assert release["metadata"]["labels"]["helm.sh/chart"] == "webapp-1.0.0"


def test_fleet_pull_reports_what_helm_could_not_pull(chart_repo: str, tmp_path: Path) -> None:
    """A chart Helm cannot pull does not stop the others: each is named, exit 1."""
    repo = fleet_repo(tmp_path / "dry", chart_repo)
    write_tree(repo, {
        "apps/redis.yaml": application("redis", "source: {repoURL: registry.invalid/bitnamicharts, chart: redis, targetRevision: 19.0.1}"),
        "infra/oci.yaml": """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: HelmRepository
            metadata: {name: ghcr, namespace: flux-system}
            spec: {type: oci, url: "oci://ghcr.invalid/example/charts"}
            ---
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: tool, namespace: flux-system}
            spec:
              chart:
                spec: {chart: tool, version: "1.2.3", sourceRef: {kind: HelmRepository, name: ghcr}}
            """,
    })
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(tmp_path / "cache"))
    assert result.exit_code == 1, result.output
    assert len(pulled(result)) == 2
    failed = [line for line in result.output.splitlines() if line.startswith("failed: ")]
    assert [line.split(": helm pull failed")[0] for line in failed] == [
        "failed: HelmRelease flux-system/tool: chart tool 1.2.3 from oci://ghcr.invalid/example/charts",
        "failed: Application redis spec.source (apps/redis.yaml): chart redis 19.0.1 from registry.invalid/bitnamicharts",
    ]
    assert "error: 2 chart(s) not pulled" in result.output
    assert sluice("helm", "pull", "--fleet", "app.yaml", "--chart-cache", "c").exit_code == 2


# -- valueFiles inside a repository chart ---------------------------------------------------------


def _render_web(repo: Path, cache: Path) -> list[dict[str, Any]]:
    bundles = render_repo(repo, write=False, chart_cache=cache)
    return next(a for a in bundles.apps if a.app == "web").resources


def _pull_fleet(repo: Path, cache: Path) -> None:
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output


def test_value_files_inside_the_chart_archive(chart_repo: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = fleet_repo(tmp_path / "plain", chart_repo, helm="{}")
    _pull_fleet(plain, cache)
    default = next(d for d in _render_web(plain, cache) if d["kind"] == "Deployment")
    assert default["spec"]["replicas"] == 1 and "tier" not in default["spec"]["template"]["metadata"]["labels"]

    prod = fleet_repo(tmp_path / "prod", chart_repo)
    docs = _render_web(prod, cache)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["spec"]["replicas"] == 4 and deployment["spec"]["template"]["metadata"]["labels"]["tier"] == "prod"
    assert next(d for d in docs if d["kind"] == "Service")["spec"]["ports"][0]["port"] == 8080

    # order: value files, then valuesObject, then parameters
    layered = fleet_repo(tmp_path / "layered", chart_repo, helm=(
        "{valueFiles: [values-prod.yaml], valuesObject: {replicaCount: 5, service: {port: 9090}}, "
        "parameters: [{name: replicaCount, value: '6'}]}"))
    docs = _render_web(layered, cache)
    assert next(d for d in docs if d["kind"] == "Deployment")["spec"]["replicas"] == 6
    assert next(d for d in docs if d["kind"] == "Service")["spec"]["ports"][0]["port"] == 9090

    missing = fleet_repo(tmp_path / "missing", chart_repo, helm="{valueFiles: [values-prod.yaml, values-staging.yaml]}")
    with pytest.raises(InputError, match=r"valueFiles: 'values-staging.yaml' not found \(not in chart webapp-1.1.0 "):
        _render_web(missing, cache)
    result = sluice("render", str(missing), "--chart-cache", str(cache), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "values-staging.yaml" in result.output and "webapp-1.1.0" in result.output
    ignored = fleet_repo(tmp_path / "ignored", chart_repo,
                         helm="{valueFiles: [values-staging.yaml, values-prod.yaml], ignoreMissingValueFiles: true}")
    assert next(d for d in _render_web(ignored, cache) if d["kind"] == "Deployment")["spec"]["replicas"] == 4

    escape = fleet_repo(tmp_path / "escape", chart_repo, helm="{valueFiles: [../values.yaml]}")
    with pytest.raises(InputError, match="escapes the chart webapp-1.1.0.tgz"):
        _render_web(escape, cache)


def test_ref_value_files_resolve_in_the_dry_repository(chart_repo: str, tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "dry", {
        "apps/web.yaml": application("web", f"""
            sources:
              - {{repoURL: https://git.example.com/dry.git, targetRevision: main, ref: values}}
              - repoURL: {chart_repo}
                chart: webapp
                targetRevision: 1.x
                helm: {{valueFiles: [values-prod.yaml, $values/env/prod.yaml]}}
            """),
        "env/prod.yaml": "replicaCount: 7\n",
    })
    cache = tmp_path / "cache"
    _pull_fleet(repo, cache)
    deployment = next(d for d in _render_web(repo, cache) if d["kind"] == "Deployment")
    assert deployment["spec"]["replicas"] == 7, "the ref file comes after the chart's own"
    assert deployment["spec"]["template"]["metadata"]["labels"]["tier"] == "prod"


def test_render_equals_helm_template_on_the_pulled_archive(chart_repo: str, tmp_path: Path) -> None:
    assert HELM is not None
    repo = fleet_repo(tmp_path / "dry", chart_repo)
    cache = tmp_path / "cache"
    _pull_fleet(repo, cache)
    archive = cache / chart_cache_key(chart_repo) / "webapp-1.1.0.tgz"
    extracted = tmp_path / "extracted"
    with tarfile.open(archive) as tar:
        tar.extractall(extracted, filter="data")
    values = extracted / "webapp" / "values-prod.yaml"
    assert values.read_text() == PROD_VALUES
    out = subprocess.run([HELM, "template", "web", str(archive), "--namespace", "web", "--include-crds",
                          "--values", str(values)], check=True, capture_output=True, text=True,
                         env={**os.environ, "HELM_CACHE_HOME": str(tmp_path / "hc"), "HELM_CONFIG_HOME": str(tmp_path / "hcfg")}).stdout
    expected = [d for d in load_documents(out, "helm template") if d]
    rendered = _render_web(repo, cache)

    def key(doc: dict[str, Any]) -> tuple[str, str]:
        return doc["kind"], doc["metadata"]["name"]

    def without_namespace(doc: dict[str, Any]) -> dict[str, Any]:
        # helm template leaves metadata.namespace to `kubectl apply -n`; a bundle sets it
        meta = {k: v for k, v in doc["metadata"].items() if k != "namespace"}
        return {**doc, "metadata": meta}

    assert sorted(map(key, rendered)) == sorted(map(key, expected))
    by_key = {key(d): d for d in rendered}
    for doc in expected:
        assert without_namespace(by_key[key(doc)]) == without_namespace(doc), key(doc)


def test_fleet_pull_follows_app_of_apps(chart_repo: str, tmp_path: Path) -> None:
    """App of apps: a child Application (rendered by its parent, not written in the repo)
    whose chart comes from a Helm repository is pulled too, so the render then inflates it
    instead of noting it as out of reach."""
    repo = write_tree(tmp_path / "dry", {
        "apps/root.yaml": application("root", "source: {repoURL: https://git.example.com/dry.git, path: children}", "argocd"),
        "children/web.yaml": application("web", chart_source(chart_repo, revision="2.x")),
        "sluice.yaml": "applications: [apps]\n",  # the children are Argo CD's to create, from the root's output
    })
    cache = tmp_path / "cache"
    before = render_repo(repo, write=False, chart_cache=cache)
    assert [a.app for a in before.apps] == ["root"] and "Application web (rendered by Application root) not rendered" in before.notes[0]
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output
    assert pulled(result) == [str(cache / chart_cache_key(chart_repo) / "webapp-2.0.0.tgz")]
    after = render_repo(repo, write=False, chart_cache=cache)
    assert sorted(a.app for a in after.apps) == ["root", "web"] and after.notes == ()
