"""Chart dependencies resolved offline, as `helm dependency build` would.

Oracle: the real `helm` binary. A copy of each chart gets `helm dependency build` (a
`file://` directory, or a chart repository served on 127.0.0.1) and `helm template`; sluice
renders the untouched chart, resolving the missing dependencies from the repository and the
chart cache, and must print the same documents.
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
from click.testing import CliRunner

from renderer.cli import cli
from renderer.core.errors import InputError, OutOfReach
from renderer.core.fs import RepoFS
from renderer.helm.argo import chart_cache_key, render_argo_helm, render_argo_repo_chart
from renderer.helm.dependencies import Dependency, missing_dependencies, vendor_dependencies
from renderer.helm.engine import default_engine, find_helm_binary
from renderer.helm.release import objects_resolver, prepare_release, render_helmrelease
from renderer.helm.repository import pull_chart
from renderer.fleet.pipeline import render_repo
from renderer.core.yaml import dump_document, load_documents
from trees import write_tree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "helm"
HELM = find_helm_binary()
pytestmark = pytest.mark.skipif(HELM is None, reason="needs the helm binary (tools/install_helm.py)")

BACKEND_VERSIONS = ("0.1.0", "0.1.5", "0.2.0")


# -- helpers ----------------------------------------------------------------------------


def helm(*args: str, home: Path) -> str:
    """The real helm binary with a private HOME (no user configuration, no repositories)."""
    assert HELM is not None
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "HELM_CACHE_HOME": str(home / "cache"),
           "HELM_CONFIG_HOME": str(home / "config"), "HELM_DATA_HOME": str(home / "data")}
    done = subprocess.run([HELM, *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def helm_rendered(chart: Path, tmp: Path, *, release: str = "web", namespace: str = "web",
                  values: str = "{}") -> list[dict[str, Any]]:
    """`helm dependency build` then `helm template` on a copy, as Argo CD does."""
    home = tmp / "helm-home"
    helm("dependency", "build", str(chart), home=home)
    (tmp / "values.yaml").write_text(values)
    out = helm("template", release, str(chart), "--namespace", namespace, "--include-crds",
               "--values", str(tmp / "values.yaml"), home=home)
    return load_documents(out, "helm template")


def backend(dest: Path, version: str = "0.1.0", name: str = "backend") -> Path:
    """The umbrella fixture's subchart, at `version`."""
    shutil.copytree(FIXTURES / "umbrella" / "charts" / "backend", dest)
    text = (dest / "Chart.yaml").read_text().replace("version: 0.1.0", f"version: {version}")
    (dest / "Chart.yaml").write_text(text.replace("name: backend", f"name: {name}"))
    return dest


def webapp(dest: Path, dependencies: str) -> Path:
    """The webapp fixture with `dependencies` (YAML list text) in its Chart.yaml."""
    shutil.copytree(FIXTURES / "webapp", dest)
    with (dest / "Chart.yaml").open("a") as f:
        f.write("dependencies:\n" + textwrap.indent(textwrap.dedent(dependencies).strip(), "  ") + "\n")
    return dest


def kinds_names(docs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(d["kind"], d["metadata"]["name"]) for d in docs]


def render(repo: Path, chart: str, *, cache: Path | None = None, values: dict[str, Any] | None = None,
           ) -> list[dict[str, Any]]:
    helm_opts: dict[str, Any] = {"valuesObject": values} if values else {}
    return render_argo_helm(RepoFS(repo), chart, helm_opts, app_name="web", namespace="web", engine=ENGINE,
                            where="spec.source", file="apps/web.yaml", chart_cache=cache)


ENGINE = default_engine()


