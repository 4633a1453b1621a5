"""Fleet configuration (sluice.yaml), discovery and the render plan."""
from __future__ import annotations

import base64
import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest

from renderer.core.errors import InputError
from renderer.fleet.discover import discover, normalize_repo_url, select_files
from renderer.core.branchname import branch_name_problem
from renderer.fleet.config import (
    DEFAULT_BRANCH_TEMPLATE,
    FleetConfig,
    config_schema,
    load_config,
)
from renderer.core.fs import RepoFS
from renderer.argo.sources import argo_glob_match, compile_glob
from trees import write_tree

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def plan_of(root: Path):
    fs = RepoFS(root)
    return discover(fs, load_config(fs))


def app(name: str, *, dest: str = "name: in-cluster", path: str = "manifests", namespace: str = "ns") -> str:
    """An Application manifest; `dest` lines go under spec.destination (joined with newlines)."""
    dest_lines = "".join(f"    {line.strip()}\n" for line in dest.splitlines())
    return (
        "apiVersion: argoproj.io/v1alpha1\n"
        "kind: Application\n"
        "metadata:\n"
        f"  name: {name}\n"
        "spec:\n"
        "  source:\n"
        "    repoURL: https://example.com/repo.git\n"
        f"    path: {path}\n"
        "  destination:\n"
        f"{dest_lines}"
        f"    namespace: {namespace}\n"
    )


def secret(name: str, server: str, *, encoded: bool = False) -> str:
    if encoded:
        body = f"data:\n  name: {base64.b64encode(name.encode()).decode()}\n  server: {base64.b64encode(server.encode()).decode()}\n"
    else:
        body = f"stringData:\n  name: {name}\n  server: {server}\n"
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cluster-" + name
        + "\n  labels:\n    argocd.argoproj.io/secret-type: cluster\n" + body
    )


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"


# -- zero config ---------------------------------------------------------------------------


def test_zero_config_discovery_finds_apps_and_clusters_anywhere() -> None:
    plan = plan_of(FIXTURES / "zero-config")
    assert plan.config == FleetConfig()
    assert [(t.app, t.cluster, t.branch, t.app_dir, t.source_path, t.namespace, t.origin) for t in plan.targets] == [
        ("guestbook", "dev", "hydrated/dev", "guestbook", "deploy/guestbook", "guestbook", "argocd/apps.yaml"),
        ("shop", "in-cluster", "hydrated/in-cluster", "shop", "deploy/shop", "shop", "argocd/apps.yaml"),
    ]
    # the dev cluster comes from base64 `data`; in-cluster is implicit
    assert [(c.name, c.server, c.origin) for c in plan.clusters] == [
        ("dev", "https://dev.k8s.example.com", "inventory/dev-cluster.yaml"),
        ("in-cluster", "https://kubernetes.default.svc", None),
    ]
    # the two Applications spell the repository differently; it is one repository
    assert plan.repo_url == "https://github.com/example/zero-config.git"
    # the ApplicationSet `later` has an empty list generator: it generates no Application, and says so
    assert plan.notes == ("argocd/apps.yaml:41: ApplicationSet later generates no Application (its generators "
                          "produced no parameters from the clusters and files sluice sees)",)
    # not read: .hidden/, the Helm chart's templates (not YAML), the output dir out/
    assert all(t.app not in ("hidden", "stale-output") for t in plan.targets)


def test_zero_config_malformed_yaml_is_an_error_with_file_and_line() -> None:
    fs = RepoFS(FIXTURES / "malformed-yaml")
    with pytest.raises(InputError) as err:
        discover(fs, load_config(fs))
    assert err.value.file == "apps/broken.yaml"
    assert err.value.line == 7
    assert str(err.value).startswith("apps/broken.yaml:7: ")


def test_zero_config_reads_only_files_that_can_hold_argo_cd_objects(tmp_path: Path) -> None:
    # a broken YAML file that cannot hold an Application or a cluster Secret (it does not
    # mention argoproj.io) is left to whatever reads it (a kustomize build would report it)
    write_tree(tmp_path, {
        "notes/broken.yaml": "a: [1, 2\n",
        "apps/app.yaml": app("a"),
        "manifests/cm.yaml": CM,
    })
    assert [t.app for t in plan_of(tmp_path).targets] == ["a"]


