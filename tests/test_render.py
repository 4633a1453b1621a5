"""Rendering a plan into bundles, writing them, and the demo fleet's snapshot."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from renderer.fleet.bundle import (
    INDEX,
    Bundles,
    bundles_for_hydration,
    hydrator_metadata,
    load_bundles,
    write_bundles,
)
from renderer.core.errors import InputError, RenderError, SluiceError
from renderer.fleet.discover import discover
from renderer.fleet.config import load_config
from renderer.core.fs import RepoFS
from renderer.fleet.pipeline import render_plan, render_repo
from renderer.argo.sources import SourceSpec, directory_files, render_directory
from trees import write_tree

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHA = "0123456789abcdef0123456789abcdef01234567"


def render(root: Path, granted: tuple[Path, ...] = (), **kwargs: object) -> Bundles:
    fs = RepoFS(root)
    return render_plan(fs, discover(fs, load_config(fs, granted=granted)), **kwargs)  # type: ignore[arg-type]


def names(bundles: Bundles, app_dir: str) -> list[tuple[str, str, str | None]]:
    [app] = [a for a in bundles.apps if a.app_dir == app_dir]
    return [(r["kind"], r["metadata"]["name"], r["metadata"].get("namespace")) for r in app.resources]


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- directory sources ----------------------------------------------------------------------


def test_directory_source_without_recurse_reads_the_top_level_only() -> None:
    bundles = render(FIXTURES / "directory-sources")
    # values.yaml (no Kubernetes object), notes.md (not a manifest extension) and
    # skipped.yaml (+argocd:skip-file-rendering) are left out; JSON is read
    assert names(bundles, "flat") == [("ConfigMap", "top", "flat-ns"), ("Service", "from-json", "flat-ns")]


def test_directory_source_with_recurse_walks_in_lexical_order() -> None:
    bundles = render(FIXTURES / "directory-sources")
    assert names(bundles, "deep") == [
        ("ConfigMap", "top", "deep-ns"),
        ("Service", "from-json", "deep-ns"),
        ("ConfigMap", "deepest", "deep-ns"),
        ("Deployment", "nested", "deep-ns"),
        ("ConfigMap", "extra", "deep-ns"),
        ("Job", "skip-me", "deep-ns"),
    ]


def test_directory_include_and_exclude_globs() -> None:
    bundles = render(FIXTURES / "directory-sources")
    # include '*.yaml' (any depth: '*' crosses '/'), exclude '{nested/skip/*,*-ignored.yaml}'
    assert names(bundles, "filtered") == [("ConfigMap", "top", "filtered-ns"), ("Deployment", "nested", "filtered-ns")]


def test_directory_files_follow_argo_cd_walk_order() -> None:
    fs = RepoFS(FIXTURES / "directory-sources")
    spec = SourceSpec(path="manifests", type="directory", recurse=True, disable_extension_filter=True, exclude="*.md")
    assert directory_files(fs, spec) == [
        "manifests/a-configmap.yaml",
        "manifests/b-service.json",
        "manifests/nested/deep/more.yml",
        "manifests/nested/deployment.yaml",
        "manifests/nested/extra-ignored.yaml",
        "manifests/nested/skip/job.yaml",
        "manifests/skipped.yaml",
        "manifests/values.yaml",
    ]


def test_directory_source_errors(tmp_path: Path) -> None:
    fs = RepoFS(tmp_path)
    write_tree(tmp_path, {"m/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n"})
    with pytest.raises(InputError) as err:
        render_directory(fs, SourceSpec(path="m", type="directory"))
    assert err.value.file == "m/broken.yaml"
    # a document without kind, in a file that looks like a manifest
    write_tree(tmp_path, {"n/cm.yaml": "apiVersion: v1\nmetadata: {name: x}\nkind: ConfigMap\n---\napiVersion: v1\nmetadata: {name: y}\n"})
    with pytest.raises(InputError, match="object has no kind") as err:
        render_directory(fs, SourceSpec(path="n", type="directory"))
    assert (err.value.file, err.value.line) == ("n/cm.yaml", 5)
    write_tree(tmp_path, {"k/kustomization.yaml": "resources: []\n", "k/cm.yaml": CM_TEXT})
    with pytest.raises(InputError, match="contains a kustomization file"):
        render_directory(RepoFS(tmp_path), SourceSpec(path="k", type="directory"))
    write_tree(tmp_path, {"j/app.jsonnet": "{}"})
    with pytest.raises(InputError, match="jsonnet is not supported"):
        render_directory(RepoFS(tmp_path), SourceSpec(path="j", type="directory"))
    with pytest.raises(InputError, match="bad glob pattern"):
        render_directory(RepoFS(tmp_path), SourceSpec(path="j", type="directory", include="{a,b"))


def test_directory_source_refuses_symlinks_out_of_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(CM_TEXT)
    repo = tmp_path / "repo"
    write_tree(repo, {"m/cm.yaml": CM_TEXT})
    os.symlink(outside, repo / "m" / "escape.yaml")
    with pytest.raises(InputError, match="outside the repository root"):
        render_directory(RepoFS(repo), SourceSpec(path="m", type="directory"))


CM_TEXT = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"


def test_a_source_path_linking_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"cm.yaml": CM_TEXT})
    repo = write_tree(tmp_path / "repo", {
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              source: {repoURL: https://example.com/r.git, path: linked}
              destination: {name: in-cluster}
            """,
    })
    os.symlink(outside, repo / "linked")
    with pytest.raises(InputError, match="outside the repository root") as err:
        render(repo)
    assert err.value.file == "a.yaml"