@pytest.fixture(scope="module")
def chart_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`backend` at three versions, packaged with helm, an index.yaml with digests, served
    over HTTP on 127.0.0.1 under /stable."""
    work = tmp_path_factory.mktemp("dep-repo")
    served = work / "served" / "stable"
    served.mkdir(parents=True)
    entries: list[dict[str, Any]] = []
    for version in BACKEND_VERSIONS:
        src = backend(work / "src" / version / "backend", version)
        helm("package", str(src), "-d", str(served), home=work / "home")
        archive = served / f"backend-{version}.tgz"
        entries.append({"apiVersion": "v2", "name": "backend", "version": version, "urls": [archive.name],
                        "digest": hashlib.sha256(archive.read_bytes()).hexdigest()})
    (served / "index.yaml").write_text(dump_document({"apiVersion": "v1", "entries": {"backend": entries}}))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(work / "served"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/stable"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def full_cache(chart_repo: str, tmp_path: Path) -> Path:
    """A chart cache holding every backend version, pulled from the served repository."""
    cache = tmp_path / "cache"
    for version in BACKEND_VERSIONS:
        pull_chart(chart_repo, "backend", version, cache)
    return cache


# -- file:// ---------------------------------------------------------------------------


def test_file_dependency_renders_as_helm_dependency_build(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    backend(repo / "charts" / "common")  # the directory name is not the chart name
    webapp(repo / "charts" / "web", "- {name: backend, version: 0.1.x, repository: 'file://../common'}")
    assert missing_dependencies(repo / "charts" / "web") == [Dependency("backend", "0.1.x", "file://../common")]
    ours = render(repo, "charts/web")
    assert ("Deployment", "web-backend") in kinds_names(ours) and ("Deployment", "web-webapp") in kinds_names(ours)
    assert not (repo / "charts" / "web" / "charts" / "backend-0.1.0.tgz").exists(), "the repository is not written to"
    oracle = tmp_path / "oracle"
    shutil.copytree(repo / "charts", oracle / "charts")
    assert ours == helm_rendered(oracle / "charts" / "web", tmp_path)


def test_file_dependency_is_packaged_as_it_is(tmp_path: Path) -> None:
    """`helm dependency build` does not resolve a file:// chart's own missing dependencies,
    and Helm renders without them: so does sluice."""
    repo = tmp_path / "repo"
    backend(repo / "lib", name="lib")
    mid = backend(repo / "mid")
    with (mid / "Chart.yaml").open("a") as f:
        f.write("dependencies:\n  - {name: lib, version: 0.1.0, repository: 'file://../lib'}\n")
    webapp(repo / "web", "- {name: backend, version: 0.1.0, repository: 'file://../mid'}")
    ours = render(repo, "web")
    assert not any(name.endswith("-lib") for _, name in kinds_names(ours))
    oracle = tmp_path / "oracle"
    shutil.copytree(repo, oracle)
    assert ours == helm_rendered(oracle / "web", tmp_path)


def test_file_dependency_errors(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    backend(tmp_path / "outside")
    webapp(repo / "escape", "- {name: backend, version: 0.1.0, repository: 'file://../../outside'}")
    with pytest.raises(InputError, match=r"apps/web.yaml: spec.source: chart webapp \(escape\): dependency backend .*escapes the repository root"):
        render(repo, "escape")
    backend(repo / "common", "0.2.0")
    webapp(repo / "old", "- {name: backend, version: ~0.1.0, repository: 'file://../common'}")
    with pytest.raises(InputError, match=r"is version '0.2.0', which does not match"):
        render(repo, "old")
    webapp(repo / "nowhere", "- {name: backend, version: 0.1.0, repository: 'file://../absent'}")
    with pytest.raises(InputError, match=r"absent is not a chart directory"):
        render(repo, "nowhere")


# -- http(s) from the chart cache --------------------------------------------------------


def test_http_dependency_from_the_cache_renders_as_helm(chart_repo: str, full_cache: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    webapp(repo / "web", f"- {{name: backend, version: ~0.1.0, repository: '{chart_repo}'}}")
    ours = render(repo, "web", cache=full_cache)
    backend_deployment = next(d for d in ours if d["metadata"]["name"] == "web-backend" and d["kind"] == "Deployment")
    assert backend_deployment["spec"]["replicas"] == 1
    oracle = tmp_path / "oracle"
    shutil.copytree(repo / "web", oracle / "web")
    assert ours == helm_rendered(oracle / "web", tmp_path), "~0.1.0: the newest 0.1.x, as helm resolves it"
    assert sorted(p.name for p in (oracle / "web" / "charts").iterdir()) == ["backend-0.1.5.tgz"]


def test_lock_file_pins_the_version(chart_repo: str, full_cache: Path, tmp_path: Path) -> None:
    """With a Chart.lock, `helm dependency build` takes the locked versions."""
    repo = tmp_path / "repo"
    web = webapp(repo / "web", f"- {{name: backend, version: ~0.1.0, repository: '{chart_repo}'}}")
    oracle = tmp_path / "oracle"
    shutil.copytree(web, oracle / "web")
    helm("dependency", "update", str(oracle / "web"), home=tmp_path / "home")  # writes Chart.lock (0.1.5)
    lock = (oracle / "web" / "Chart.lock").read_text()
    (web / "Chart.lock").write_text(lock.replace("0.1.5", "0.1.0"))
    [dep] = missing_dependencies(web)
    assert dep.locked == "0.1.0" and dep.constraint == "0.1.0"
    tmp: list[str] = []
    vendored = vendor_dependencies(web, chart_cache=full_cache, tmp_dirs=tmp, where="x")
    assert sorted(os.listdir(Path(vendored) / "charts")) == ["backend-0.1.0.tgz"]
    for d in tmp:
        shutil.rmtree(d)


def test_false_condition_still_needs_the_dependency(chart_repo: str, full_cache: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    webapp(repo / "web", f"- {{name: backend, version: 0.2.0, repository: '{chart_repo}', condition: backend.enabled}}")
    values = {"backend": {"enabled": False}}
    with pytest.raises(OutOfReach, match="dependency backend"):
        render(repo, "web", cache=tmp_path / "empty-cache", values=values)
    ours = render(repo, "web", cache=full_cache, values=values)
    assert not any(name == "web-backend" for _, name in kinds_names(ours))
    oracle = tmp_path / "oracle"
    shutil.copytree(repo / "web", oracle / "web")
    assert ours == helm_rendered(oracle / "web", tmp_path, values="backend: {enabled: false}\n")


def test_vendored_charts_are_used_as_they_are(tmp_path: Path) -> None:
    """Helm checks names only: a vendored subchart satisfies its dependency at any version
    (Argo CD and Flux resolve only missing names), and nothing is copied."""
    umbrella = tmp_path / "umbrella"
    shutil.copytree(FIXTURES / "umbrella", umbrella)
    tmp: list[str] = []
    assert missing_dependencies(umbrella) == []
    assert vendor_dependencies(umbrella, chart_cache=None, tmp_dirs=tmp, where="x") == umbrella.__fspath__()
    (umbrella / "Chart.yaml").write_text((umbrella / "Chart.yaml").read_text().replace("version: 0.1.0", "version: 9.9.9"))
    assert vendor_dependencies(umbrella, chart_cache=None, tmp_dirs=tmp, where="x") == str(umbrella)
    # packaged: a subchart archive in charts/ counts the same
    packed = tmp_path / "packed"
    helm("package", str(FIXTURES / "umbrella" / "charts" / "backend"), "-d", str(tmp_path / "p"), home=tmp_path / "home")
    webapp(packed, "- {name: backend, version: 0.1.0, repository: 'https://charts.example.com'}")
    (packed / "charts").mkdir(exist_ok=True)
    shutil.copy(tmp_path / "p" / "backend-0.1.0.tgz", packed / "charts")
    assert vendor_dependencies(packed, chart_cache=None, tmp_dirs=tmp, where="x") == str(packed)
    assert tmp == []


def test_missing_dependency_is_out_of_reach_with_the_fix(chart_repo: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    webapp(repo / "web", f"- {{name: backend, version: ~0.1.0, repository: '{chart_repo}'}}")
    key = chart_cache_key(chart_repo)
    for cache in (None, tmp_path / "empty"):
        with pytest.raises(OutOfReach) as info:
            render(repo, "web", cache=cache)
        message = str(info.value)
        assert message.startswith("apps/web.yaml: spec.source: chart webapp (web): dependency backend version '~0.1.0' from ")
        assert chart_repo in message and "helm dependency build" in message
        assert f"{key}/backend-<version>.tgz" in message and "sluice helm pull" in message


def test_constraint_the_cache_cannot_satisfy_lists_the_versions(chart_repo: str, full_cache: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    webapp(repo / "web", f"- {{name: backend, version: '>=1.0.0', repository: '{chart_repo}'}}")
    with pytest.raises(OutOfReach, match=r"versions present: 0\.1\.0, 0\.1\.5, 0\.2\.0.*helm dependency build"):
        render(repo, "web", cache=full_cache)


def test_repository_names_are_out_of_reach(full_cache: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    webapp(repo / "web", "- {name: backend, version: 0.1.0, repository: '@stable'}")
    with pytest.raises(OutOfReach, match=r"chart webapp \(web\): dependency backend .*'@stable' names a Helm repository"):
        render(repo, "web", cache=full_cache)
    webapp(repo / "bare", "- {name: backend, version: 0.1.0}")
    with pytest.raises(InputError, match="declares no repository"):
        render(repo, "bare", cache=full_cache)


def test_repository_chart_and_helmrelease_archive_get_their_dependencies(chart_repo: str, full_cache: Path,
                                                                         tmp_path: Path) -> None:
    """A chart packaged without its dependencies, from the chart cache (Argo CD) or as a .tgz
    in the repository (a HelmRelease with a GitRepository source)."""
    web = webapp(tmp_path / "src" / "web", f"- {{name: backend, version: 0.2.0, repository: '{chart_repo}'}}")
    other = "charts.example.com/apps"
    (web / "Chart.yaml").write_text((web / "Chart.yaml").read_text().replace("version: 0.1.0", "version: 1.0.0"))
    (full_cache / other).mkdir(parents=True)
    with tarfile.open(full_cache / other / "webapp-1.0.0.tgz", "w:gz") as tar:  # `helm package` would refuse it
        tar.add(web, arcname="webapp")
    repo = tmp_path / "repo"
    repo.mkdir()
    docs = render_argo_repo_chart(RepoFS(repo), f"https://{other}", "webapp", "1.0.0", {}, app_name="web",
                                  namespace="web", engine=ENGINE, chart_cache=full_cache, where="spec.source", file="a.yaml")
    assert ("Deployment", "web-backend") in kinds_names(docs)
    shutil.copy(full_cache / other / "webapp-1.0.0.tgz", repo / "webapp-1.0.0.tgz")
    hr = load_documents("""
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: web, namespace: web}
        spec:
          chart:
            spec: {chart: ./webapp-1.0.0.tgz, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}
        """.replace("\n        ", "\n"), "hr")[0]
    rendered = render_helmrelease(hr, RepoFS(repo), objects_resolver([]), engine=ENGINE, chart_cache=full_cache)
    assert ("Deployment", "web-backend") in kinds_names(rendered)
    prepared = prepare_release(hr, RepoFS(repo), objects_resolver([]), chart_cache=full_cache)
    try:
        assert os.path.isdir(prepared.chart) and os.listdir(Path(prepared.chart) / "charts") == ["backend-0.2.0.tgz"]
    finally:
        prepared.cleanup()
    assert not os.path.exists(prepared.chart), "temporary copies are removed"


# -- the fleet ---------------------------------------------------------------------------


def application(name: str, path: str, namespace: str = "web") -> str:
    return f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: {name}, namespace: argocd}}
        spec:
          source: {{repoURL: https://example.com/fleet.git, path: {path}}}
          destination: {{name: in-cluster, namespace: {namespace}}}
        """


