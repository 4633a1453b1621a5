"""Real public GitOps repositories (../shared/realworld), rendered end to end as their users
would: read in place, never copied; each app's output checked against the oracles."""
from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from renderer.kustomize.conformance import default_realworld
from renderer.core.errors import InputError
from renderer.helm.engine import find_helm_binary
from renderer.fleet.pipeline import render_repo
from renderer.core.yaml import load_documents

REALWORLD = default_realworld()
EXAMPLE_APPS = REALWORLD / "argoproj__argocd-example-apps"
EXAMPLE_APPS_URL = "https://github.com/argoproj/argocd-example-apps.git"
FLUX_HELM = REALWORLD / "fluxcd__flux2-kustomize-helm-example"
PODINFO_CHART = REALWORLD / "stefanprodan__podinfo" / "charts" / "podinfo"
HELM = find_helm_binary()
KUBECTL = Path(find_helm_binary() or "kubectl").with_name("kubectl")

pytestmark = pytest.mark.skipif(not REALWORLD.is_dir(), reason=f"real-world corpus not found at {REALWORLD} (../shared is absent)")

# The root Application a user of argocd-example-apps creates (`argocd app create apps --path apps`),
# choosing the example apps whose inputs are data (the jsonnet ones are code, not in the corpus).
ROOT_APP = f"""
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: apps, namespace: argocd}}
spec:
  project: default
  source:
    repoURL: {EXAMPLE_APPS_URL}
    path: apps
    helm:
      valuesObject:
        applications:
          - {{name: blue-green, tool: {{helm: {{releaseName: blue-green}}}}}}
          - {{name: guestbook}}
          - {{name: helm-dependency, tool: {{helm: {{releaseName: helm-dependency}}}}}}
          - {{name: helm-guestbook, tool: {{helm: {{releaseName: helm-guestbook, valueFiles: [values-production.yaml]}}}}}}
          - {{name: helm-hooks}}
          - {{name: kustomize-guestbook}}
          - {{name: plugin-kustomized-helm, path: plugins/kustomized-helm, tool: {{plugin: {{name: kustomized-helm}}}}}}
          - {{name: pre-post-sync}}
          - {{name: sock-shop}}
          - {{name: sync-waves}}
  destination: {{server: https://kubernetes.default.svc, namespace: argocd}}
"""


