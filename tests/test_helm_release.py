"""HelmRelease -> manifests, the `sluice helm` commands, and kustomize's helmCharts."""
from __future__ import annotations

import copy
import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from renderer.core.errors import InputError, RenderError
from renderer.core.fs import RepoFS
from renderer.cli.helm import helm
from renderer.helm.engine import HelmCLI, InProcessHelm, find_helm_binary
from renderer.helm.kustomize_adapter import HELM_GENERATED, KustomizeHelm
from renderer.helm.release import objects_resolver, release_name, render_helmrelease, version_matches
from renderer.core.yaml import dump_documents, load_documents

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "helm"
HELM = find_helm_binary()
KUBECTL = shutil.which("kubectl")


def _fixture() -> tuple[RepoFS, dict[str, Any], Any]:
    fs = RepoFS(ROOT)
    docs = [d for d, _ in fs.load_yaml("releases/operator.yaml")]
    hr = next(d for d in docs if d["kind"] == "HelmRelease")
    return fs, copy.deepcopy(hr), objects_resolver(docs)


def _by_name(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs}


@pytest.mark.parametrize("spec,name,expected", [
    ({"releaseName": "custom"}, "web", "custom"),
    ({"targetNamespace": "prod"}, "web", "prod-web"),
    ({}, "web", "web"),
    ({"targetNamespace": "a" * 30}, "b" * 30, None),
])
def test_release_name(spec: dict[str, Any], name: str, expected: str | None) -> None:
    got = release_name({"metadata": {"name": name, "namespace": "x"}, "spec": spec})
    if expected is None:
        full = f"{'a' * 30}-{'b' * 30}"
        expected = full[:40] + "-" + hashlib.sha256(full.encode()).hexdigest()[:12]
        assert len(got) == 53
    assert got == expected