def test_zero_config_skips_extra_dirs_and_exclude_globs(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "apps/a.yaml": app("a"),
        "rendered/b.yaml": app("b"),
        "vendor/c.yaml": app("c"),
        "sluice.yaml": "exclude: ['vend*']\n",
        "manifests/cm.yaml": CM,
    })
    fs = RepoFS(tmp_path)
    plan = discover(fs, load_config(fs), skip=["rendered"])
    assert [t.app for t in plan.targets] == ["a"]


def test_kustomization_files_are_not_manifests(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "apps/kustomization.yaml": "resources: [a.yaml]\n# argoproj.io\n",
        "apps/a.yaml": app("a"),
        "manifests/cm.yaml": CM,
    })
    assert [t.app for t in plan_of(tmp_path).targets] == ["a"]


# -- sluice.yaml ---------------------------------------------------------------------------


def test_no_config_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(RepoFS(tmp_path))
    assert config == FleetConfig()
    assert config.branch_template == DEFAULT_BRANCH_TEMPLATE == "hydrated/{cluster}"
    assert config.output_dir == "out"


def test_demo_config_loads() -> None:
    config = load_config(RepoFS(REPO))
    assert config.path == "sluice.yaml"
    assert config.repo_url == "https://github.com/example/shop-gitops.git"
    assert config.applications == ("apps/**/*.yaml",)
    assert config.clusters == ("clusters",)
    assert config.preserve == ("**/OWNERS",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("applications:\n  - apps\n  - 5\n", "sluice.yaml:3: applications[1]: 5 is not of type 'string'"),
        ("applications: apps\n", "sluice.yaml:1: applications: 'apps' is not of type 'array'"),
        ("bogus: 1\n", "sluice.yaml:1: bogus: unknown field (allowed: allowPlaintextSecrets, apiVersions, applications, childApplications, clusterScopedKinds, clusters, exclude, fluxClusters, helm, helmReleases, inClusterEnabled, kubeVersion, limits, output, preserve, repoURL, repositories, substitutions, substitutionsFile)"),
        ("output:\n  brnchTemplate: x\n", "sluice.yaml:2: output.brnchTemplate: unknown field (allowed: branchTemplate, dir)"),
        ("inClusterEnabled: 'yes'\n", "sluice.yaml:1: inClusterEnabled: 'yes' is not of type 'boolean'"),
        ("clusterScopedKinds: [ClusterIssuer.cert-manager.io, not a kind]\n",
         "sluice.yaml:1: clusterScopedKinds[1]: 'not a kind' is not valid: 'Kind' or 'Kind.group'"),
        ("- apps\n", "sluice.yaml: (top level): ['apps'] is not of type 'object'"),
        ("output:\n  branchTemplate: hydrated/{env}\n",
         "sluice.yaml:2: output.branchTemplate: 'hydrated/{env}': unknown placeholder {env} (known: {cluster})"),
        ("output:\n  branchTemplate: 'my branch/{cluster}'\n",
         "sluice.yaml:2: output.branchTemplate: 'my branch/{cluster}' does not make a valid branch name: "
         "contains a space, a control character or one of ~ ^ : ? * [ \\"),
        ("output:\n  dir: ../elsewhere\n",
         "sluice.yaml:2: output.dir: must be a directory inside the repository, relative to it (e.g. out)"),
        ("applications: [/etc]\n",
         "sluice.yaml:1: applications[0]: '/etc': paths are relative to the repository root; drop the leading '/'"),
        ("preserve: ['docs/[a']\n", "sluice.yaml:1: preserve[0]: 'docs/[a': bad glob pattern: unclosed '[' at position 5"),
        ("fluxClusters: [../x]\n", "sluice.yaml:1: fluxClusters[0]: '../x': '..' is not allowed; paths stay inside the repository"),
        ("childApplications: sometimes\n", "sluice.yaml:1: childApplications: 'sometimes' is not one of ['dry', 'hydrated']"),
        ("kubeVersion: latest\n", "sluice.yaml:1: kubeVersion: 'latest' is not valid: The Kubernetes version Helm renders "
         "for (.Capabilities.KubeVersion), as Argo CD passes the destination cluster's; default 1.35.0. A cluster Secret's "
         "annotation sluice.dev/kube-version and an Application's helm.kubeVersion win."),
        ("repositories: {https://x/y: nowhere}\n", "sluice.yaml:1: repositories.https://x/y: 'nowhere' is not a directory"),
    ],
)
def test_config_errors_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    write_tree(tmp_path, {"sluice.yaml": text})
    with pytest.raises(InputError) as err:
        load_config(RepoFS(tmp_path))
    assert err.value.file == "sluice.yaml"
    assert str(err.value) == expected