def test_directory_sources_never_read_the_output_directory(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              source: {repoURL: https://example.com/r.git, path: ., directory: {recurse: true, include: "m/*"}}
              destination: {name: in-cluster}
            """,
        "m/cm.yaml": CM_TEXT,
    })
    first = render_repo(tmp_path).files()  # writes out/in-cluster/a/manifest.yaml
    assert (tmp_path / "out" / "in-cluster" / "a" / "manifest.yaml").is_file()
    write_tree(tmp_path, {"a.yaml": (tmp_path / "a.yaml").read_text().replace('include: "m/*"', 'exclude: "a.yaml"')})
    second = render_repo(tmp_path).files()  # would read out/ (and its own manifest) if not skipped
    assert second["in-cluster/a/manifest.yaml"] == first["in-cluster/a/manifest.yaml"]


def test_missing_source_path_is_an_error_naming_the_application(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              source: {repoURL: https://example.com/r.git, path: nowhere}
              destination: {name: in-cluster}
            """,
    })
    with pytest.raises(InputError) as err:
        render(tmp_path)
    assert err.value.file == "a.yaml"
    assert err.value.message.startswith("spec.source.path: 'nowhere' does not exist (rendering Application a")


def test_helm_chart_sources_render_like_argo_cd(tmp_path: Path) -> None:
    """A path holding Chart.yaml renders like Argo CD's `helm template` call: release name
    from the Application, --namespace from the destination, valueFiles then values then
    parameters (checked against the helm binary where it is installed)."""
    import shutil as _shutil
    import subprocess

    chart = Path(__file__).resolve().parent.parent / "fixtures" / "helm" / "webapp"
    _shutil.copytree(chart, tmp_path / "charts" / "webapp")
    write_tree(tmp_path, {
        "charts/webapp/values-prod.yaml": "replicaCount: 3\nimage: {tag: from-file}\n",
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: shop}
            spec:
              source:
                repoURL: https://example.com/r.git
                path: charts/webapp
                helm:
                  valueFiles: [values-prod.yaml]
                  valuesObject: {image: {tag: from-object}, service: {port: 8080}}
                  parameters:
                  - {name: replicaCount, value: "5"}
              destination: {name: in-cluster, namespace: web}
            """,
    })
    bundles = render(tmp_path)
    docs = bundles.apps[0].resources
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["metadata"]["name"] == "shop-webapp"
    assert deployment["spec"]["replicas"] == 5
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":from-object")
    assert all(d["metadata"].get("namespace", "web") == "web" for d in docs)
    helm = _shutil.which("helm")
    if helm:
        out = subprocess.run(
            [helm, "template", "shop", str(tmp_path / "charts" / "webapp"), "--namespace", "web", "--include-crds",
             "--values", str(tmp_path / "charts" / "webapp" / "values-prod.yaml"),
             "--set-json", "image={\"tag\":\"from-object\"}", "--set", "service.port=8080", "--set", "replicaCount=5"],
            capture_output=True, text=True, check=True,
        ).stdout
        from renderer.core.yaml import load_documents

        expected = load_documents(out, "helm template")
        for body in expected:  # the destination namespace lands on namespaced resources, as Argo CD sets it
            body["metadata"].setdefault("namespace", "web")
        assert list(docs) == expected


# -- destination namespace -------------------------------------------------------------------


def test_destination_namespace_only_on_namespaced_resources_without_one() -> None:
    bundles = render(FIXTURES / "directory-sources")
    assert names(bundles, "scoped") == [
        ("Namespace", "team-a", None),
        ("ClusterRole", "reader", None),
        ("CustomResourceDefinition", "widgets.example.com", None),
        ("CustomResourceDefinition", "gadgets.example.com", None),
        ("Widget", "cluster-wide", None),  # its CRD says scope: Cluster
        ("Gadget", "namespaced", "team-a"),  # its CRD says scope: Namespaced
        ("ClusterIssuer", "letsencrypt", None),  # sluice.yaml clusterScopedKinds
        ("ConfigMap", "elsewhere", "team-b"),  # has its own namespace
        ("Service", "here", "team-a"),
    ]


def test_crds_of_one_app_scope_resources_of_another_on_the_same_cluster(tmp_path: Path) -> None:
    def application(name: str, path: str) -> str:
        return (
            f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\n"
            f"spec:\n  source: {{repoURL: https://example.com/r.git, path: {path}}}\n"
            "  destination: {name: in-cluster, namespace: apps}\n"
        )

    write_tree(tmp_path, {
        "apps.yaml": application("crds", "crds") + "---\n" + application("users", "users"),
        "crds/crd.yaml": """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: policies.example.org}
            spec:
              group: example.org
              scope: Cluster
              names: {kind: Policy, plural: policies}
              versions: []
            """,
        "users/policy.yaml": "apiVersion: example.org/v1\nkind: Policy\nmetadata: {name: p}\n",
    })
    assert names(render(tmp_path), "users") == [("Policy", "p", None)]


def test_input_documents_are_not_mutated(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              source: {repoURL: https://example.com/r.git, path: m}
              destination: {name: in-cluster, namespace: target}
            """,
        "m/cm.yaml": CM_TEXT,
    })
    fs = RepoFS(tmp_path)
    bundles = render_plan(fs, discover(fs, load_config(fs)))
    assert bundles.apps[0].resources[0]["metadata"]["namespace"] == "target"
    assert fs.load_yaml("m/cm.yaml")[0][0]["metadata"] == {"name": "cm"}


# -- bundles -----------------------------------------------------------------------------------


def test_kustomize_sources_render_through_the_builder() -> None:
    bundles = render(FIXTURES / "zero-config")
    assert names(bundles, "shop") == [("ConfigMap", "shop-settings", "shop")]
    assert bundles.apps[1].resources[0]["metadata"]["labels"] == {"app": "shop"}
    assert names(bundles, "guestbook") == [("Deployment", "guestbook-ui", "guestbook"), ("Service", "guestbook-ui", "guestbook")]


def test_hydrator_metadata_format() -> None:
    assert hydrator_metadata("https://example.com/r.git", SHA, ["sluice render"]) == (
        b'{\n  "repoURL": "https://example.com/r.git",\n  "drySha": "' + SHA.encode()
        + b'",\n  "commands": [\n    "sluice render"\n  ]\n}\n'
    )
    assert hydrator_metadata(None, None, ()) == b"{}\n"
    assert hydrator_metadata("https://e.com/a&b<c>", None) == b'{\n  "repoURL": "https://e.com/a&b<c>"\n}\n'  # no HTML escaping