def fleet(root: Path, chart_repo: str, *, generated: bool) -> Path:
    """A chart with a missing http dependency, used by an Application written in `apps/`,
    or generated by a root Application whose path holds the child manifest."""
    webapp(root / "charts" / "web", f"- {{name: backend, version: ~0.1.0, repository: '{chart_repo}'}}")
    files = {"sluice.yaml": "applications: [apps]\n"}
    if generated:
        files["apps/root.yaml"] = application("root", "children", "argocd")
        files["children/web.yaml"] = application("web", "charts/web")
    else:
        files["apps/web.yaml"] = application("web", "charts/web")
    return write_tree(root, files)


def test_fleet_missing_dependency_is_a_note_when_generated(chart_repo: str, tmp_path: Path) -> None:
    empty = tmp_path / "cache"
    empty.mkdir()
    generated = fleet(tmp_path / "generated", chart_repo, generated=True)
    bundles = render_repo(generated, write=False, chart_cache=empty)
    [note] = bundles.notes
    assert "Application web (rendered by Application root) not rendered" in note and "dependency backend" in note
    assert [a.app for a in bundles.apps] == ["root"]
    direct = fleet(tmp_path / "direct", chart_repo, generated=False)
    with pytest.raises(OutOfReach, match=r"apps/web.yaml.*chart webapp \(charts/web\): dependency backend version '~0.1.0'"):
        render_repo(direct, write=False, chart_cache=empty)