def test_render_helmrelease() -> None:
    fs, hr, objects = _fixture()
    docs = render_helmrelease(hr, fs, objects, engine=InProcessHelm(), kube_version="1.30.0", file="releases/operator.yaml")
    by = _by_name(docs)
    # CRDs first (install.crds defaults to Create); the release is "<targetNamespace>-<name>"
    assert [d["kind"] for d in docs[:2]] == ["CustomResourceDefinition"] * 2
    dep = by["Deployment/ops-operator-operator"]
    assert dep["spec"]["replicas"] == 2  # valuesFiles replaced defaults (5), valuesFrom set 2
    container = dep["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "mirror.example.com/operator:2.1"  # targetPath tag + images post-renderer
    assert container["args"] == ["--log-level=warn"]  # spec.values last
    assert dep["spec"]["template"]["spec"]["priorityClassName"] == "high"  # JSON 6902 patch
    config = by["ConfigMap/ops-operator-config"]
    assert config["data"]["FEATURES"] == "a,b,c" and config["data"]["EXTRA"] == "1"  # Secret targetPath + SMP
    assert "Job/ops-operator-migrate" not in by  # Secret stringData disabled the hook
    assert "Pod/ops-operator-smoke" not in by  # tests only with spec.test.enable
    for d in docs:
        labels = d["metadata"]["labels"]
        assert labels["helm.toolkit.fluxcd.io/name"] == "operator"
        assert labels["helm.toolkit.fluxcd.io/namespace"] == "flux-system"
        if d["kind"] == "CustomResourceDefinition":
            # crds/ files are applied by helm-controller itself: origin labels, no post-rendering
            assert "team" not in labels and "owner" not in (d["metadata"].get("annotations") or {})
        else:
            assert labels["team"] == "platform" and d["metadata"]["annotations"]["owner"] == "sre"
    # the fixture repository is left as it was (valuesFiles work on a copy of the chart)
    assert (ROOT / "operator" / "values.yaml").read_text().startswith("image:")


@pytest.mark.skipif(HELM is None, reason="no helm binary: run `python tools/install_helm.py`")
def test_render_helmrelease_backends_agree() -> None:
    fs, hr, objects = _fixture()
    hr["spec"]["test"] = {"enable": True}
    a = render_helmrelease(copy.deepcopy(hr), fs, objects, engine=InProcessHelm(), kube_version="1.30.0")
    b = render_helmrelease(copy.deepcopy(hr), fs, objects, engine=HelmCLI(HELM), kube_version="1.30.0")
    assert a == b and "Pod/ops-operator-smoke" in _by_name(a)


def test_crds_skip_policy() -> None:
    fs, hr, objects = _fixture()
    hr["spec"]["install"] = {"crds": "Skip"}
    docs = render_helmrelease(hr, fs, objects, engine=InProcessHelm())
    assert not [d for d in docs if d["kind"] == "CustomResourceDefinition"]
    hr["spec"]["install"] = {"crds": "Sometimes"}
    with pytest.raises(InputError, match="install.crds must be Skip, Create or CreateReplace"):
        render_helmrelease(hr, fs, objects, engine=InProcessHelm())
    # the upgrade policy is checked too; a valid one changes nothing in the bundle
    hr["spec"]["install"] = {}
    hr["spec"]["upgrade"] = {"crds": "Replace"}
    with pytest.raises(InputError, match="upgrade.crds must be Skip, Create or CreateReplace"):
        render_helmrelease(hr, fs, objects, engine=InProcessHelm())
    hr["spec"]["upgrade"] = {"crds": "Skip"}
    assert [d["kind"] for d in render_helmrelease(hr, fs, objects, engine=InProcessHelm())[:2]] == ["CustomResourceDefinition"] * 2


@pytest.mark.parametrize("backend", ["in-process", "cli"])
def test_install_disable_hooks_leaves_hooks_out(backend: str) -> None:
    """helm-controller runs no hooks with install.disableHooks: the bundle holds none
    (the chart's migration Job and post-install ConfigMap are hooks)."""
    if backend == "cli" and HELM is None:
        pytest.skip("no helm binary: run `python tools/install_helm.py`")
    engine = InProcessHelm() if backend == "in-process" else HelmCLI(HELM)
    fs, hr, objects = _fixture()
    hr["spec"]["values"]["migrations"] = {"enabled": True}
    hr["spec"]["valuesFrom"] = [v for v in hr["spec"]["valuesFrom"] if v["kind"] != "Secret"]
    hr["spec"]["test"] = {"enable": True}
    with_hooks = _by_name(render_helmrelease(copy.deepcopy(hr), fs, objects, engine=engine))
    assert {"Job/ops-operator-migrate", "ConfigMap/ops-operator-post", "Pod/ops-operator-smoke"} <= set(with_hooks)
    hr["spec"]["install"] = {"disableHooks": True}
    without = _by_name(render_helmrelease(hr, fs, objects, engine=engine))
    hooks = {k for k, d in with_hooks.items() if "helm.sh/hook" in (d["metadata"].get("annotations") or {})}
    assert hooks and set(without) == set(with_hooks) - hooks


def test_missing_reference_is_an_input_error() -> None:
    fs, hr, objects = _fixture()
    hr["spec"]["valuesFrom"].append({"kind": "ConfigMap", "name": "absent"})
    with pytest.raises(InputError, match="HelmRelease flux-system/operator: could not resolve ConfigMap .*'flux-system/absent'"):
        render_helmrelease(hr, fs, objects, engine=InProcessHelm())


def _helmrepo_release(version: str) -> dict[str, Any]:
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
        "metadata": {"name": "op", "namespace": "default"},
        "spec": {"chart": {"spec": {"chart": "operator", "version": version,
                                    "sourceRef": {"kind": "HelmRepository", "name": "charts"},
                                    "valuesFiles": ["values.yaml", "values-extra.yaml"], "ignoreMissingValuesFiles": True}},
                 "values": {"replicas": 7}},
    }


def test_helmrepository_chart_from_cache(tmp_path: Path) -> None:
    import helm_python

    cache = tmp_path / "cache"
    (cache / "charts").mkdir(parents=True)
    helm_python.package(ROOT / "operator", destination=cache / "charts")
    helm_python.package(ROOT / "operator", destination=cache / "charts", version="2.0.0")
    fs = RepoFS(ROOT)
    docs = render_helmrelease(_helmrepo_release(">=1.0.0 <2.0.0"), fs, objects_resolver([]), engine=InProcessHelm(),
                              chart_cache=cache)
    dep = _by_name(docs)["Deployment/op-operator"]
    assert dep["spec"]["replicas"] == 7 and dep["metadata"]["labels"]["helm.toolkit.fluxcd.io/name"] == "op"
    with pytest.raises(InputError, match=r"chart 'operator' version '~3.0' is not in the chart cache.*1\.2\.0, 2\.0\.0"):
        render_helmrelease(_helmrepo_release("~3.0"), fs, objects_resolver([]), engine=InProcessHelm(), chart_cache=cache)
    with pytest.raises(InputError, match="--chart-cache"):
        render_helmrelease(_helmrepo_release("*"), fs, objects_resolver([]), engine=InProcessHelm())
    # the hint is a command that runs: `sluice helm pull` needs the HelmRelease's file
    with pytest.raises(InputError, match=r"`sluice helm pull releases/op\.yaml --chart-cache DIR` fills it"):
        render_helmrelease(_helmrepo_release("*"), fs, objects_resolver([]), engine=InProcessHelm(), file="releases/op.yaml")


