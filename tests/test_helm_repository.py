"""Charts from an HTTP Helm repository: a real repository (`helm package` + `helm repo
index`) served on 127.0.0.1, pulled into the chart cache, then rendered offline."""
from __future__ import annotations

import functools
import http.server
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


@pytest.fixture
def chart_repo(tmp_path: Path) -> Iterator[str]:
    """`webapp` packaged at two versions, indexed, served over HTTP on 127.0.0.1."""
    served = tmp_path / "served"
    served.mkdir()
    for version in ("0.1.0", "0.2.0"):
        subprocess.run([HELM, "package", str(FIXTURES / "webapp"), "--version", version, "-d", str(served)],
                       check=True, capture_output=True)
    subprocess.run([HELM, "repo", "index", str(served), "--url", "charts"], check=True, capture_output=True)
    (served / "charts").mkdir()
    for tgz in served.glob("*.tgz"):
        shutil.move(str(tgz), served / "charts" / tgz.name)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


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
    (repo / "release.yaml").write_text(f"""apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {{name: charts, namespace: flux-system}}
spec: {{url: "{chart_repo}"}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: web, namespace: flux-system}}
spec:
  targetNamespace: web
  chart:
    spec:
      chart: webapp
      version: "0.1.x"
      sourceRef: {{kind: HelmRepository, name: charts}}
  values:
    replicaCount: 3
""")
    cache = tmp_path / "cache"
    code = main(["helm", "template", str(repo / "release.yaml"), "--chart-cache", str(cache)])
    err = capsys.readouterr().err
    assert code == 2 and "chart cache" in err, "offline render without the chart: a clear error"
    assert main(["helm", "pull", str(repo / "release.yaml"), "--chart-cache", str(cache)]) == 0
    assert "webapp-0.1.0.tgz" in capsys.readouterr().out
    assert main(["helm", "template", str(repo / "release.yaml"), "--chart-cache", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "kind: Deployment" in out and "replicas: 3" in out and "helm.toolkit.fluxcd.io/name: web" in out
