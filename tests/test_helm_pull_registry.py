"""`sluice helm pull` against a real OCI registry on 127.0.0.1 (Debian's `docker-registry`),
with and without htpasswd authentication, filled with `helm push`: Helm's own pull, the
credentials where Helm and Docker keep them, one cache layout for Flux and Argo CD."""
from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from renderer.cli import cli
from renderer.helm.engine import find_helm_binary
from renderer.fleet.pipeline import render_repo
from trees import write_tree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "helm"
HELM = find_helm_binary()
REGISTRY = shutil.which("docker-registry") or ("/usr/bin/docker-registry" if Path("/usr/bin/docker-registry").is_file() else None)
HTPASSWD = shutil.which("htpasswd")
pytestmark = [
    pytest.mark.skipif(HELM is None, reason="needs the helm binary (python tools/install_helm.py)"),
    pytest.mark.skipif(REGISTRY is None, reason="needs Debian's docker-registry package: apt-get install docker-registry"),
]
USER, PASSWORD = "fleet", "s3cret-pass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(f"docker-registry exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("docker-registry did not listen")


def _helm(*args: str, env: dict[str, str], stdin: bytes | None = None) -> None:
    subprocess.run([str(HELM), *args], env=env, input=stdin, check=True, capture_output=True)


def _start(work: Path, auth: bool) -> Iterator[str]:
    port = _free_port()
    auth_block = ""
    if auth:
        if HTPASSWD is None:
            pytest.skip("needs htpasswd (apt-get install apache2-utils) for the registry's bcrypt password file")
        line = subprocess.run([HTPASSWD, "-Bbn", USER, PASSWORD], check=True, capture_output=True).stdout
        (work / "htpasswd").write_bytes(line)
        auth_block = f"auth:\n  htpasswd:\n    realm: sluice-test\n    path: {work / 'htpasswd'}\n"
    (work / "config.yml").write_text(
        f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {work / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n{auth_block}", encoding="utf-8")
    proc = subprocess.Popen([str(REGISTRY), "serve", str(work / "config.yml")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(port, proc)
        home = work / "pusher"
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "HELM_CONFIG_HOME": str(home / "config"),
               "HELM_CACHE_HOME": str(home / "cache"), "HELM_DATA_HOME": str(home / "data"),
               "HELM_REGISTRY_CONFIG": str(home / "registry.json")}
        if auth:
            _helm("registry", "login", f"127.0.0.1:{port}", "--username", USER, "--password-stdin", "--plain-http",
                  env=env, stdin=PASSWORD.encode())
        for version in ("1.0.0", "1.2.3"):
            _helm("package", str(FIXTURES / "webapp"), "--version", version, "-d", str(work / "pkg"), env=env)
            _helm("push", str(work / "pkg" / f"webapp-{version}.tgz"), f"oci://127.0.0.1:{port}/charts", "--plain-http", env=env)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture(scope="module")
def open_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _start(tmp_path_factory.mktemp("registry"), auth=False)


@pytest.fixture(scope="module")
def private_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _start(tmp_path_factory.mktemp("private-registry"), auth=True)


def fleet(root: Path, registry: str) -> Path:
    """A Flux HelmRelease on an OCIRepository and an Argo CD Application on the same
    registry path: one chart, one cache folder."""
    return write_tree(root, {
        "clusters/dev/flux-system/gotk-sync.yaml": """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: flux-system, namespace: flux-system}
            spec: {interval: 10m, path: ./clusters/dev, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
            """,
        "clusters/dev/web.yaml": f"""
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: OCIRepository
            metadata: {{name: webapp, namespace: flux-system}}
            spec: {{url: "oci://{registry}/charts/webapp", ref: {{tag: 1.2.3}}, insecure: true}}
            ---
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {{name: web, namespace: flux-system}}
            spec:
              targetNamespace: web
              chartRef: {{kind: OCIRepository, name: webapp}}
              values: {{replicaCount: 2}}
            """,
        "argocd/web.yaml": f"""
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {{name: argo-web, namespace: argocd}}
            spec:
              project: default
              source: {{repoURL: "{registry}/charts", chart: webapp, targetRevision: "~1.0.0"}}
              destination: {{server: https://kubernetes.default.svc, namespace: argo-web}}
            """,
    })


def sluice(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_pull_from_an_open_registry_then_render_offline(open_registry: str, tmp_path: Path, user_home: Path) -> None:
    repo = fleet(tmp_path / "dry", open_registry)
    cache = tmp_path / "cache"
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    folder = cache / open_registry.replace(":", "_") / "charts"
    assert sorted(p.name for p in folder.iterdir()) == ["webapp-1.0.0.tgz", "webapp-1.2.3.tgz"]
    assert [p for p in cache.rglob("*") if p.is_file() and p.parent != folder] == [], "one folder per repository URL"
    bundles = render_repo(repo, write=False, chart_cache=cache)
    assert not bundles.skipped
    flux = next(a for a in bundles.apps if a.cluster == "dev")
    deployment = next(r for r in flux.resources if r["kind"] == "Deployment")
    assert deployment["spec"]["replicas"] == 2 and deployment["metadata"]["labels"]["helm.sh/chart"] == "webapp-1.2.3"
    argo = next(a for a in bundles.apps if a.app == "argo-web")
    assert next(r for r in argo.resources if r["kind"] == "Deployment")["metadata"]["labels"]["helm.sh/chart"] == "webapp-1.0.0"


def test_a_private_registry_needs_credentials(private_registry: str, tmp_path: Path, user_home: Path) -> None:
    repo = fleet(tmp_path / "dry", private_registry)
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(tmp_path / "cache"))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    output = result.output  # type: ignore[attr-defined]
    assert "failed: HelmRelease flux-system/web: chart webapp 1.2.3 from " in output and "helm pull failed" in output
    assert PASSWORD not in output


def test_credentials_from_helm_registry_login(private_registry: str, tmp_path: Path, user_home: Path) -> None:
    """`helm registry login` as the user ran it (~/.config/helm/registry/config.json)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(user_home)}
    _helm("registry", "login", private_registry, "--username", USER, "--password-stdin", "--plain-http", env=env,
          stdin=PASSWORD.encode())
    assert (user_home / ".config" / "helm" / "registry" / "config.json").is_file()
    repo = fleet(tmp_path / "dry", private_registry)
    cache = tmp_path / "cache"
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert (cache / private_registry.replace(":", "_") / "charts" / "webapp-1.2.3.tgz").is_file()


def test_credentials_from_docker_config(private_registry: str, tmp_path: Path, user_home: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`docker login` leaves `auths` in $DOCKER_CONFIG/config.json; Helm reads it too."""
    docker = tmp_path / "docker"
    docker.mkdir()
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (docker / "config.json").write_text('{"auths": {"%s": {"auth": "%s"}}}' % (private_registry, token), encoding="utf-8")
    monkeypatch.setenv("DOCKER_CONFIG", str(docker))
    repo = fleet(tmp_path / "dry", private_registry)
    cache = tmp_path / "cache"
    result = sluice("helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