@pytest.mark.parametrize("constraint,version,ok", [
    ("*", "1.2.3", True), ("", "1.2.3", True), ("1.2.3", "1.2.3", True), ("1.2.3", "1.2.4", False),
    (">=1.0.0 <2.0.0", "1.9.9", True), (">=1.0.0 <2.0.0", "2.0.0", False), ("~1.2", "1.2.9", True),
    ("~1.2", "1.3.0", False), ("^1.2.3", "1.9.0", True), ("^1.2.3", "2.0.0", False), ("^0.2.3", "0.3.0", False),
    ("1.2.x", "1.2.7", True), ("1.x", "2.0.0", False), ("<1.0.0 || >=3.0.0", "3.1.0", True), ("*", "1.0.0-rc.1", False),
    (">=1.0.0-0", "1.0.0-rc.1", True),
])
def test_version_matches(constraint: str, version: str, ok: bool) -> None:
    assert version_matches(constraint, version) is ok


# -- the CLI ------------------------------------------------------------------------------

@click.group()
@click.option("--debug", is_flag=True)
def root(debug: bool) -> None:
    pass


root.add_command(helm)


def test_cli_values_and_template() -> None:
    runner = CliRunner()
    args = ["releases/operator.yaml", "--repo", "."]
    import os

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        res = runner.invoke(root, ["helm", "values", *args])
        assert res.exit_code == 0, res.output
        values = load_documents(res.output, "out")[0]
        assert values["replicas"] == 2 and values["image"] == {"repository": "example.com/operator", "tag": "2.1"}
        assert values["migrations"] == {"enabled": False} and values["config"]["features"] == ["a", "b", "c"]
        res = runner.invoke(root, ["helm", "values", "--user-only", *args])
        assert "repository" not in res.output
        res = runner.invoke(root, ["helm", "template", *args, "--kube-version", "1.30.0"])
        assert res.exit_code == 0, res.output
        assert len(load_documents(res.output, "out")) == 11  # 2 CRDs + 9 manifests, hooks disabled by values
        res = runner.invoke(root, ["helm", "template", "values/operator-prod.yaml", "--repo", "."])
        assert res.exit_code == 2 and "no HelmRelease" in res.output
    finally:
        os.chdir(old)


# -- kustomize helmCharts, against kubectl kustomize --enable-helm --------------------------

KZ_CASES = {
    "plain": {"name": "operator", "releaseName": "rel"},
    "override": {"name": "operator", "includeCRDs": True, "valuesInline": {"replicas": 3, "config": {"logLevel": "debug", "features": None}},
                 "kubeVersion": "1.29.0", "apiVersions": ["monitoring.coreos.com/v1"]},
    "merge": {"name": "operator", "valuesMerge": "merge", "valuesInline": {"replicas": 3, "extra": 1}, "skipTests": True},
    "replace": {"name": "operator", "valuesMerge": "replace", "valuesInline": {"replicas": 4}, "namespace": "explicit",
                "additionalValuesFiles": ["extra-values.yaml"]},
    "subchart": {"name": "umbrella", "releaseName": "u", "valuesInline": {"backend": {"port": 9}}},
}


def _kustomization(tmp_path: Path, case: str) -> Path:
    root = tmp_path / case
    (root / "charts").mkdir(parents=True)
    for chart in ("operator", "umbrella"):
        shutil.copytree(ROOT / chart, root / "charts" / chart)
    (root / "extra-values.yaml").write_text("image: {tag: extra}\n")
    import json

    (root / "kustomization.yaml").write_text(json.dumps({"namespace": "team", "helmCharts": [KZ_CASES[case]]}))
    return root


