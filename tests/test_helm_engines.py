"""The two Helm backends (renderer/helm/engine.py) against each other, and the choice
between them (sluice.yaml `helm.engine`, `--helm-engine`).

They agree on every fixture chart. They differ where Helm changed between the versions they
embed: the in-process library (Helm 4.2.3) drops a key whose value is null in the chart's
own values.yaml, `helm template` 4.1.4 keeps it (`limits: null` in podinfo). The difference
is asserted exactly: a Helm release that changes either side fails here and gets noticed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from renderer.core.errors import InputError
from renderer.helm.engine import HelmCLI, InProcessHelm, find_helm_binary, make_engine

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CHARTS = sorted(p.parent for p in (REPO_ROOT / "fixtures" / "helm").glob("*/Chart.yaml"))

needs_both = pytest.mark.skipif(find_helm_binary() is None, reason="no helm binary")


def _null_chart(root: Path) -> Path:
    """The minimal chart showing the difference: a null in the chart's own values."""
    chart = root / "nulls"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: nulls\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("resources:\n  limits: null\n  requests:\n    cpu: 1m\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n"
        "  resources: |\n    {{- toYaml .Values.resources | nindent 4 }}\n")
    return chart


@needs_both
@pytest.mark.parametrize("chart", FIXTURE_CHARTS, ids=lambda p: p.name)
def test_backends_agree_on_the_fixture_charts(chart: Path) -> None:
    kw = {"release_name": "r", "namespace": "apps"}
    assert InProcessHelm().template(chart, **kw) == HelmCLI().template(chart, **kw)


@needs_both
def test_the_documented_difference_exactly(tmp_path: Path) -> None:
    chart = _null_chart(tmp_path)
    inproc, cli = InProcessHelm(), HelmCLI()
    assert (inproc.version, cli.version) == ("v4.2.3", "v4.1.4")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}}
    assert inproc.template(chart, release_name="r") == [{**body, "data": {"resources": "requests:\n  cpu: 1m\n"}}]
    assert cli.template(chart, release_name="r") == [{**body, "data": {"resources": "limits: null\nrequests:\n  cpu: 1m\n"}}]
    # a null the user supplies is kept by both
    values = {"resources": {"limits": None}}
    assert inproc.template(chart, release_name="r", values=values) == cli.template(chart, release_name="r", values=values)


def test_engine_names() -> None:
    assert make_engine("cli").name == HelmCLI.name
    assert make_engine("in-process").name == InProcessHelm.name
    with pytest.raises(InputError, match="unknown helm engine"):
        make_engine("wasm")


def _fleet(root: Path, engine: str | None) -> Path:
    _null_chart(root / "charts")
    (root / "apps").mkdir()
    (root / "apps" / "nulls.yaml").write_text(yaml.safe_dump({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "nulls", "namespace": "argocd"},
        "spec": {"project": "default", "source": {"repoURL": "https://git.example.com/fleet.git", "path": "charts/nulls"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": "apps"}}}))
    if engine:
        (root / "sluice.yaml").write_text(f"helm:\n  engine: {engine}\n")
    return root


def _render(root: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "renderer", "render", str(root), "--out", str(root / "out"), *flags],
                          capture_output=True, text=True, cwd=REPO_ROOT, check=False)


def _manifest(root: Path) -> str:
    return next((root / "out").rglob("manifest.yaml")).read_text()


@needs_both
def test_sluice_yaml_and_flag_choose_the_engine(tmp_path: Path) -> None:
    cli = _fleet(tmp_path / "cli", "cli")
    assert _render(cli).returncode == 0
    assert "limits: null" in _manifest(cli)
    default = _fleet(tmp_path / "default", None)
    assert _render(default).returncode == 0
    assert "limits: null" not in _manifest(default)
    assert _render(default, "--helm-engine", "cli").returncode == 0
    assert "limits: null" in _manifest(default)
    assert _render(cli, "--helm-engine", "in-process").returncode == 0
    assert "limits: null" not in _manifest(cli)


def test_an_unknown_engine_in_sluice_yaml_is_exit_2(tmp_path: Path) -> None:
    root = _fleet(tmp_path / "bad", "wasm")
    result = _render(root)
    assert result.returncode == 2
    assert "sluice.yaml" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "out").exists()