def test_app_files_metadata_and_readme() -> None:
    bundles = render(FIXTURES / "source-hydrator", dry_sha=SHA, commands=["sluice render --out out"])
    app = next(a for a in bundles.apps if a.app == "hydrated")
    assert sorted(app.files) == ["README.md", "hydrator.metadata", "manifest.yaml"]
    assert json.loads(app.files["hydrator.metadata"]) == {
        "repoURL": "https://github.com/example/hydrated-fleet",
        "drySha": SHA,
        "commands": ["sluice render --out out"],
    }
    readme = app.files["README.md"].decode()
    assert "`manifests` (directory)" in readme
    assert f"git checkout {SHA}\nsluice render --out out\n" in readme
    assert "apps/hydrated.yaml" in readme
    # no dry sha (not a git repository): it is left out
    plain = render(FIXTURES / "source-hydrator").apps[0]
    assert json.loads(plain.files["hydrator.metadata"]) == {"repoURL": "https://github.com/example/hydrated-fleet"}
    assert "git checkout" not in plain.files["README.md"].decode()


def test_repo_url_parameter_wins_over_the_plan() -> None:
    bundles = render(FIXTURES / "source-hydrator", repo_url="https://git.example.com/mirror.git")
    assert bundles.repo_url == "https://git.example.com/mirror.git"
    assert json.loads(bundles.apps[0].files["hydrator.metadata"])["repoURL"] == "https://git.example.com/mirror.git"


def test_bundles_for_hydration_groups_apps_by_branch() -> None:
    bundles = render(FIXTURES / "source-hydrator", dry_sha=SHA)
    branches = bundles_for_hydration(bundles)
    assert {b: list(files) for b, files in branches.items()} == {
        "env/dev": ["plain/README.md", "plain/hydrator.metadata", "plain/manifest.yaml"],
        "environments/dev": ["apps/hydrated/README.md", "apps/hydrated/hydrator.metadata", "apps/hydrated/manifest.yaml"],
        "environments/dev-next": ["apps/promoted/README.md", "apps/promoted/hydrator.metadata", "apps/promoted/manifest.yaml"],
    }
    app = next(a for a in bundles.apps if a.app == "hydrated")
    assert branches["environments/dev"]["apps/hydrated/manifest.yaml"] == app.manifest
    assert all(isinstance(v, bytes) for files in branches.values() for v in files.values())
    assert bundles.cluster_branches() == {
        "dev": {"apps/hydrated": "environments/dev", "apps/promoted": "environments/dev-next", "plain": "env/dev"},
    }


def test_demo_bundles_hydrate_through_the_applier(tmp_path: Path) -> None:
    """The applier takes bundles_for_hydration's output as is (real git, bare remote)."""
    import subprocess

    applier = pytest.importorskip("renderer.applier")
    remote = tmp_path / "remote.git"
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=env)
    bundles = render_repo(REPO, write=False, dry_sha=SHA, commands=["sluice render"])
    dry = applier.DrySource(repo_url=bundles.repo_url, dry_sha=SHA, subject="Render the demo", date="2025-01-01T00:00:00Z")
    applier.hydrate(str(remote), bundles_for_hydration(bundles), dry, preserve=bundles.preserve, workdir=tmp_path / "work")
    listing = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "hydrated/staging"],
        check=True, capture_output=True, text=True, env=env,
    ).stdout.split()
    assert listing == [
        ".gitattributes", "api/README.md", "api/hydrator.metadata", "api/manifest.yaml", "hydrator.metadata",
        "platform/README.md", "platform/hydrator.metadata", "platform/manifest.yaml",
        "web/README.md", "web/hydrator.metadata", "web/manifest.yaml",
        "worker/README.md", "worker/hydrator.metadata", "worker/manifest.yaml",
    ]


def test_two_apps_rendering_one_resource_is_a_warning(tmp_path: Path) -> None:
    def application(name: str) -> str:
        return (
            f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\n"
            "spec:\n  source: {repoURL: https://example.com/r.git, path: m}\n"
            "  destination: {name: in-cluster, namespace: n}\n"
        )

    write_tree(tmp_path, {"apps.yaml": application("one") + "---\n" + application("two"), "m/cm.yaml": CM_TEXT})
    assert render(tmp_path).warnings == ("cluster in-cluster: ConfigMap n/cm is rendered by both one and two",)


def test_duplicate_resource_in_one_app_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              source: {repoURL: https://example.com/r.git, path: m}
              destination: {name: in-cluster, namespace: n}
            """,
        "m/one.yaml": CM_TEXT,
        "m/two.yaml": CM_TEXT.replace("name: cm", "name: cm\n  namespace: n"),
    })
    with pytest.raises(RenderError, match="ConfigMap n/cm appears twice"):
        render(tmp_path)


def test_kustomize_config_objects_never_reach_the_output(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              source: {repoURL: https://example.com/r.git, path: m}
              destination: {name: in-cluster}
            """,
        "m/component.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nmetadata: {name: c}\n",
    })
    with pytest.raises(RenderError, match="contains a kustomize Component object"):
        render(tmp_path)


# -- writing --------------------------------------------------------------------------------------


def test_atomic_write_an_error_in_the_third_app_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(SluiceError) as err:
        render_repo(FIXTURES / "third-app-fails", out)
    assert "c-third" in str(err.value)
    assert err.value.file == "c-third/kustomization.yaml"
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary directory left behind