@pytest.mark.skipif(HELM is None or KUBECTL is None, reason="needs the helm binary (tools/install_helm.py) and kubectl")
@pytest.mark.parametrize("case", sorted(KZ_CASES))
def test_kustomize_helmcharts_match_kubectl(tmp_path: Path, case: str) -> None:
    from renderer.kustomize import BuildOptions, Builder

    root = _kustomization(tmp_path, case)
    expected = subprocess.run([KUBECTL, "kustomize", "--enable-helm", "--helm-command", HELM, str(root)],
                              capture_output=True, text=True, check=True).stdout
    # the SDK's default Kubernetes version is its own Helm build's: compare it where the
    # kustomization pins kubeVersion, the helm binary everywhere
    engines = [HelmCLI(HELM)] + ([InProcessHelm()] if "kubeVersion" in KZ_CASES[case] else [])
    for engine in engines:
        docs = Builder(RepoFS(tmp_path), BuildOptions(enable_helm=True, helm_engine=KustomizeHelm(engine))).build(case)
        # kustomize's build-internal marker never reaches the output
        assert all(HELM_GENERATED not in (d["metadata"].get("annotations") or {}) for d in docs)
        assert docs == load_documents(expected, "kubectl kustomize"), engine.name
        assert dump_documents(docs) == expected, f"{engine.name}: not byte-identical"


def test_kustomize_chart_missing_offline(tmp_path: Path) -> None:
    from renderer.kustomize import BuildOptions, Builder

    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "kustomization.yaml").write_text(
        "helmCharts:\n- name: podinfo\n  repo: https://stefanprodan.github.io/podinfo\n  version: 6.5.0\n")
    with pytest.raises(InputError, match="podinfo.*offline"):
        Builder(RepoFS(tmp_path), BuildOptions(enable_helm=True, helm_engine=KustomizeHelm(InProcessHelm()))).build("k")


def _hook_release(strategy: str | None) -> tuple[RepoFS, dict[str, Any], Any]:
    fs, hr, objects = _fixture()
    hr["spec"]["values"]["migrations"] = {"enabled": True}
    hr["spec"]["valuesFrom"] = [v for v in hr["spec"]["valuesFrom"] if v["kind"] != "Secret"]
    hr["spec"]["commonMetadata"] = {"labels": {"team": "platform"}}
    hr["spec"]["postRenderers"] = [{"kustomize": {"patches": [
        {"target": {"kind": "Job"}, "patch": "- op: add\n  path: /spec/backoffLimit\n  value: 1\n"}]}}]
    if strategy:
        hr["spec"]["postRenderStrategy"] = strategy
    return fs, hr, objects


@pytest.mark.parametrize(("strategy", "hooks_post_rendered"), [(None, True), ("combined", True), ("separate", True), ("nohooks", False)])
def test_post_render_strategy_decides_whether_hooks_are_post_rendered(strategy: str | None, hooks_post_rendered: bool) -> None:
    """spec.postRenderStrategy: Helm 4 sends hooks through the post-renderers with the
    manifests (combined, the default) or on their own (separate); Helm 3 did not (nohooks)."""
    fs, hr, objects = _hook_release(strategy)
    by = _by_name(render_helmrelease(hr, fs, objects, engine=InProcessHelm()))
    job, post = by["Job/ops-operator-migrate"], by["ConfigMap/ops-operator-post"]
    assert ("backoffLimit" in job["spec"]) is hooks_post_rendered
    assert ("helm.toolkit.fluxcd.io/name" in (post["metadata"].get("labels") or {})) is hooks_post_rendered
    assert by["Deployment/ops-operator-operator"]["metadata"]["labels"]["team"] == "platform"


def test_post_render_strategy_is_checked() -> None:
    fs, hr, objects = _hook_release("sometimes")
    with pytest.raises(InputError, match="postRenderStrategy must be one of combined, separate, nohooks"):
        render_helmrelease(hr, fs, objects, engine=InProcessHelm())