def test_fleet_pull_fetches_missing_dependencies(chart_repo: str, tmp_path: Path) -> None:
    repo = fleet(tmp_path / "dry", chart_repo, generated=False)
    webapp(repo / "charts" / "flux-web", f"- {{name: backend, version: 0.2.0, repository: '{chart_repo}'}}")
    write_tree(repo, {
        "apps/infra.yaml": application("infra", "infra", "ops"),
        "infra/release.yaml": """
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: ops, namespace: flux-system}
            spec:
              targetNamespace: ops
              chart:
                spec: {chart: ./charts/flux-web, sourceRef: {kind: GitRepository, name: flux-system}}
            """,
    })
    cache = tmp_path / "cache"
    args = ["helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    key = chart_cache_key(chart_repo)
    assert result.stdout.splitlines() == [f"pulled {cache / key / 'backend-0.1.5.tgz'}",
                                          f"pulled {cache / key / 'backend-0.2.0.tgz'}"]
    assert CliRunner().invoke(cli, args).stdout == result.stdout, "deterministic"
    # one HelmRelease's file: its chart's missing dependency only
    single = tmp_path / "single-cache"
    one = CliRunner().invoke(cli, ["helm", "pull", str(repo / "infra" / "release.yaml"), "--repo", str(repo),
                                   "--chart-cache", str(single)])
    assert one.exit_code == 0, one.output
    assert one.stdout.splitlines() == [f"pulled {single / key / 'backend-0.2.0.tgz'}"]
    bundles = render_repo(repo, write=False, chart_cache=cache)
    web = next(a for a in bundles.apps if a.app == "web")
    assert ("Deployment", "web-backend") in kinds_names(list(web.resources))
    infra = next(a for a in bundles.apps if a.app == "infra")
    assert ("Deployment", "ops-ops-backend") in kinds_names(list(infra.resources))
