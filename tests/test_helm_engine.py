"""The Helm engine: in-process SDK and `helm` CLI give the documents `helm template` prints."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from renderer.core.errors import RenderError
from renderer.helm.engine import HelmCLI, InProcessHelm, find_helm_binary
from renderer.core.yaml import load_documents

CHARTS = Path(__file__).resolve().parent.parent / "fixtures" / "helm"
HELM = find_helm_binary()
needs_helm = pytest.mark.skipif(HELM is None, reason="no helm binary: run `python tools/install_helm.py`")

CASES = {
    "defaults": {},
    "no-crds": {"include_crds": False},
    "skip-tests": {"skip_tests": True},
    "no-hooks": {"no_hooks": True},
    "upgrade-apis": {"is_upgrade": True, "api_versions": ["monitoring.coreos.com/v1", "example.com/v1/Widget"]},
    "values": {"values": {"replicas": 3, "config": {"features": ["x"], "logLevel": None},
                          "backend": {"enabled": False}, "ingress": {"enabled": True},
                          "autoscaling": {"enabled": True}, "migrations": {"enabled": False}}},
}


@pytest.fixture(scope="module")
def inproc() -> InProcessHelm:
    return InProcessHelm()


@pytest.fixture(scope="module")
def cli() -> HelmCLI:
    if HELM is None:
        pytest.skip("no helm binary: run `python tools/install_helm.py`")
    return HelmCLI(HELM)


def _kw(case: str) -> dict:
    return dict(CASES[case], release_name="rel", namespace="ops", kube_version="v1.30.2")


def _helm_template(chart: str, kw: dict) -> list:
    """The oracle: the helm binary, run here directly (not through HelmCLI)."""
    import json

    cmd = [HELM, "template", kw["release_name"], str(CHARTS / chart), "-n", kw["namespace"], "-f", "-",
           "--kube-version", kw["kube_version"]]
    if kw.get("include_crds", True):
        cmd.append("--include-crds")
    if kw.get("skip_tests"):
        cmd.append("--skip-tests")
    if kw.get("is_upgrade"):
        cmd.append("--is-upgrade")
    if kw.get("no_hooks"):
        cmd.append("--no-hooks")
    for api in kw.get("api_versions", ()):
        cmd += ["--api-versions", api]
    out = subprocess.run(cmd, input=json.dumps(kw.get("values", {})), capture_output=True, text=True, check=True)
    return load_documents(out.stdout, "helm template")


@needs_helm
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("chart", ["webapp", "operator", "umbrella"])
def test_backends_equal_helm_template(inproc: InProcessHelm, cli: HelmCLI, chart: str, case: str) -> None:
    expected = _helm_template(chart, _kw(case))
    assert cli.template(CHARTS / chart, **_kw(case)) == expected
    assert inproc.template(CHARTS / chart, **_kw(case)) == expected


def _kinds(docs: list) -> list[str]:
    return [f"{d['kind']}/{d['metadata']['name']}" for d in docs]


def test_helm_template_order_crds_first_hooks_last(inproc: InProcessHelm) -> None:
    docs = inproc.template(CHARTS / "operator", **_kw("defaults"))
    assert _kinds(docs) == [
        "CustomResourceDefinition/gadgets.example.com",
        "CustomResourceDefinition/widgets.example.com",
        "PodDisruptionBudget/rel-pdb",  # install order by kind, stable within a kind
        "ServiceAccount/rel-operator",
        "Secret/rel-secret",
        "ConfigMap/rel-config",
        "ClusterRole/rel-operator",
        "ClusterRoleBinding/rel-operator",
        "Deployment/rel-operator",
        "Gadget/rel-gadget",  # unknown kinds last, alphabetically
        "Widget/rel-default",
        # hooks after the manifests, sorted by kind; the unknown hook event is dropped
        "ConfigMap/rel-post",
        "Pod/rel-smoke",
        "Job/rel-migrate",
    ]


def test_skip_tests_and_no_crds(inproc: InProcessHelm) -> None:
    docs = inproc.template(CHARTS / "operator", **dict(_kw("defaults"), skip_tests=True, include_crds=False))
    names = _kinds(docs)
    assert "Pod/rel-smoke" not in names and not any(n.startswith("CustomResourceDefinition/") for n in names)


def test_capabilities_and_release_flags(inproc: InProcessHelm) -> None:
    docs = inproc.template(CHARTS / "operator", **_kw("upgrade-apis"))
    cm = next(d for d in docs if d["metadata"]["name"] == "rel-config")
    assert cm["data"] == {"LOG_LEVEL": "info", "FEATURES": "a,b", "KUBE_VERSION": "v1.30.2",
                          "HAS_MONITORING": "true", "UPGRADE": "true"}


def test_subchart_condition(inproc: InProcessHelm) -> None:
    on = inproc.template(CHARTS / "umbrella", release_name="u")
    off = inproc.template(CHARTS / "umbrella", release_name="u", values={"backend": {"enabled": False}})
    assert _kinds(on) == ["Service/u-backend", "Deployment/u-backend", "Deployment/u-frontend"]
    assert _kinds(off) == ["Deployment/u-frontend"]
    # the same engine renders again with the subchart on: charts are not mutated between renders
    assert inproc.template(CHARTS / "umbrella", release_name="u") == on


def test_notes_are_not_output(inproc: InProcessHelm) -> None:
    text = inproc.template_text(CHARTS / "webapp", release_name="w")
    assert "NOTES.txt" not in text


def test_packaged_chart(inproc: InProcessHelm, tmp_path: Path) -> None:
    import helm_python

    tgz = helm_python.package(CHARTS / "operator", destination=tmp_path)
    assert inproc.template(tgz, **_kw("defaults")) == inproc.template(CHARTS / "operator", **_kw("defaults"))
    if HELM:
        assert HelmCLI(HELM).template(tgz, **_kw("defaults")) == inproc.template(tgz, **_kw("defaults"))


@pytest.mark.parametrize("backend", ["in-process", "cli"])
def test_errors_name_the_chart(backend: str, tmp_path: Path) -> None:
    if backend == "cli" and HELM is None:
        pytest.skip("no helm binary: run `python tools/install_helm.py`")
    engine = InProcessHelm() if backend == "in-process" else HelmCLI(HELM)
    with pytest.raises(RenderError, match="boom") as err:
        engine.template(CHARTS / "operator", release_name="r", values={"failWith": "boom"})
    assert "operator" in str(err.value)
    missing = tmp_path / "nochart"
    with pytest.raises(RenderError, match="nochart"):
        engine.template(missing, release_name="r")
    with pytest.raises(RenderError, match="invalid release name"):
        engine.template(CHARTS / "webapp", release_name="Bad_Name")


def test_merged_values_null_deletes(inproc: InProcessHelm) -> None:
    merged = inproc.merged_values(CHARTS / "operator", {"config": {"logLevel": None}, "replicas": 4})
    assert merged["replicas"] == 4 and "logLevel" not in merged["config"]
    assert merged["config"]["features"] == ["a", "b"]


@needs_helm
def test_cli_backend_ignores_the_users_helm_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The binary runs through pyhelm3 in a cleared environment: a user's HELM_* settings
    (here a config home and a namespace) never reach a render."""
    monkeypatch.setenv("HELM_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.setenv("HELM_NAMESPACE", "user-ns")
    engine = HelmCLI(HELM)
    env = engine._run(["env"]).decode()
    assert str(tmp_path) not in env and "user-ns" not in env
    assert engine.version.startswith("v")
    docs = engine.template(CHARTS / "webapp", release_name="w", namespace="team")
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] == "Deployment"} <= {"team", None}