def test_output_order_is_helms_after_post_rendering() -> None:
    """CRDs from crds/ first, then the manifests in Helm's install order, hooks last: Helm
    sorts again after the post-renderers ran."""
    from renderer.helm.engine import INSTALL_ORDER, is_hook

    fs, hr, objects = _hook_release(None)
    docs = render_helmrelease(hr, fs, objects, engine=InProcessHelm())
    kinds = [d["kind"] for d in docs]
    crds = kinds.count("CustomResourceDefinition")
    assert kinds[:crds] == ["CustomResourceDefinition"] * crds and crds == 2
    hooks = [i for i, d in enumerate(docs) if is_hook(d)]
    assert hooks == list(range(len(docs) - len(hooks), len(docs)))
    rank = {k: i for i, k in enumerate(INSTALL_ORDER)}
    body = [rank.get(k, len(rank)) for k in kinds[crds:len(docs) - len(hooks)]]
    assert body == sorted(body)


def test_crds_directory_objects_are_applied_as_helm_controller_does(tmp_path: Path) -> None:
    """crds/: only CustomResourceDefinitions are applied (anything else there is dropped),
    never post-rendered, but labelled with the HelmRelease's origin."""
    import shutil as _shutil

    chart = tmp_path / "chart"
    _shutil.copytree(ROOT / "operator", chart)
    (chart / "crds" / "stray.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n")
    fs = RepoFS(tmp_path)
    hr = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "op", "namespace": "infra"},
          "spec": {"chart": {"spec": {"chart": "chart", "sourceRef": {"kind": "GitRepository", "name": "dry"}}},
                   "commonMetadata": {"annotations": {"owner": "sre"}}}}
    docs = render_helmrelease(hr, fs, objects_resolver([]), engine=InProcessHelm())
    crds = [d for d in docs if d["kind"] == "CustomResourceDefinition"]
    assert len(crds) == 2 and "ConfigMap/stray" not in _by_name(docs)
    for crd in crds:
        assert crd["metadata"]["labels"]["helm.toolkit.fluxcd.io/name"] == "op"
        assert "owner" not in (crd["metadata"].get("annotations") or {})


def test_install_disable_schema_validation(tmp_path: Path) -> None:
    """spec.install.disableSchemaValidation: helm-controller skips the chart's values schema."""
    import shutil as _shutil

    chart = tmp_path / "chart"
    _shutil.copytree(ROOT / "webapp", chart)
    (chart / "values.schema.json").write_text('{"type": "object", "properties": {"replicaCount": {"type": "integer", "maximum": 3}}}')
    hr = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "web", "namespace": "web"},
          "spec": {"chart": {"spec": {"chart": "chart", "sourceRef": {"kind": "GitRepository", "name": "dry"}}},
                   "values": {"replicaCount": 7}}}
    with pytest.raises(RenderError, match="maximum"):
        render_helmrelease(copy.deepcopy(hr), RepoFS(tmp_path), objects_resolver([]), engine=InProcessHelm())
    hr["spec"]["install"] = {"disableSchemaValidation": True}
    docs = render_helmrelease(hr, RepoFS(tmp_path), objects_resolver([]), engine=InProcessHelm())
    assert next(d for d in docs if d["kind"] == "Deployment")["spec"]["replicas"] == 7


@pytest.mark.parametrize(("filters", "expected"), [
    ([], {"operator-smoke", "operator-conn"}),
    ([{"name": "operator-smoke", "exclude": True}], {"operator-conn"}),
    ([{"name": "operator-conn"}], {"operator-conn"}),
    ([{"name": "operator-conn"}, {"name": "operator-conn", "exclude": True}], set()),
])
def test_test_filters_choose_the_test_hooks(tmp_path: Path, filters: list, expected: set) -> None:
    """spec.test.filters, as Helm's release testing reads them: excluded names never run;
    listed names, when there are any, are the only ones that run. Other hooks stay."""
    import shutil as _shutil

    chart = tmp_path / "chart"
    _shutil.copytree(ROOT / "operator", chart)
    (chart / "templates" / "tests" / "test-conn.yaml").write_text(
        (chart / "templates" / "tests" / "test-smoke.yaml").read_text().replace("-smoke", "-conn"))
    hr = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "operator", "namespace": "ops"},
          "spec": {"chart": {"spec": {"chart": "chart", "sourceRef": {"kind": "GitRepository", "name": "dry"}}},
                   "values": {"migrations": {"enabled": True}}, "test": {"enable": True, "filters": filters}}}
    docs = render_helmrelease(hr, RepoFS(tmp_path), objects_resolver([]), engine=InProcessHelm())
    assert {d["metadata"]["name"] for d in docs if d["kind"] == "Pod"} == expected
    assert "Job/operator-migrate" in _by_name(docs)
