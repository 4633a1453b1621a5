"""Charts from an HTTP Helm repository: a real repository (`helm package` + `helm repo
index`) served on 127.0.0.1, pulled into the chart cache, then rendered offline; a private
one behind HTTP Basic auth takes the credentials from the user's repositories.yaml, written
by `helm repo add` as the user would."""
from __future__ import annotations

import base64
import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from renderer.cli import main
from renderer.core.errors import InputError
from renderer.helm.engine import find_helm_binary
from renderer.helm.cachekey import chart_cache_key
from renderer.helm.repository import pull_chart

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "helm"
HELM = find_helm_binary()
pytestmark = pytest.mark.skipif(HELM is None, reason="needs the helm binary to package the chart (tools/install_helm.py)")


USER, PASSWORD = "fleet", "s3cret-http-pass"


class _PrivateHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files only to requests carrying USER:PASSWORD as HTTP Basic auth."""

    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


def _serve_repository(tmp_path: Path, handler_class: type[http.server.SimpleHTTPRequestHandler]) -> Iterator[str]:
    """`webapp` packaged at two versions, indexed, served on 127.0.0.1."""
    served = tmp_path / "served"
    served.mkdir()
    for version in ("0.1.0", "0.2.0"):
        subprocess.run([HELM, "package", str(FIXTURES / "webapp"), "--version", version, "-d", str(served)],
                       check=True, capture_output=True)
    subprocess.run([HELM, "repo", "index", str(served), "--url", "charts"], check=True, capture_output=True)
    (served / "charts").mkdir()
    for tgz in served.glob("*.tgz"):
        shutil.move(str(tgz), served / "charts" / tgz.name)
    handler = functools.partial(handler_class, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def chart_repo(tmp_path: Path) -> Iterator[str]:
    yield from _serve_repository(tmp_path, http.server.SimpleHTTPRequestHandler)


@pytest.fixture
def private_repo(tmp_path: Path) -> Iterator[str]:
    yield from _serve_repository(tmp_path, _PrivateHandler)


def _helm_repo_add(url: str, env: dict[str, str]) -> None:
    """What the user ran once on their machine (or CI ran with its secret)."""
    subprocess.run([HELM, "repo", "add", "private", url, "--username", USER, "--password-stdin"], input=PASSWORD.encode(),
                   env={"PATH": os.environ.get("PATH", ""), **env}, check=True, capture_output=True)


def _release(url: str, *, version: str, values: str = "", secret_ref: str = "") -> str:
    """A Flux HelmRepository on `url` and a HelmRelease of `webapp` from it."""
    auth = f", secretRef: {{name: {secret_ref}}}" if secret_ref else ""
    return f"""apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {{name: charts, namespace: flux-system}}
spec: {{url: "{url}"{auth}}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: web, namespace: flux-system}}
spec:
  targetNamespace: web
  chart:
    spec:
      chart: webapp
      version: "{version}"
      sourceRef: {{kind: HelmRepository, name: charts}}
{values}"""


def test_pull_picks_the_newest_matching_version_and_checks_the_digest(chart_repo: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert pull_chart(chart_repo, "webapp", "*", cache).name == "webapp-0.2.0.tgz"
    assert pull_chart(chart_repo, "webapp", "~0.1.0", cache).name == "webapp-0.1.0.tgz"
    assert sorted(p.name for p in (cache / chart_cache_key(chart_repo)).iterdir()) == ["webapp-0.1.0.tgz", "webapp-0.2.0.tgz"]
    with pytest.raises(InputError, match="chart webapp >=1.0 from .*: helm pull failed"):
        pull_chart(chart_repo, "webapp", ">=1.0", cache)


def test_pull_then_render_offline_through_the_cli(chart_repo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "dry"
    (repo / ".git").mkdir(parents=True)
    (repo / "release.yaml").write_text(_release(chart_repo, version="0.1.x", values="  values:\n    replicaCount: 3\n"))
    cache = tmp_path / "cache"
    code = main(["helm", "template", str(repo / "release.yaml"), "--chart-cache", str(cache)])
    err = capsys.readouterr().err
    assert code == 2 and "chart cache" in err, "offline render without the chart: a clear error"
    assert main(["helm", "pull", str(repo / "release.yaml"), "--chart-cache", str(cache)]) == 0
    assert "webapp-0.1.0.tgz" in capsys.readouterr().out
    assert main(["helm", "template", str(repo / "release.yaml"), "--chart-cache", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "kind: Deployment" in out and "replicas: 3" in out and "helm.toolkit.fluxcd.io/name: web" in out


def test_a_private_repository_without_credentials_is_a_clear_error(private_repo: str, tmp_path: Path, user_home: Path) -> None:
    with pytest.raises(InputError, match="chart webapp \\* from .*: helm repo failed") as caught:
        pull_chart(private_repo, "webapp", "*", tmp_path / "cache")
    assert PASSWORD not in str(caught.value)
    assert not (tmp_path / "cache" / chart_cache_key(private_repo)).exists()


def test_credentials_from_the_users_repositories_yaml(private_repo: str, tmp_path: Path, user_home: Path) -> None:
    """`helm repo add --username` wrote ~/.config/helm/repositories.yaml; Helm's pull reads
    the entry whose URL is the repository's, whatever name the user gave it."""
    _helm_repo_add(private_repo, {"HOME": str(user_home)})
    assert (user_home / ".config" / "helm" / "repositories.yaml").is_file()
    cache = tmp_path / "cache"
    assert pull_chart(private_repo, "webapp", "~0.1.0", cache).name == "webapp-0.1.0.tgz"
    assert pull_chart(private_repo, "webapp", "*", cache).name == "webapp-0.2.0.tgz"


def test_credentials_from_helm_repository_config(private_repo: str, tmp_path: Path, user_home: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """HELM_REPOSITORY_CONFIG names the file, as it does for Helm itself."""
    config = tmp_path / "ci" / "repositories.yaml"
    _helm_repo_add(private_repo, {"HOME": str(user_home), "HELM_REPOSITORY_CONFIG": str(config)})
    with pytest.raises(InputError):  # the default place has nothing
        pull_chart(private_repo, "webapp", "*", tmp_path / "cache")
    monkeypatch.setenv("HELM_REPOSITORY_CONFIG", str(config))
    assert pull_chart(private_repo, "webapp", "*", tmp_path / "cache").name == "webapp-0.2.0.tgz"
    assert config.read_text().count(PASSWORD) == 1, "the user's file is read, never rewritten"


def test_fleet_pull_from_a_private_repository_then_render(private_repo: str, tmp_path: Path, user_home: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A Flux HelmRepository whose secretRef lives only in the cluster: offline, the user's
    own Helm credentials stand in for it."""
    _helm_repo_add(private_repo, {"HOME": str(user_home)})
    repo = tmp_path / "dry"
    (repo / ".git").mkdir(parents=True)
    (repo / "release.yaml").write_text(_release(private_repo, version="0.2.x", secret_ref="charts-auth"))
    cache = tmp_path / "cache"
    assert main(["helm", "pull", "--fleet", "--repo", str(repo), "--chart-cache", str(cache)]) == 0
    assert main(["helm", "template", str(repo / "release.yaml"), "--chart-cache", str(cache)]) == 0
    out, err = capsys.readouterr()
    assert "helm.sh/chart: webapp-0.2.0" in out and PASSWORD not in out + err