def test_cli_backend_runs_inside_an_event_loop() -> None:
    """pyhelm3 is async: a caller that is itself inside an event loop still gets a render."""
    import asyncio

    if HELM is None:
        pytest.skip("no helm binary: run `python tools/install_helm.py`")
    engine = HelmCLI(HELM)

    async def inside() -> list:
        return engine.template(CHARTS / "webapp", release_name="w")

    assert asyncio.run(inside()) == engine.template(CHARTS / "webapp", release_name="w")


@pytest.mark.parametrize("backend", ["in-process", "cli"])
def test_missing_dependency_stops_both_backends_as_helm_template(backend: str, tmp_path: Path) -> None:
    """`helm template` checks that every dependency is in charts/ (whatever its condition);
    the in-process backend does the same check, so the backends agree."""
    import shutil

    if backend == "cli" and HELM is None:
        pytest.skip("no helm binary: run `python tools/install_helm.py`")
    chart = tmp_path / "umbrella"
    shutil.copytree(CHARTS / "umbrella", chart)
    shutil.rmtree(chart / "charts" / "backend")
    engine = InProcessHelm() if backend == "in-process" else HelmCLI(HELM)
    with pytest.raises(RenderError, match=r"found in Chart.yaml, but missing in charts/ directory: backend"):
        engine.template(chart, release_name="u", values={"backend": {"enabled": False}})