@pytest.fixture(scope="module")
def example_apps(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The platform repository holding the root Application; argocd-example-apps is a local
    checkout mapped through `repositories` (read in place)."""
    config_repo = tmp_path_factory.mktemp("platform")
    (config_repo / "apps").mkdir()
    (config_repo / "apps" / "root.yaml").write_text(ROOT_APP)
    (config_repo / "sluice.yaml").write_text(f"repositories:\n  {EXAMPLE_APPS_URL}: {EXAMPLE_APPS}\n")
    return render_repo(config_repo, write=False, allowed_roots=[str(EXAMPLE_APPS)])  # granted by the caller


def _app(bundles, name: str):  # type: ignore[no-untyped-def]
    return next(a for a in bundles.apps if a.app == name)


def test_app_of_apps_renders_every_example_app(example_apps) -> None:  # type: ignore[no-untyped-def]
    rendered = {a.app: len(a.resources) for a in example_apps.apps}
    assert rendered == {
        "apps": 10, "example.blue-green": 3, "example.guestbook": 2, "example.helm-guestbook": 2,
        "example.helm-hooks": 5, "example.kustomize-guestbook": 2, "example.pre-post-sync": 4,
        "example.sock-shop": 29, "example.sync-waves": 7,
    }
    plugin, dependency = sorted(example_apps.notes, key=lambda n: "plugin" not in n)
    assert plugin.startswith("apps/root.yaml:2: Application example.plugin-kustomized-helm (rendered by Application apps) "
                             "not rendered: spec.source.plugin: plugin sources are not rendered by sluice")
    # a chart whose dependency is neither vendored nor in the chart cache needs the network
    assert "example.helm-dependency" in dependency and "wordpress" in dependency and "charts.helm.sh/stable" in dependency
    # the root's bundle holds the child Applications, which Argo CD creates from it
    root = _app(example_apps, "apps")
    assert {r["kind"] for r in root.resources} == {"Application"}
    assert all(r["metadata"]["namespace"] == "argocd" for r in root.resources)


@pytest.mark.skipif(not KUBECTL.is_file(), reason="kubectl (the kustomize oracle) is not installed")
def test_kustomize_example_matches_kubectl(example_apps) -> None:  # type: ignore[no-untyped-def]
    """A kustomize child equals `kubectl kustomize` with the destination namespace added to
    namespaced objects (as Argo CD applies them)."""
    out = subprocess.run([str(KUBECTL), "kustomize", str(EXAMPLE_APPS / "kustomize-guestbook")],
                         capture_output=True, text=True, check=True).stdout
    expected = load_documents(out, "kubectl kustomize")
    for doc in expected:
        doc["metadata"].setdefault("namespace", "kustomize-guestbook")
    assert list(_app(example_apps, "example.kustomize-guestbook").resources) == expected


@pytest.mark.skipif(HELM is None, reason="no helm binary: run `python tools/install_helm.py`")
def test_helm_example_matches_helm_template(example_apps) -> None:  # type: ignore[no-untyped-def]
    """A Helm child equals Argo CD's `helm template` call: its release name, its namespace,
    its value file."""
    chart = EXAMPLE_APPS / "helm-guestbook"
    out = subprocess.run([str(HELM), "template", "helm-guestbook", str(chart), "--namespace", "helm-guestbook",
                          "--values", str(chart / "values-production.yaml"), "--include-crds", "--kube-version", "1.35.0"],
                         capture_output=True, text=True, check=True).stdout
    expected = load_documents(out, "helm template")
    for doc in expected:
        doc["metadata"].setdefault("namespace", "helm-guestbook")
    assert list(_app(example_apps, "example.helm-guestbook").resources) == expected


def test_app_of_apps_without_the_checkout_is_left_to_argo(tmp_path: Path) -> None:
    """Without a local checkout the root's source is another repository: written in the
    platform repo, it stops the render with the way out."""
    (tmp_path / "root.yaml").write_text(ROOT_APP)
    (tmp_path / "sluice.yaml").write_text("repoURL: https://github.com/example/platform.git\n")
    with pytest.raises(InputError, match=r"another repository .*`repositories` in sluice.yaml maps to a local checkout"):
        render_repo(tmp_path, write=False)


@pytest.fixture(scope="module")
def podinfo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chart cache a CI job fills with `sluice helm pull --fleet`: here the podinfo chart,
    vendored in the corpus, packaged under its HelmRepository's name."""
    if HELM is None:
        pytest.skip("no helm binary: run `python tools/install_helm.py`")
    cache = tmp_path_factory.mktemp("charts")
    subprocess.run([str(HELM), "package", str(PODINFO_CHART), "-d", str(cache / "podinfo")], check=True, capture_output=True)
    return cache


def test_flux_example_zero_config_auto_inflation(podinfo_cache: Path) -> None:
    """flux2-kustomize-helm-example with no sluice.yaml: both clusters detected, every Flux
    Kustomization an app directory; with `helmReleases: auto` podinfo is inflated from the
    chart cache and the OCI charts (cert-manager, envoy-gateway) stay HelmReleases for Flux."""
    bundles = render_repo(FLUX_HELM, write=False, chart_cache=podinfo_cache, helm_releases="auto")
    assert sorted((a.cluster, a.app_dir) for a in bundles.apps) == [
        (c, d) for c in ("production", "staging") for d in ("apps", "flux-system", "infra-configs", "infra-controllers")]
    for cluster, hostname in (("production", "podinfo.production"), ("staging", "podinfo.staging")):
        apps = next(a for a in bundles.apps if (a.cluster, a.app_dir) == (cluster, "apps"))
        kinds = sorted(f"{r['kind']}/{r['metadata']['name']}" for r in apps.resources)
        assert "Deployment/podinfo" in kinds and not any(k.startswith("HelmRelease/") for k in kinds)
        route = next(r for r in apps.resources if r["kind"] == "HTTPRoute")
        assert any(h.startswith(hostname) for h in route["spec"]["hostnames"])
        controllers = next(a for a in bundles.apps if (a.cluster, a.app_dir) == (cluster, "infra-controllers"))
        assert sorted(r["metadata"]["name"] for r in controllers.resources if r["kind"] == "HelmRelease") == [
            "cert-manager", "envoy-gateway"]
    assert bundles.notes[0].startswith("Flux cluster directories detected")
    kept = [n for n in bundles.notes if "kept for Flux, not inflated" in n]
    assert len(kept) == 1 and kept[0].startswith("4 HelmRelease(s) kept for Flux") and kept in [list(bundles.skipped)]
    assert f"sluice helm pull --fleet --chart-cache {podinfo_cache}" in kept[0]


def test_flux_example_strict_inflation_names_the_unreachable_chart(podinfo_cache: Path) -> None:
    with pytest.raises(InputError, match=r"chartRef OCIRepository cert-manager/cert-manager: chart .cert-manager. version .1.x. is not in the chart cache"):
        render_repo(FLUX_HELM, write=False, chart_cache=podinfo_cache, helm_releases="inflate")


def test_rendering_the_corpus_is_deterministic(podinfo_cache: Path) -> None:
    a = render_repo(FLUX_HELM, write=False, chart_cache=podinfo_cache, helm_releases="auto")
    b = render_repo(FLUX_HELM, write=False, chart_cache=podinfo_cache, helm_releases="auto")
    assert [x.files for x in a.apps] == [y.files for y in b.apps]


def test_example_root_app_text_is_valid_yaml() -> None:
    assert load_documents(textwrap.dedent(ROOT_APP), "root")[0]["spec"]["source"]["path"] == "apps"


MMALYSKA = REALWORLD / "mmalyska__home-ops"
ONEDR0P = REALWORLD / "onedr0p__home-ops"


def test_home_ops_with_app_of_appsets_renders_what_is_offline() -> None:
    """mmalyska/home-ops, zero-config: a root Application renders ApplicationSets whose apps
    are charts with remote dependencies, plugin sources and a remote kustomize resource:
    those are noted (each once, with its reason), the rest renders."""
    bundles = render_repo(MMALYSKA, write=False)
    assert sorted(a.app for a in bundles.apps) == ["anytype", "nvidia", "root-app", "talos-backup"]
    reasons = [n.split(" not rendered: ", 1)[1] for n in bundles.notes]
    apps = [n.split(": Application ", 1)[1].split(" (", 1)[0] for n in bundles.notes]
    assert len(apps) == len(set(apps)) == 46, "one note per Application, even when two parents generate it"
    assert all(r.startswith(("spec.source.plugin: plugin sources", "spec.source: chart ", "remote resource "))
               for r in reasons), reasons
    assert sum("dependency" in r and "not in charts/" in r for r in reasons) >= 10


def test_flux_operator_instance_is_a_cluster_entry_point() -> None:
    """onedr0p/home-ops runs Flux through the Flux Operator: the FluxInstance's sync.path
    (in the flux-instance chart values) is the cluster directory. The corpus dropped the
    scripts its kustomizations name, so the render stops there, naming the file."""
    from renderer.fleet.flux import detect_flux_clusters
    from renderer.core.fs import RepoFS

    assert detect_flux_clusters(RepoFS(ONEDR0P)) == ["kubernetes/flux/cluster"]
    with pytest.raises(InputError, match=r"kubernetes/apps/default/sonarr/app/kustomization.yaml: .*'./resources/refresh-series.sh' not found"):
        render_repo(ONEDR0P, write=False)


MULTI_TENANCY = REALWORLD / "fluxcd__flux2-multi-tenancy"
DEV_TEAM = REALWORLD / "fluxcd__flux2-multi-tenancy@dev-team"


@pytest.mark.parametrize(("cluster", "replicas"), [("production", 2), ("staging", 1)])
def test_flux_multi_tenancy_follows_the_tenant_repository(podinfo_cache: Path, cluster: str, replicas: int) -> None:
    """flux2-multi-tenancy: the tenants Kustomization creates a GitRepository for the
    dev-team branch; with that branch's checkout mapped (`URL#branch`), the tenant's
    Kustomization renders from it, and its HelmRelease (v2beta1, version ranges,
    patchesStrategicMerge values) inflates from the chart cache."""
    bundles = render_repo(MULTI_TENANCY, write=False, chart_cache=podinfo_cache, helm_releases="auto",
                          repositories={"https://github.com/fluxcd/flux2-multi-tenancy#dev-team": str(DEV_TEAM)})
    dev_team = next(a for a in bundles.apps if (a.cluster, a.app_dir) == (cluster, "dev-team"))
    deployment = next(r for r in dev_team.resources if r["kind"] == "Deployment")
    assert deployment["metadata"]["namespace"] == "apps" and deployment["spec"]["replicas"] == replicas
    # installed by helm-controller, not applied by kustomize-controller: Helm's origin labels only
    labels = deployment["metadata"]["labels"]
    assert labels["helm.toolkit.fluxcd.io/name"] == "podinfo" and "kustomize.toolkit.fluxcd.io/name" not in labels
    # without the checkout the tenant's source is out of reach: not an empty app (which would
    # prune it) but a skipped note, and the applier keeps what its branch holds there
    without = render_repo(MULTI_TENANCY, write=False, chart_cache=podinfo_cache, helm_releases="auto")
    assert (cluster, "dev-team") not in {(a.cluster, a.app_dir) for a in without.apps}
    assert any(f"clusters/{cluster}: Flux Kustomization apps/dev-team not rendered" in n for n in without.skipped)
    assert "dev-team" in without.preserve


ACK_DEMO = REALWORLD / "AliyunContainerService__gitops-demo"
ACK_URL = "https://github.com/AliyunContainerService/gitops-demo.git"


def _cluster(name: str, server: str) -> str:
    return textwrap.dedent(f"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
          namespace: argocd
          labels: {{argocd.argoproj.io/secret-type: cluster}}
        stringData: {{name: {name}, server: "{server}"}}
        """)


@pytest.mark.skipif(not KUBECTL.is_file(), reason="kubectl (the kustomize oracle) is not installed")
def test_ack_one_fleet_from_an_applicationset_git_files_generator(tmp_path: Path) -> None:
    """The ACK One layout: a platform repository holds the cluster Secrets and an
    ApplicationSet whose git files generator reads each environment's config.json in the
    gitops-demo repository (a local checkout, read in place) and targets the cluster at its
    `cluster_address.bj`; each app is the environment's two-level overlay (bases +
    patchesStrategicMerge), equal to `kubectl kustomize` with the destination namespace."""
    platform = tmp_path / "platform"
    (platform / "clusters").mkdir(parents=True)
    (platform / "clusters" / "production.yaml").write_text(_cluster("production", "https://1.2.3.4:6443"))
    (platform / "clusters" / "staging.yaml").write_text(_cluster("staging", "https://2.2.3.4:6443"))
    (platform / "appsets").mkdir()
    (platform / "appsets" / "app1.yaml").write_text(textwrap.dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {{name: app1, namespace: argocd}}
        spec:
          goTemplate: true
          goTemplateOptions: ["missingkey=error"]
          generators:
          - git:
              repoURL: {ACK_URL}
              revision: main
              files: [{{path: "manifests/apps/env/*/config.json"}}]
          template:
            metadata: {{name: 'app1-{{{{.path.basename}}}}'}}
            spec:
              project: default
              source:
                repoURL: {ACK_URL}
                targetRevision: main
                path: 'manifests/apps/app1/overlay/{{{{.path.basename}}}}/bj'
              destination: {{server: '{{{{.cluster_address.bj}}}}', namespace: app1}}
        """))
    (platform / "sluice.yaml").write_text(f"repoURL: https://example.com/platform.git\nrepositories:\n  {ACK_URL}: {ACK_DEMO}\n")
    bundles = render_repo(platform, write=False, allowed_roots=[str(ACK_DEMO)])
    assert sorted((a.cluster, a.app) for a in bundles.apps) == [("production", "app1-dev"), ("staging", "app1-staging")]
    for app in bundles.apps:
        env = app.app.removeprefix("app1-")
        out = subprocess.run([str(KUBECTL), "kustomize", str(ACK_DEMO / "manifests/apps/app1/overlay" / env / "bj")],
                             capture_output=True, text=True, check=True).stdout
        expected = load_documents(out, "kubectl kustomize")
        for doc in expected:
            doc["metadata"].setdefault("namespace", "app1")
        assert list(app.resources) == expected


def test_verify_the_flux_example_with_its_charts(podinfo_cache: Path) -> None:
    """`sluice verify` renders as `sluice render` does (chart cache, helmReleases): the
    inflated podinfo passes the secret guard and the schemas of its Kubernetes version."""
    from renderer.verify import ERROR, verify_repo

    result = verify_repo(FLUX_HELM, chart_cache=podinfo_cache, helm_releases="auto")
    assert len(result.targets) == 8
    assert [f for f in result.findings if f.severity == ERROR] == []
    assert sum("4 HelmRelease(s) kept for Flux" in n for n in result.notes) == 1