def test_config_reports_every_schema_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"sluice.yaml": "applications: [5]\nclusters: [true]\n"})
    with pytest.raises(InputError) as err:
        load_config(RepoFS(tmp_path))
    assert str(err.value) == (
        "sluice.yaml:1: applications[0]: 5 is not of type 'string' "
        "(and: clusters[0]: True is not of type 'string')"
    )


def test_bad_config_fixture() -> None:
    with pytest.raises(InputError, match=r"^sluice.yaml:4: applications\[1\]: 5 is not of type 'string'$"):
        load_config(RepoFS(FIXTURES / "bad-config"))


def test_config_sluice_yml_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"sluice.yml": "applications: [apps]\n"})
    with pytest.raises(InputError, match="rename the file") as err:
        load_config(RepoFS(tmp_path))
    assert err.value.file == "sluice.yml"


def test_config_empty_file_is_defaults(tmp_path: Path) -> None:
    write_tree(tmp_path, {"sluice.yaml": "# nothing yet\n"})
    assert load_config(RepoFS(tmp_path)) == FleetConfig(path="sluice.yaml")


def test_zero_config_finding_nothing_says_what_it_searched_and_found(tmp_path: Path) -> None:
    """A first run on the wrong place is an error saying where sluice looked; an ApplicationSet
    that generates nothing was found, and the error says that first (not 'no ApplicationSet found')."""
    from renderer.core.errors import NothingFound

    write_tree(tmp_path, {"readme.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"})
    with pytest.raises(NothingFound, match=r"^nothing to render: no Application, ApplicationSet or Flux cluster found; "
                                           r"searched 0 YAML file\(s\) mentioning argoproj.io"):
        plan_of(tmp_path)
    write_tree(tmp_path, {"set.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {name: by-label}
        spec:
          generators: [{clusters: {selector: {matchLabels: {env: prod}}}}]
          template: {metadata: {name: '{{name}}'}, spec: {source: {repoURL: r, path: .}, destination: {server: '{{server}}'}}}
        """})
    with pytest.raises(NothingFound, match=r"^nothing to render: no Application found, only: set.yaml:1: ApplicationSet "
                                           r"by-label generates no Application \(.*\); searched 1 YAML file"):
        plan_of(tmp_path)


def test_config_pattern_matching_nothing_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"sluice.yaml": "applications: [apps, 'other/**/*.yaml']\n", "apps/a.yaml": app("a"), "other/x.txt": "x"})
    fs = RepoFS(tmp_path)
    with pytest.raises(InputError) as err:
        discover(fs, load_config(fs))
    assert str(err.value) == "sluice.yaml: applications[1]: 'other/**/*.yaml' matches no YAML file"
    write_tree(tmp_path, {"sluice.yaml": "applications: [appz]\n"})
    with pytest.raises(InputError, match=r"applications\[0\]: 'appz' does not exist"):
        discover(fs, load_config(RepoFS(tmp_path)))


def test_schema_single_source_of_truth() -> None:
    linked = REPO / "schemas" / "sluice.schema.json"
    packaged = REPO / "renderer" / "data" / "sluice.schema.json"
    assert linked.read_bytes() == packaged.read_bytes()
    schema = config_schema()
    assert schema == json.loads(packaged.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_config_files_and_globs_select_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "apps/a.yaml": "x: 1\n",
        "apps/team/b.yml": "x: 1\n",
        "apps/team/c.txt": "x",
        "apps/.hidden/d.yaml": "x: 1\n",
        "apps/kustomization.yaml": "resources: []\n",
        "clusters/prod.yaml": "x: 1\n",
        "clusters/dev.yaml": "x: 1\n",
    })
    fs = RepoFS(tmp_path)
    assert select_files(fs, ("apps",), "applications") == ["apps/a.yaml", "apps/team/b.yml"]
    assert select_files(fs, ("apps/**/*.yml",), "applications") == ["apps/team/b.yml"]
    assert select_files(fs, ("apps/*.yaml",), "applications") == ["apps/a.yaml"]
    assert select_files(fs, ("apps/*",), "applications") == ["apps/a.yaml", "apps/team/b.yml"]
    assert select_files(fs, ("**/{prod,a}.yaml",), "applications") == ["apps/a.yaml", "clusters/prod.yaml"]
    assert select_files(fs, ("clusters/dev.yaml", "clusters/"), "clusters") == ["clusters/dev.yaml", "clusters/prod.yaml"]


# -- globs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("*.yaml", "a.yaml", True),
        ("*.yaml", "dir/a.yaml", True),  # gobwas without separators: '*' crosses '/'
        ("{config.json,env-usw2/*}", "env-usw2/configmap.yaml", True),
        ("{config.json,env-usw2/*}", "config.json", True),
        ("{config.json,env-usw2/*}", "env-use2/configmap.yaml", False),
        ("{*.yml,*.yaml}", "x.yml", True),
        ("some-directory/*", "some-directory/a/b.yaml", True),
        ("?.yaml", "a.yaml", True),
        ("[ab].yaml", "c.yaml", False),
        ("[!ab].yaml", "c.yaml", True),
        ("a.yaml", "xa.yaml", False),  # anchored
        ("{a,{b,c}}.yaml", "c.yaml", True),
        (r"\*.yaml", "*.yaml", True),
        (r"\*.yaml", "a.yaml", False),
    ],
)
def test_argo_glob(pattern: str, text: str, matches: bool) -> None:
    assert argo_glob_match(pattern, text) is matches


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("apps/*.yaml", "apps/a.yaml", True),
        ("apps/*.yaml", "apps/x/a.yaml", False),
        ("apps/**/*.yaml", "apps/a.yaml", True),
        ("apps/**/*.yaml", "apps/x/y/a.yaml", True),
        ("**", "anything/at/all", True),
        ("**/OWNERS", "OWNERS", True),
        ("**/OWNERS", "web/OWNERS", True),
        ("docs/**", "docs/a/b.md", True),
        ("docs/**", "docsx/a", False),
        ("a/[!x]/b", "a/y/b", True),
        ("a/[!x]/b", "a///b", False),
    ],
)
def test_repo_glob(pattern: str, text: str, matches: bool) -> None:
    assert (compile_glob(pattern, True).fullmatch(text) is not None) is matches


# -- destinations and clusters -----------------------------------------------------------------


def test_destination_by_name_and_by_server(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "apps/by-name.yaml": app("by-name", dest="name: prod"),
        "apps/by-server.yaml": app("by-server", dest="server: https://prod.example.com/"),
        "apps/local.yaml": app("local", dest="server: https://kubernetes.default.svc"),
        "clusters/prod.yaml": secret("prod", "https://prod.example.com"),
        "manifests/cm.yaml": CM,
    })
    plan = plan_of(tmp_path)
    assert [(t.app, t.cluster, t.server) for t in plan.targets] == [
        ("local", "in-cluster", "https://kubernetes.default.svc"),
        ("by-name", "prod", "https://prod.example.com"),
        ("by-server", "prod", "https://prod.example.com"),
    ]


def test_unmatched_destination_names_the_application_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        plan_of(FIXTURES / "unknown-destination")
    assert err.value.file == "app.yaml"
    assert "spec.destination.name 'prod' matches no cluster" in err.value.message
    assert "Application lost" in err.value.message
    write_tree(tmp_path, {"a.yaml": app("a", dest="server: https://nowhere.example.com"), "manifests/cm.yaml": CM})
    with pytest.raises(InputError, match=r"^a.yaml:1: Application a: spec.destination.server 'https://nowhere.example.com' matches no cluster"):
        plan_of(tmp_path)


def test_destination_with_both_name_and_server_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("a", dest="name: in-cluster\nserver: https://kubernetes.default.svc"), "manifests/cm.yaml": CM})
    with pytest.raises(InputError, match="sets both name"):
        plan_of(tmp_path)


def test_secret_claiming_the_in_cluster_server_replaces_in_cluster(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": app("a", dest="server: https://kubernetes.default.svc"),
        "local.yaml": secret("management", "https://kubernetes.default.svc", encoded=True),
        "manifests/cm.yaml": CM,
    })
    plan = plan_of(tmp_path)
    assert [c.name for c in plan.clusters] == ["management"]
    assert plan.targets[0].cluster == "management"
    write_tree(tmp_path, {"a.yaml": app("a", dest="name: in-cluster")})
    with pytest.raises(InputError, match="'in-cluster' matches no cluster"):
        plan_of(tmp_path)


def test_in_cluster_can_be_disabled(tmp_path: Path) -> None:
    write_tree(tmp_path, {"sluice.yaml": "inClusterEnabled: false\n", "a.yaml": app("a"), "manifests/cm.yaml": CM})
    with pytest.raises(InputError, match=r"known clusters: none"):
        plan_of(tmp_path)


def test_cluster_secret_errors(tmp_path: Path) -> None:
    write_tree(tmp_path, {"c.yaml": secret("x", "https://x").replace("  server: https://x\n", "")})
    with pytest.raises(InputError, match=r"^c.yaml:1: cluster Secret cluster-x: no server"):
        plan_of(tmp_path)
    write_tree(tmp_path, {"c.yaml": secret("x", "https://x", encoded=True).replace("name: eA==", "name: '%%%'")})
    with pytest.raises(InputError, match=r"data.name is not valid base64"):
        plan_of(tmp_path)
    write_tree(tmp_path, {"c.yaml": secret("x", "https://x").replace("  name: x\n", "  name: [x]\n")})
    with pytest.raises(InputError, match=r"^c.yaml:1: cluster Secret cluster-x: stringData.name must be a string, not \['x'\]"):
        plan_of(tmp_path)
    write_tree(tmp_path, {"c.yaml": secret("x", "https://x") + "---\n" + secret("x", "https://y")})
    with pytest.raises(InputError, match=r"^c.yaml:\d+: cluster name 'x' is declared twice \(also in c.yaml:1\)"):
        plan_of(tmp_path)
    write_tree(tmp_path, {"c.yaml": secret("x", "https://x") + "---\n" + secret("y", "https://x/")})
    with pytest.raises(InputError, match=r"cluster server 'https://x/' is declared twice"):
        plan_of(tmp_path)


def test_cluster_name_must_be_a_directory_name(tmp_path: Path) -> None:
    arn = "arn:aws:eks:eu-west-1:123:cluster/prod"
    write_tree(tmp_path, {"c.yaml": secret("x", "https://x").replace("name: x", f"name: '{arn}'"), "a.yaml": app("a", dest="server: https://x"), "manifests/cm.yaml": CM})
    with pytest.raises(InputError, match="cannot be a directory name") as err:
        plan_of(tmp_path)
    assert err.value.file == "c.yaml"


def test_secrets_without_the_cluster_label_are_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "c.yaml": secret("x", "https://x").replace("cluster\n", "repository\n"),
        "a.yaml": app("a", dest="name: x"),
        "manifests/cm.yaml": CM,
    })
    with pytest.raises(InputError, match="'x' matches no cluster"):
        plan_of(tmp_path)


# -- sources, branches, app dirs ----------------------------------------------------------------


def test_source_hydrator_fields_are_honoured() -> None:
    plan = plan_of(FIXTURES / "source-hydrator")
    got = {t.app: (t.branch, t.app_dir, t.source_path, t.hydrator) for t in plan.targets}
    assert got == {
        "plain": ("env/dev", "plain", "manifests", False),  # output.branchTemplate, app name
        "hydrated": ("environments/dev", "apps/hydrated", "manifests", True),  # syncSource
        "promoted": ("environments/dev-next", "apps/promoted", "manifests", True),  # hydrateTo wins
    }
    assert plan.repo_url == "https://github.com/example/hydrated-fleet"


def test_source_hydrator_errors(tmp_path: Path) -> None:
    def hydrator_app(sync: str, dry: str = "{repoURL: https://example.com/repo.git, path: manifests}") -> str:
        return textwrap.dedent(
            f"""\
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {{name: h}}
            spec:
              destination: {{name: in-cluster}}
              sourceHydrator:
                drySource: {dry}
                syncSource: {sync}
            """
        )

    cases = {
        "{targetBranch: env/dev, path: .}": "syncSource.path: hydrating to the branch root is not allowed",
        "{targetBranch: env/dev, path: ../x}": "must be a relative path inside the branch",
        "{targetBranch: env/dev, path: .git/hooks}": "path segments must not start with '.'",
        "{targetBranch: 'env dev', path: x}": "spec.sourceHydrator.syncSource.targetBranch: 'env dev' is not a valid branch name",
        "{path: x}": "spec.sourceHydrator.syncSource.targetBranch is required",
        "{targetBranch: env/dev, path: x, repoURL: https://example.com/other.git}": "differs from the dry repository",
    }
    write_tree(tmp_path, {"manifests/cm.yaml": CM})
    for sync, message in cases.items():
        write_tree(tmp_path, {"a.yaml": hydrator_app(sync)})
        with pytest.raises(InputError, match=re.escape(message)) as err:
            plan_of(tmp_path)
        assert err.value.file == "a.yaml", sync


def test_repo_url_must_be_this_repository(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "sluice.yaml": "repoURL: git@example.com:team/repo.git\n",
        "a.yaml": app("a"),  # https://example.com/repo.git
        "manifests/cm.yaml": CM,
    })
    with pytest.raises(InputError, match="is another repository than this one") as err:
        plan_of(tmp_path)
    assert err.value.file == "a.yaml"
    write_tree(tmp_path, {"sluice.yaml": "repoURL: git@example.com:repo.git\n"})
    assert plan_of(tmp_path).repo_url == "git@example.com:repo.git"


def test_applications_disagreeing_on_the_repository_need_repo_url(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": app("a"),
        "b.yaml": app("b").replace("https://example.com/repo.git", "https://example.com/other.git"),
        "manifests/cm.yaml": CM,
    })
    with pytest.raises(InputError, match="set repoURL in sluice.yaml"):
        plan_of(tmp_path)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://github.com/org/repo.git", "https://github.com/org/repo"),
        ("https://github.com/org/repo/", "HTTPS://GITHUB.COM/org/repo"),
        ("git@github.com:org/repo.git", "https://github.com/org/repo"),
        ("ssh://git@github.com/org/repo.git", "https://github.com/org/repo"),
    ],
)
def test_normalize_repo_url(a: str, b: str) -> None:
    assert normalize_repo_url(a) == normalize_repo_url(b)


def test_different_repositories_stay_different() -> None:
    assert normalize_repo_url("https://github.com/org/repo") != normalize_repo_url("https://github.com/org/repo2")
    assert normalize_repo_url("https://host:8443/org/repo") != normalize_repo_url("https://host/org/repo")


def test_duplicate_app_dir_is_an_error() -> None:
    with pytest.raises(InputError) as err:
        plan_of(FIXTURES / "duplicate-app-dir")
    assert err.value.file == "apps.yaml"
    assert "web-a" in err.value.message and "web-b" in err.value.message
    assert "same directory 'web' of branch 'environments/prod'" in err.value.message


def test_nested_app_dirs_are_an_error(tmp_path: Path) -> None:
    hydrated = """\
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {{name: {name}}}
    spec:
      destination: {{name: in-cluster}}
      sourceHydrator:
        drySource: {{repoURL: https://example.com/repo.git, path: manifests}}
        syncSource: {{targetBranch: env, path: {path}}}
    """
    write_tree(tmp_path, {
        "a.yaml": hydrated.format(name="outer", path="web"),
        "b.yaml": hydrated.format(name="inner", path="web/extra"),
        "manifests/cm.yaml": CM,
    })
    with pytest.raises(InputError, match="app directories must not nest"):
        plan_of(tmp_path)


def test_same_app_name_on_two_clusters_collides_only_per_cluster(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.yaml": app("web", dest="name: in-cluster"),
        "b.yaml": app("web", dest="name: prod").replace("name: web", "name: web\n  namespace: argocd-prod"),
        "c.yaml": secret("prod", "https://prod"),
        "manifests/cm.yaml": CM,
    })
    plan = plan_of(tmp_path)
    assert [(t.cluster, t.app_dir, t.branch) for t in plan.targets] == [
        ("in-cluster", "web", "hydrated/in-cluster"),
        ("prod", "web", "hydrated/prod"),
    ]


def test_duplicate_application_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("web"), "b.yaml": app("web"), "manifests/cm.yaml": CM})
    with pytest.raises(InputError, match=r"^b.yaml:1: Application web is defined twice \(also in a.yaml:1\)"):
        plan_of(tmp_path)


@pytest.mark.parametrize(
    ("extra_source", "message"),
    [
        ("    plugin: {name: cmp}\n", "spec.source.plugin: plugin sources are not rendered by sluice"),
        ("    kustomize: {namPrefix: x-}\n", "spec.source.kustomize.namPrefix: unknown field"),
        ("    kustomize: {}\n    directory: {}\n", "multiple source types set: kustomize, directory"),
        ("    directory: {jsonnet: {libs: [vendor]}}\n", "spec.source.directory.jsonnet: jsonnet is not supported"),
        ("    directory: {recurse: 'yes'}\n", "spec.source.directory.recurse must be a bool"),
    ],
)
def test_unsupported_sources_are_errors(tmp_path: Path, extra_source: str, message: str) -> None:
    text = app("a").replace("    path: manifests\n", "    path: manifests\n" + extra_source)
    write_tree(tmp_path, {"a.yaml": text, "manifests/cm.yaml": CM})
    with pytest.raises(InputError, match=re.escape(message)) as err:
        plan_of(tmp_path)
    assert err.value.file == "a.yaml"


def test_multi_source_applications_plan_every_rendering_source(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: multi}
        spec:
          destination: {name: in-cluster}
          sources:
            - {repoURL: https://example.com/repo.git, path: manifests}
            - {repoURL: https://example.com/repo.git, ref: values}
            - {repoURL: https://example.com/repo.git, path: more}
        """
    )
    write_tree(tmp_path, {"a.yaml": text})
    (target,) = plan_of(tmp_path).targets
    assert target.source.path == "manifests" and target.source.value_refs == ("values",)
    assert [s.path for s in target.extra_sources] == ["more"]


def test_multi_source_without_a_path_is_an_error(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: multi}
        spec:
          destination: {name: in-cluster}
          sources:
            - {repoURL: https://example.com/repo.git, ref: values}
        """
    )
    write_tree(tmp_path, {"a.yaml": text})
    with pytest.raises(InputError, match="no source with a path to render"):
        plan_of(tmp_path)


def test_source_path_must_stay_in_the_repository(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.yaml": app("a", path="../elsewhere")})
    with pytest.raises(InputError, match=r"spec.source.path: '../elsewhere' escapes the repository"):
        plan_of(tmp_path)


@pytest.mark.parametrize(
    ("branch", "ok"),
    [
        ("hydrated/prod", True),
        ("environments/dev-next", True),
        ("a b", False),
        ("a..b", False),
        ("a/", False),
        ("/a", False),
        ("a.lock", False),
        ("a/.b", False),
        ("a:b", False),
        ("", False),
    ],
)
def test_branch_names(branch: str, ok: bool) -> None:
    assert (branch_name_problem(branch) is None) is ok


def test_applications_syncing_from_a_hydrated_branch_are_not_rendered(tmp_path: Path) -> None:
    # the rendered-manifests pattern without Argo CD's hydrator: an Application that
    # syncs sluice's output is a consumer, not a dry source
    consumer = app("web-live", path="web").replace(
        "    path: web\n", "    path: web\n    targetRevision: hydrated/in-cluster\n"
    )
    write_tree(tmp_path, {"a.yaml": app("web"), "b.yaml": consumer, "manifests/cm.yaml": CM})
    plan = plan_of(tmp_path)
    assert [t.app for t in plan.targets] == ["web"]
    assert plan.notes == (
        "b.yaml:1: Application web-live not rendered: it syncs from the hydrated branch 'hydrated/in-cluster' "
        "(sluice output, not a dry source)",
    )


def test_unsupported_application_errors_say_how_to_leave_it_to_argo_cd(tmp_path: Path) -> None:
    text = app("a").replace("    path: manifests\n", "    path: manifests\n    plugin: {name: cmp}\n")
    write_tree(tmp_path, {"apps/a.yaml": text, "manifests/cm.yaml": CM})
    with pytest.raises(InputError, match="add its file to `exclude` in sluice.yaml"):
        plan_of(tmp_path)
    write_tree(tmp_path, {"sluice.yaml": "exclude: [apps/a.yaml]\n"})
    assert plan_of(tmp_path).targets == ()