def _schema_chart(root: Path) -> Path:
    """The umbrella chart with a values schema on the parent and on its subchart."""
    import shutil

    chart = root / "umbrella"
    shutil.copytree(CHARTS / "umbrella", chart)
    (chart / "values.schema.json").write_text('{"type": "object", "properties": {"replicas": {"type": "integer", "maximum": 3}}}')
    (chart / "charts" / "backend" / "values.schema.json").write_text(
        '{"type": "object", "properties": {"port": {"type": "integer", "maximum": 9000}}}')
    return chart


@needs_helm
@pytest.mark.parametrize("packaged", [False, True])
def test_skip_schema_validation_matches_helm(inproc: InProcessHelm, cli: HelmCLI, tmp_path: Path, packaged: bool) -> None:
    """`--skip-schema-validation` (Argo CD's helm.skipSchemaValidation, a HelmRelease's
    install.disableSchemaValidation): values the chart's or a subchart's schema refuses
    render anyway, as `helm template` renders them; without it both backends refuse."""
    import json
    import shutil

    import helm_python

    chart: Path = _schema_chart(tmp_path)
    if packaged:  # the subchart packaged inside the packaged chart: its schema is in an archive in an archive
        sub = helm_python.package(chart / "charts" / "backend", destination=tmp_path / "sub")
        shutil.rmtree(chart / "charts" / "backend")
        shutil.copy(sub, chart / "charts")
        chart = Path(helm_python.package(chart, destination=tmp_path / "pkg"))
    values = {"replicas": 5, "backend": {"port": 9999}}
    for engine in (inproc, cli):
        with pytest.raises(RenderError):
            engine.template(chart, release_name="u", values=values)
    expected = subprocess.run([HELM, "template", "u", str(chart), "-f", "-", "--skip-schema-validation", "--include-crds"],
                              input=json.dumps(values), capture_output=True, text=True, check=True).stdout
    for engine in (inproc, cli):
        assert engine.template(chart, release_name="u", values=values, skip_schema_validation=True) == \
            load_documents(expected, "helm template")


@needs_helm
def test_backends_agree_without_a_kube_version(inproc: InProcessHelm, cli: HelmCLI, tmp_path: Path) -> None:
    """Without kube_version both backends render for DEFAULT_KUBE_VERSION (their own Helm
    builds default to different versions), which is what the oracle binary's plain
    `helm template` uses too."""
    from renderer.helm.engine import DEFAULT_KUBE_VERSION

    chart = tmp_path / "caps"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: caps\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caps}\ndata: {kube: "{{ .Capabilities.KubeVersion.Version }}"}\n')
    plain = subprocess.run([HELM, "template", "r", str(chart)], capture_output=True, text=True, check=True).stdout
    expected = load_documents(plain, "helm template")
    assert expected[0]["data"]["kube"] == "v" + DEFAULT_KUBE_VERSION
    assert inproc.template(chart, release_name="r") == cli.template(chart, release_name="r") == expected