def test_a_failed_render_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_repo(FIXTURES / "source-hydrator", out)
    before = tree(out)
    with pytest.raises(SluiceError):
        render_repo(FIXTURES / "third-app-fails", out)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_replaces_the_output_as_a_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_repo(FIXTURES / "zero-config", out)
    (out / "dev" / "stale").mkdir()
    (out / "dev" / "stale" / "manifest.yaml").write_text("old")
    render_repo(FIXTURES / "source-hydrator", out, dry_sha=SHA)
    assert sorted(tree(out)) == [
        INDEX,
        "dev/apps/hydrated/README.md", "dev/apps/hydrated/hydrator.metadata", "dev/apps/hydrated/manifest.yaml",
        "dev/apps/promoted/README.md", "dev/apps/promoted/hydrator.metadata", "dev/apps/promoted/manifest.yaml",
        "dev/plain/README.md", "dev/plain/hydrator.metadata", "dev/plain/manifest.yaml",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_refuses_to_replace_a_directory_it_did_not_write(tmp_path: Path) -> None:
    precious = write_tree(tmp_path / "precious", {"keep.txt": "mine"})
    bundles = render(FIXTURES / "source-hydrator")
    with pytest.raises(InputError, match="not a sluice output directory"):
        write_bundles(bundles, precious)
    assert (precious / "keep.txt").read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    write_bundles(bundles, empty)
    assert (empty / INDEX).is_file()


def test_write_without_an_atomic_exchange_falls_back_to_two_renames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import renderer.fleet.bundle as bundle_module

    out = tmp_path / "out"
    write_bundles(render(FIXTURES / "zero-config"), out)
    monkeypatch.setattr(bundle_module, "_exchange", lambda a, b: False)
    bundles = render(FIXTURES / "source-hydrator")
    write_bundles(bundles, out)
    assert tree(out) == bundles.files()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_refuses_a_symlinked_output(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(InputError, match="not a sluice output directory"):
        write_bundles(render(FIXTURES / "source-hydrator"), tmp_path / "link")


def test_render_repo_skips_an_output_dir_inside_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_tree(repo, {
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              source: {repoURL: https://example.com/r.git, path: m}
              destination: {name: in-cluster}
            """,
        "m/cm.yaml": CM_TEXT,
        # a previous output holding a file that would be a YAML error if discovery read it
        "rendered/.sluice-bundles.json": "{}",
        "rendered/x/broken.yaml": "argoproj.io: [",
    })
    bundles = render_repo(repo, repo / "rendered")
    assert [a.app for a in bundles.apps] == ["a"]
    assert (repo / "rendered" / "in-cluster" / "a" / "manifest.yaml").is_file()
    render_repo(repo)  # default: sluice.yaml output.dir (out)
    assert (repo / "out" / INDEX).is_file()


def test_load_bundles_round_trip(tmp_path: Path) -> None:
    bundles = render(FIXTURES / "source-hydrator", dry_sha=SHA, commands=["sluice render"])
    write_bundles(bundles, tmp_path / "out")
    loaded = load_bundles(tmp_path / "out")
    assert loaded.files() == bundles.files()
    assert bundles_for_hydration(loaded) == bundles_for_hydration(bundles)
    with pytest.raises(InputError, match="not a sluice output directory"):
        load_bundles(tmp_path)


# -- the demo fleet ---------------------------------------------------------------------------------


def demo_files(**kwargs: object) -> dict[str, bytes]:
    return render_repo(REPO, write=False, **kwargs).files()  # type: ignore[arg-type]


def test_demo_fleet_renders_every_app_of_both_clusters() -> None:
    bundles = render_repo(REPO, write=False, dry_sha=SHA)
    assert [(a.cluster, a.app_dir, a.branch, a.source_path) for a in bundles.apps] == [
        ("production", "api", "hydrated/production", "overlays/production/api"),
        ("production", "platform", "hydrated/production", "platform"),
        ("production", "web", "hydrated/production", "overlays/production/web"),
        ("production", "worker", "hydrated/production", "overlays/production/worker"),
        ("staging", "api", "hydrated/staging", "overlays/staging/api"),
        ("staging", "platform", "hydrated/staging", "platform"),
        ("staging", "web", "hydrated/staging", "overlays/staging/web"),
        ("staging", "worker", "hydrated/staging", "overlays/staging/worker"),
    ]
    assert bundles.warnings == ()
    names_of = {a.app: {(r["kind"], r["metadata"]["name"]): r for r in a.resources} for a in bundles.apps}
    web = names_of["production-web"]["Deployment", "web"]
    assert web["spec"]["replicas"] == 4
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/example/shop-web:1.0.3"
    assert names_of["staging-web"]["Deployment", "web"]["spec"]["replicas"] == 1
    assert names_of["staging-web"]["Ingress", "web"]["spec"]["rules"][0]["host"] == "shop.staging.example.com"
    assert names_of["staging-worker"]["CronJob", "order-cleanup"]["spec"]["schedule"] == "*/15 * * * *"
    platform = names_of["staging-platform"]
    assert "namespace" not in platform["Namespace", "shop-staging"]["metadata"]
    assert platform["ResourceQuota", "shop-quota"]["metadata"]["namespace"] == "shop-staging"
    assert platform["RoleBinding", "shop-viewers"]["metadata"]["namespace"] == "shop-staging"
    assert ("Namespace", "shop-production") not in platform  # include: {common/*,staging/*}
    for path in bundles.files():
        assert path.rsplit("/", 1)[-1] not in ("kustomization.yaml", "Chart.yaml")


def test_render_is_deterministic(tmp_path: Path) -> None:
    first = demo_files(dry_sha=SHA)
    second = demo_files(dry_sha=SHA)
    assert first == second
    render_repo(REPO, tmp_path / "a", dry_sha=SHA)
    render_repo(REPO, tmp_path / "b", dry_sha=SHA)
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == first


def test_demo_fleet_snapshot(snapshot) -> None:  # type: ignore[no-untyped-def]
    files = demo_files(dry_sha=SHA, commands=["sluice render"])
    assert {path: data.decode("utf-8") for path, data in files.items()} == snapshot


HELMRELEASE_APP = """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  annotations: {ANNOTATIONS}
spec:
  source: {repoURL: https://example.com/r.git, path: deploy/web}
  destination: {name: in-cluster, namespace: web}
"""

HELMRELEASE_FILES = {
    "deploy/web/kustomization.yaml": "namespace: web\nresources: [release.yaml]\nconfigMapGenerator:\n- name: web-values\n  options: {disableNameSuffixHash: true}\n  literals:\n  - |\n    values.yaml=replicaCount: 4\n",
    "deploy/web/release.yaml": """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: dry, namespace: web}
        spec: {url: https://example.com/r.git, ref: {branch: main}}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: web, namespace: web}
        spec:
          chart:
            spec:
              chart: ./charts/webapp
              sourceRef: {kind: GitRepository, name: dry}
          valuesFrom:
          - kind: ConfigMap
            name: web-values
          values:
            image: {tag: "2.0"}
        """,
}


@pytest.mark.parametrize("annotations", ["{}", "{sluice.dev/helm-releases: passthrough}"])
def test_helmreleases_inflate_in_a_fleet_render_unless_passed_through(tmp_path: Path, annotations: str) -> None:
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "helm" / "webapp", tmp_path / "charts" / "webapp")
    write_tree(tmp_path, {**HELMRELEASE_FILES, "app.yaml": HELMRELEASE_APP.replace("{ANNOTATIONS}", annotations)})
    docs = render(tmp_path).apps[0].resources
    kinds = [d["kind"] for d in docs]
    if "passthrough" in annotations:
        assert "HelmRelease" in kinds and "Deployment" not in kinds
        return
    assert "HelmRelease" not in kinds
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["spec"]["replicas"] == 4, "valuesFrom the ConfigMap of the same build"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":2.0"), "spec.values last"
    assert deployment["metadata"]["labels"]["helm.toolkit.fluxcd.io/name"] == "web"
    assert deployment["metadata"]["labels"]["helm.toolkit.fluxcd.io/namespace"] == "web"
    assert deployment["metadata"]["namespace"] == "web", "installed into the release namespace"


def test_multi_source_application_reads_value_files_through_a_ref(tmp_path: Path) -> None:
    """`spec.sources`: a chart source reads `$values/...` from a `ref` source (this
    repository), and a second path source adds its manifests after the chart's."""
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "helm" / "webapp", tmp_path / "charts" / "webapp")
    write_tree(tmp_path, {
        "envs/prod/values.yaml": "replicaCount: 7\n",
        "extras/cm.yaml": CM_TEXT,
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: shop}
            spec:
              sources:
              - repoURL: https://example.com/r.git
                path: charts/webapp
                helm: {valueFiles: [$values/envs/prod/values.yaml]}
              - repoURL: https://example.com/r.git
                ref: values
              - repoURL: https://example.com/r.git
                path: extras
              destination: {name: in-cluster, namespace: web}
            """,
    })
    docs = render(tmp_path).apps[0].resources
    assert next(d for d in docs if d["kind"] == "Deployment")["spec"]["replicas"] == 7
    assert docs[-1]["kind"] == "ConfigMap", "the second source's manifests follow the chart's"


def test_multi_source_with_another_repository_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "m/cm.yaml": CM_TEXT,
        "a.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: a}
            spec:
              sources:
              - {repoURL: https://example.com/r.git, path: m}
              - {repoURL: https://example.com/other.git, ref: values}
              destination: {name: in-cluster, namespace: n}
            """,
    })
    with pytest.raises(InputError, match=r"spec.sources\[1\].repoURL"):
        render(tmp_path)


def test_flux_cluster_directories_render_one_app_dir_per_kustomization(tmp_path: Path) -> None:
    """`fluxClusters`: a Flux repository layout as fleet entry points, the cluster named after
    its directory, one bundle directory per Flux Kustomization, on the cluster's branch."""
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "flux" / "cluster", tmp_path, dirs_exist_ok=True)
    (tmp_path / "sluice.yaml").write_text("applications: []\nclusters: []\nfluxClusters: [clusters/*]\n")
    bundles = render(tmp_path)
    assert {(a.cluster, a.app_dir, a.branch) for a in bundles.apps} >= {("dev", "apps", "hydrated/dev"), ("dev", "infra", "hydrated/dev")}
    apps = next(a for a in bundles.apps if a.app_dir == "apps")
    assert apps.resources, "the apps Kustomization renders objects"
    assert all(r["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] == "apps" for r in apps.resources)
    again = render(tmp_path)
    assert [a.files for a in again.apps] == [a.files for a in bundles.apps], "deterministic"


def test_helm_repository_chart_source_renders_from_the_chart_cache(tmp_path: Path) -> None:
    """`spec.source.chart` from a Helm repository: offline, the chart comes from the chart
    cache (`<repository URL without scheme>/<chart>-<version>.tgz`); without it a clear error."""
    import subprocess

    from renderer.helm.engine import find_helm_binary
    from renderer.fleet.pipeline import render_repo

    helm = find_helm_binary()
    if helm is None:
        pytest.skip("needs the helm binary to package the chart (tools/install_helm.py)")
    cache = tmp_path / "cache"
    (cache / "charts.example.com" / "stable").mkdir(parents=True)
    for version in ("1.0.0", "1.1.0"):
        subprocess.run([helm, "package", str(Path(__file__).resolve().parent.parent / "fixtures" / "helm" / "webapp"),
                        "--version", version, "-d", str(cache / "charts.example.com" / "stable")], check=True, capture_output=True)
    repo = tmp_path / "repo"
    write_tree(repo, {"a.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: web}
        spec:
          source:
            repoURL: https://charts.example.com/stable
            chart: webapp
            targetRevision: 1.0.x
            helm: {valuesObject: {replicaCount: 2}}
          destination: {name: in-cluster, namespace: web}
        """})
    with pytest.raises(InputError, match="charts.example.com/stable/webapp-<version>.tgz"):
        render_repo(repo, write=False)
    bundles = render_repo(repo, write=False, chart_cache=cache)
    deployment = next(d for d in bundles.apps[0].resources if d["kind"] == "Deployment")
    assert deployment["metadata"]["name"] == "web-webapp"
    assert deployment["spec"]["replicas"] == 2
    assert deployment["metadata"]["labels"]["helm.sh/chart"] == "webapp-1.0.0"


def test_flux_cluster_directories_are_detected_without_config(tmp_path: Path) -> None:
    """Zero-config: a directory holding a bootstrapped `flux-system/` is a Flux cluster entry
    point (said in a note); `fluxClusters: []` turns detection off; a `flux-system` directory
    that no bootstrap made (an app named flux-system) is not a cluster."""
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "flux" / "cluster", tmp_path, dirs_exist_ok=True)
    write_tree(tmp_path, {
        # flux bootstrap's own file names mark a cluster even when they hold nothing readable
        "clusters/prod/flux-system/gotk-components.yaml": "# generated by flux bootstrap\n",
        "clusters/prod/flux-system/gotk-sync.yaml": "# generated by flux bootstrap\n",
        "clusters/prod/apps.yaml": (tmp_path / "clusters" / "dev" / "apps.yaml").read_text(),
        "clusters/prod/infra.yaml": (tmp_path / "clusters" / "dev" / "infra.yaml").read_text(),
        "apps/flux-system/notifications.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\n",
    })
    bundles = render(tmp_path)
    assert sorted({a.cluster for a in bundles.apps}) == ["dev", "prod"]
    assert bundles.notes == ("Flux cluster directories detected (set fluxClusters in sluice.yaml to choose): "
                             "clusters/dev, clusters/prod",)
    explicit = render_with_config(tmp_path, "fluxClusters: [clusters/dev]\n")
    assert sorted({a.cluster for a in explicit.apps}) == ["dev"] and explicit.notes == ()
    assert render_with_config(tmp_path, "fluxClusters: []\n").apps == ()


def render_with_config(root: Path, config: str) -> Bundles:
    (root / "sluice.yaml").write_text(config)
    try:
        return render(root)
    finally:
        (root / "sluice.yaml").unlink()


APP_OF_APPS = {
    "apps/root.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: root, namespace: argocd}
        spec:
          source: {repoURL: https://example.com/fleet.git, path: root, helm: {valuesObject: {env: prod}}}
          destination: {name: in-cluster, namespace: argocd}
        """,
    "root/Chart.yaml": "apiVersion: v2\nname: root\nversion: 1.0.0\n",
    "root/values.yaml": "env: dev\napps: [web, api]\n",
    "root/templates/apps.yaml": """
        {{- range .Values.apps }}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: {{ . }}-{{ $.Values.env }}}
        spec:
          source: {repoURL: https://example.com/fleet.git, path: services/{{ . }}}
          destination: {name: in-cluster, namespace: {{ . }}}
        {{- end }}
        ---
        # the root manages itself: already planned, not rendered twice
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: root, namespace: argocd}
        spec:
          source: {repoURL: https://example.com/fleet.git, path: root}
          destination: {name: in-cluster, namespace: argocd}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: vendor}
        spec:
          source: {repoURL: https://github.com/vendor/manifests.git, path: deploy}
          destination: {name: in-cluster, namespace: vendor}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: workers}
        spec:
          goTemplate: true
          generators:
          - list: {elements: [{queue: mail}, {queue: jobs}]}
          template:
            metadata: {name: 'worker-{{ "{{" }}.queue{{ "}}" }}'}
            spec:
              source: {repoURL: https://example.com/fleet.git, path: services/worker}
              destination: {name: in-cluster, namespace: 'worker-{{ "{{" }}.queue{{ "}}" }}'}
        """,
    "services/web/deploy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
    "services/api/deploy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api}\n",
    "services/worker/deploy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: worker}\n",
}


def test_app_of_apps_children_render_as_their_own_bundles(tmp_path: Path) -> None:
    """App of apps: the Applications (and ApplicationSets) a parent renders are rendered too,
    each into its own app directory; the parent keeps the child manifests (Argo CD creates
    the children from them); a self-managing root is not rendered twice; a child whose source
    is another repository is noted, not an error."""
    write_tree(tmp_path, APP_OF_APPS)
    bundles = render(tmp_path)
    by_dir = {a.app_dir: a for a in bundles.apps}
    assert sorted(by_dir) == ["api-prod", "root", "web-prod", "worker-jobs", "worker-mail"]
    assert names(bundles, "web-prod") == [("ConfigMap", "web", "web")]
    assert names(bundles, "worker-mail") == [("ConfigMap", "worker", "worker-mail")]
    assert [(k, n) for k, n, _ in names(bundles, "root")] == [
        ("Application", "web-prod"), ("Application", "api-prod"), ("Application", "root"),
        ("Application", "vendor"), ("ApplicationSet", "workers")]
    [note] = bundles.notes
    assert "Application vendor (rendered by Application root) not rendered" in note and "another repository" in note
    assert render(tmp_path).apps == bundles.apps, "deterministic"


def test_app_of_apps_child_errors_name_the_parent(tmp_path: Path) -> None:
    files = dict(APP_OF_APPS)
    files["services/api/deploy.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api\n"
    write_tree(tmp_path, files)
    with pytest.raises(InputError, match=r"services/api/deploy.yaml:4: malformed YAML.*rendering Application api-prod .*rendered by Application root"):
        render(tmp_path)


def test_app_of_apps_child_clashing_with_an_app_directory_is_an_error(tmp_path: Path) -> None:
    files = dict(APP_OF_APPS)
    files["apps/web.yaml"] = """
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: other, annotations: {}}
        spec:
          source: {repoURL: https://example.com/fleet.git, path: services/web}
          destination: {name: in-cluster, namespace: web}
          sourceHydrator:
            drySource: {repoURL: https://example.com/fleet.git, path: services/web}
            syncSource: {targetBranch: hydrated/in-cluster, path: web-prod}
        """
    write_tree(tmp_path, files)
    with pytest.raises(InputError, match="write to the same directory 'web-prod'"):
        render(tmp_path)


def test_repositories_map_other_repos_to_local_checkouts(tmp_path: Path) -> None:
    """`repositories`: an Application whose source is another repository renders from its
    local checkout; a missing checkout directory is a config error naming the line."""
    apps = write_tree(tmp_path / "apps-repo", {"web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"})
    platform = write_tree(tmp_path / "platform", {
        "web.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: web}
            spec:
              source: {repoURL: git@github.com:Example/Apps.git, path: web}
              destination: {name: in-cluster, namespace: web}
            """,
        "sluice.yaml": "repoURL: https://github.com/example/platform\nrepositories:\n  https://github.com/example/apps: ../apps-repo\n",
    })
    with pytest.raises(InputError, match=r"sluice.yaml:3: repositories.https://github.com/example/apps: '../apps-repo' leads "
                                         r"outside the repository; sluice.yaml cannot widen what a render reads"):
        render(platform)  # not granted by whoever runs sluice
    bundles = render(platform, granted=(apps,))
    assert names(bundles, "web") == [("ConfigMap", "web", "web")]
    (platform / "sluice.yaml").write_text("repositories:\n  https://github.com/example/apps: ../nowhere\n")
    with pytest.raises(InputError, match=r"sluice.yaml:2: repositories.https://github.com/example/apps: '../nowhere' is not a directory"):
        render(platform, granted=(tmp_path,))
    (platform / "sluice.yaml").write_text("repoURL: https://github.com/example/platform\n")
    from renderer.fleet.pipeline import render_repo

    assert [a.app for a in render_repo(platform, write=False, repositories={"https://github.com/example/apps.git": str(apps)}).apps] == ["web"]


CAPABILITIES_CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: caps\nversion: 0.1.0\n",
    "chart/templates/cm.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: caps}
        data:
          kube: {{ .Capabilities.KubeVersion.Version | quote }}
          monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
        """,
}


def _cluster_secret(name: str, annotations: str = "") -> str:
    return f"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
          labels: {{argocd.argoproj.io/secret-type: cluster}}
          annotations: {{{annotations}}}
        stringData: {{name: {name}, server: https://{name}.example.com}}
        """


def _caps_app(name: str, cluster: str, helm: str = "") -> str:
    return f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: {name}}}
        spec:
          source: {{repoURL: https://example.com/r.git, path: chart{helm}}}
          destination: {{name: {cluster}, namespace: caps}}
        """


def test_helm_sees_the_destination_clusters_capabilities(tmp_path: Path) -> None:
    """As Argo CD passes the destination cluster's version and APIs to `helm template`:
    sluice.yaml's kubeVersion/apiVersions, a cluster Secret's annotations over them, an
    Application's helm.kubeVersion over both. A fixed default keeps the two Helm backends
    (whose own defaults differ) in agreement."""
    write_tree(tmp_path, {
        **CAPABILITIES_CHART,
        "clusters/old.yaml": _cluster_secret("old", "sluice.dev/kube-version: '1.29.3', sluice.dev/api-versions: 'monitoring.coreos.com/v1'"),
        "clusters/new.yaml": _cluster_secret("new"),
        "apps/a.yaml": _caps_app("on-old", "old"),
        "apps/b.yaml": _caps_app("on-new", "new"),
        "apps/c.yaml": _caps_app("pinned", "old", ", helm: {kubeVersion: 1.31.0}"),
        "apps/d.yaml": _caps_app("default", "in-cluster"),
    })
    data = {a.app: a.resources[0]["data"] for a in render(tmp_path).apps}
    assert data == {
        "default": {"kube": "v1.35.0", "monitoring": "false"},
        "on-new": {"kube": "v1.35.0", "monitoring": "false"},
        "on-old": {"kube": "v1.29.3", "monitoring": "true"},
        "pinned": {"kube": "v1.31.0", "monitoring": "true"},
    }
    (tmp_path / "sluice.yaml").write_text("kubeVersion: 1.33.1\napiVersions: [monitoring.coreos.com/v1]\n")
    data = {a.app: a.resources[0]["data"] for a in render(tmp_path).apps}
    assert data["on-new"] == {"kube": "v1.33.1", "monitoring": "true"} and data["on-old"]["kube"] == "v1.29.3"


def test_bad_kube_version_annotation_names_the_secret(tmp_path: Path) -> None:
    write_tree(tmp_path, {**CAPABILITIES_CHART, "clusters/x.yaml": _cluster_secret("x", "sluice.dev/kube-version: latest"),
                          "apps/a.yaml": _caps_app("a", "x")})
    with pytest.raises(InputError, match=r"clusters/x.yaml:1: cluster Secret x: annotation sluice.dev/kube-version: 'latest'"):
        render(tmp_path)


def test_flux_operator_sync_path_is_detected(tmp_path: Path) -> None:
    """A Flux Operator FluxInstance names the cluster directory in spec.sync.path."""
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "flux" / "cluster", tmp_path, dirs_exist_ok=True)
    _shutil.rmtree(tmp_path / "clusters" / "dev" / "flux-system")
    write_tree(tmp_path, {"operator/instance.yaml": """
        apiVersion: fluxcd.controlplane.io/v1
        kind: FluxInstance
        metadata: {name: flux, namespace: flux-system}
        spec:
          distribution: {version: 2.x}
          sync: {kind: GitRepository, url: https://example.com/fleet.git, ref: refs/heads/main, path: ./clusters/dev}
        """})
    bundles = render(tmp_path)
    assert {a.cluster for a in bundles.apps} == {"dev"} and {"apps", "infra"} <= {a.app_dir for a in bundles.apps}


def test_a_helmrelease_for_another_cluster_is_never_inflated_here(tmp_path: Path) -> None:
    """spec.kubeConfig: helm-controller installs the release into a remote cluster, so its
    manifests do not belong in this cluster's bundle: the HelmRelease is kept, with a note."""
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "helm" / "webapp", tmp_path / "charts" / "webapp")
    files = dict(HELMRELEASE_FILES)
    files["deploy/web/release.yaml"] = files["deploy/web/release.yaml"].replace(
        "          values:\n", "          kubeConfig: {secretRef: {name: edge-kubeconfig}}\n          values:\n")
    write_tree(tmp_path, {**files, "app.yaml": HELMRELEASE_APP.replace("{ANNOTATIONS}", "{}")})
    bundles = render(tmp_path)
    assert [d["kind"] for d in bundles.apps[0].resources if d["kind"] in ("HelmRelease", "Deployment")] == ["HelmRelease"]
    assert bundles.notes == ("app.yaml: HelmRelease web/web kept for Flux, not inflated: spec.kubeConfig installs it "
                             "into another cluster",)


def test_repositories_can_map_one_branch_of_a_repository(tmp_path: Path) -> None:
    """`URL#ref` maps one branch (an Application's targetRevision) to its own checkout, even
    a branch of this very repository; other revisions of that URL stay as they were."""
    release = write_tree(tmp_path / "release-branch", {"web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-release}\n"})
    platform = write_tree(tmp_path / "platform", {
        "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-main}\n",
        "apps/main.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: main}
            spec:
              source: {repoURL: https://github.com/example/platform.git, path: web, targetRevision: main}
              destination: {name: in-cluster, namespace: a}
            """,
        "apps/release.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: release}
            spec:
              source: {repoURL: https://github.com/example/platform.git, path: web, targetRevision: release-1.2}
              destination: {name: in-cluster, namespace: b}
            """,
        "sluice.yaml": f"repoURL: https://github.com/example/platform\nrepositories:\n  https://github.com/example/platform#release-1.2: {release}\n",
    })
    bundles = render(platform, granted=(release,))
    assert names(bundles, "main") == [("ConfigMap", "from-main", "a")]
    assert names(bundles, "release") == [("ConfigMap", "from-release", "b")]


def test_strict_render_fails_on_anything_left_out(tmp_path: Path) -> None:
    """`--strict`: an Application or HelmRelease left out as out of reach fails the render
    (exit 2) and nothing is written; without it the render writes and says `skipped:`."""
    from click.testing import CliRunner

    from renderer.cli import cli

    write_tree(tmp_path, APP_OF_APPS)
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["render", str(tmp_path), "--out", str(out), "--strict"])
    assert result.exit_code == 2 and "left out (--strict)" in result.output and "Application vendor" in result.output
    assert not out.exists()
    result = runner.invoke(cli, ["render", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0 and "skipped: apps/root.yaml:1: Application vendor" in result.output
    assert (out / "in-cluster" / "web-prod" / "manifest.yaml").is_file()
    result = runner.invoke(cli, ["render", str(tmp_path), "--out", str(out), "--output", "json"])
    assert len(json.loads(result.stdout)["skipped"]) == 1


def test_a_flux_kustomization_for_another_cluster_is_not_rendered_here(tmp_path: Path) -> None:
    """spec.kubeConfig: kustomize-controller applies the Kustomization to a remote cluster;
    its objects belong to no bundle of this cluster (said in a note)."""
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "flux" / "cluster", tmp_path, dirs_exist_ok=True)
    apps = tmp_path / "clusters" / "dev" / "apps.yaml"
    apps.write_text(apps.read_text().replace("spec:\n", "spec:\n  kubeConfig: {secretRef: {name: edge-kubeconfig}}\n", 1))
    (tmp_path / "sluice.yaml").write_text("applications: []\nclusters: []\nfluxClusters: [clusters/*]\n")
    bundles = render(tmp_path)
    assert "apps" not in {a.app_dir for a in bundles.apps} and "infra" in {a.app_dir for a in bundles.apps}
    assert bundles.notes == ("clusters/dev: Flux Kustomization flux-system/apps not rendered for cluster dev: "
                             "spec.kubeConfig applies it to another cluster",)


def test_child_applications_can_point_at_their_hydrated_branches(tmp_path: Path) -> None:
    """`childApplications: hydrated`: the Application manifests a parent renders that sluice
    renders itself (the children, the self-managing root) sync from their hydrated branch
    and directory; the out-of-reach child and the ApplicationSet stay as written."""
    write_tree(tmp_path, {**APP_OF_APPS, "sluice.yaml": "repoURL: https://example.com/fleet.git\nchildApplications: hydrated\n"})
    root = next(a for a in render(tmp_path).apps if a.app == "root")
    docs = {d["metadata"]["name"]: d for d in root.resources}
    assert docs["web-prod"]["spec"]["source"] == {
        "repoURL": "https://example.com/fleet.git", "targetRevision": "hydrated/in-cluster", "path": "web-prod"}
    assert docs["web-prod"]["spec"]["destination"] == {"name": "in-cluster", "namespace": "web"}
    assert docs["root"]["spec"]["source"]["path"] == "root" and docs["root"]["spec"]["source"]["targetRevision"] == "hydrated/in-cluster"
    assert docs["vendor"]["spec"]["source"]["repoURL"] == "https://github.com/vendor/manifests.git"
    assert docs["workers"]["kind"] == "ApplicationSet" and "{{" in docs["workers"]["spec"]["template"]["metadata"]["name"]
    # by default the manifests stay as the parent rendered them
    (tmp_path / "sluice.yaml").write_text("repoURL: https://example.com/fleet.git\n")
    root = next(a for a in render(tmp_path).apps if a.app == "root")
    assert next(d for d in root.resources if d["metadata"]["name"] == "web-prod")["spec"]["source"]["path"] == "services/web"


def test_install_create_namespace_adds_the_namespace_helm_would_create(tmp_path: Path) -> None:
    """spec.install.createNamespace: Helm creates the release namespace (labelled name=<ns>)
    before installing, so the inflated bundle holds it first; not when the bundle already
    declares that Namespace."""
    import shutil as _shutil

    _shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "helm" / "webapp", tmp_path / "charts" / "webapp")
    files = dict(HELMRELEASE_FILES)
    files["deploy/web/release.yaml"] = files["deploy/web/release.yaml"].replace(
        "          values:\n", "          targetNamespace: web-prod\n          install: {createNamespace: true}\n          values:\n")
    write_tree(tmp_path, {**files, "app.yaml": HELMRELEASE_APP.replace("{ANNOTATIONS}", "{}")})
    docs = render(tmp_path).apps[0].resources
    namespaces = [d for d in docs if d["kind"] == "Namespace"]
    assert namespaces == [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web-prod", "labels": {"name": "web-prod"}}}]
    assert next(d for d in docs if d["kind"] == "Deployment")["metadata"]["namespace"] == "web-prod"
    # the kustomization (namespace: web) declares the release namespace itself
    write_tree(tmp_path, {"deploy/web/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {team: web}}\n",
                          "deploy/web/kustomization.yaml": files["deploy/web/kustomization.yaml"].replace("resources: [release.yaml]", "resources: [release.yaml, ns.yaml]"),
                          "deploy/web/release.yaml": files["deploy/web/release.yaml"].replace("targetNamespace: web-prod", "targetNamespace: web")})
    docs = render(tmp_path).apps[0].resources
    assert [d["metadata"].get("labels") for d in docs if d["kind"] == "Namespace"] == [{"team": "web"}]
