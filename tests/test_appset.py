"""ApplicationSets expanded offline: a table transcribed from Argo CD's documented
behaviour of each generator, template mode and the controller's additions."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from renderer.kustomize.conformance import default_realworld
from renderer.appset import ClusterInfo, RepoResolver, cluster_info_from_secret, expand, generate_params
from renderer.cli.appset import appset as appset_cli
from renderer.cli.appset import load_clusters
from renderer.appset.templates import fasttemplate
from renderer.core.errors import InputError
from renderer.core.yaml import load_documents

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "appset"
REPO = FIX / "repo"
SECRETS = FIX / "clusters" / "secrets.yaml"
REAL = default_realworld() / "argoproj__argo-cd"
FINALIZER = "resources-finalizer.argocd.argoproj.io"

CLUSTERS = load_clusters((str(SECRETS),))
REPOS = RepoResolver(default=str(REPO))


def appset(spec: dict[str, Any], name: str = "set", namespace: str | None = "argocd") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": meta, "spec": spec}


def run(spec: dict[str, Any], clusters: list[ClusterInfo] | None = None, **kw: Any) -> list[dict[str, Any]]:
    return expand(appset(spec), clusters=CLUSTERS if clusters is None else clusters, repos=REPOS, source="set.yaml", **kw)


def names(apps: list[dict[str, Any]]) -> list[str]:
    return [a["metadata"]["name"] for a in apps]


TEMPLATE_FT = {
    "metadata": {"name": "{{cluster}}-guestbook"},
    "spec": {
        "project": "default",
        "source": {"repoURL": "https://github.com/argoproj/argo-cd.git", "targetRevision": "HEAD", "path": "applicationset/examples/list-generator/guestbook/{{cluster}}"},
        "destination": {"server": "{{url}}", "namespace": "guestbook"},
    },
}


# -- cluster inventory --------------------------------------------------------------------


def test_cluster_inventory_from_secrets() -> None:
    assert [(c.name, c.server, c.project) for c in CLUSTERS] == [
        ("staging", "https://staging.example.com", "web"),
        ("production", "https://prod.example.com", ""),
    ]
    assert CLUSTERS[0].labels["environment"] == "staging"
    assert CLUSTERS[0].annotations == {"team": "blue"}


def test_cluster_secret_without_server_is_an_input_error() -> None:
    doc = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "stringData": {"name": "a"}}
    with pytest.raises(InputError, match="no server"):
        cluster_info_from_secret(doc, "s.yaml", 1)


# -- list ---------------------------------------------------------------------------------


def test_list_generator_fasttemplate() -> None:
    apps = run({
        "generators": [{"list": {"elements": [
            {"cluster": "engineering-dev", "url": "https://1.2.3.4"},
            {"cluster": "engineering-prod", "url": "https://2.4.6.8"},
        ]}}],
        "template": TEMPLATE_FT,
    })
    assert names(apps) == ["engineering-dev-guestbook", "engineering-prod-guestbook"]
    app = apps[0]
    assert app["apiVersion"] == "argoproj.io/v1alpha1" and app["kind"] == "Application"
    assert app["metadata"] == {"name": "engineering-dev-guestbook", "namespace": "argocd", "finalizers": [FINALIZER]}
    assert app["spec"]["destination"] == {"server": "https://1.2.3.4", "namespace": "guestbook"}
    assert app["spec"]["source"]["path"] == "applicationset/examples/list-generator/guestbook/engineering-dev"


def test_list_values_and_non_string_elements_fasttemplate() -> None:
    apps = run({
        "generators": [{"list": {"elements": [{"cluster": "a", "url": "u", "values": {"ns": "team-a"}}]}}],
        "template": {"metadata": {"name": "{{cluster}}"}, "spec": {"destination": {"namespace": "{{values.ns}}"}}},
    })
    assert apps[0]["spec"]["destination"]["namespace"] == "team-a"
    with pytest.raises(InputError, match=r"generator 0 \(list\).*replicas is not a string"):
        run({"generators": [{"list": {"elements": [{"cluster": "a", "replicas": 3}]}}], "template": TEMPLATE_FT})


def test_list_go_template_nested_values_and_elements_yaml() -> None:
    apps = run({
        "goTemplate": True,
        "generators": [{"list": {
            "elements": [{"cluster": "dev", "replicas": 2, "cfg": {"tier": "web"}}],
            "elementsYaml": "- cluster: prod\n  replicas: 5\n  cfg: {tier: api}\n",
        }}],
        "template": {
            "metadata": {"name": "{{ .cluster }}-{{ .cfg.tier }}"},
            "spec": {"source": {"helm": {"parameters": [{"name": "replicas", "value": "{{ .replicas }}"}]}}},
        },
    })
    assert names(apps) == ["dev-web", "prod-api"]
    assert apps[1]["spec"]["source"]["helm"]["parameters"][0]["value"] == "5"


# -- fasttemplate rules -------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("{{cluster}}", "dev"),
    ("{{ cluster }}", "dev"),
    ("{{  cluster\t}}", "dev"),
    ("{{unknown}}-{{cluster}}", "{{unknown}}-dev"),
    ("{{ }}", "{{ }}"),
    ("{{.cluster}}", "{{.cluster}}"),
    ("no tags", "no tags"),
    ("{{cluster}}{{cluster}}", "devdev"),
    ("{{number}}", "{{number}}"),  # only string parameters are substituted
])
def test_fasttemplate(text: str, expected: str) -> None:
    assert fasttemplate(text, {"cluster": "dev", "number": 3}) == expected


def test_fasttemplate_renders_map_keys_and_keeps_non_strings() -> None:
    apps = run({
        "generators": [{"list": {"elements": [{"cluster": "dev", "url": "u"}]}}],
        "template": {
            "metadata": {"name": "{{cluster}}", "annotations": {"team/{{cluster}}": "owner-{{cluster}}"}, "labels": {"env": "{{ cluster }}"}},
            "spec": {"syncPolicy": {"automated": {"prune": True}}, "source": {"helm": {"valuesObject": {"replicas": 3, "name": "{{cluster}}"}}}},
        },
    })
    meta = apps[0]["metadata"]
    assert meta["annotations"] == {"team/dev": "owner-dev"}
    assert meta["labels"] == {"env": "dev"}
    assert apps[0]["spec"]["syncPolicy"]["automated"]["prune"] is True
    assert apps[0]["spec"]["source"]["helm"]["valuesObject"] == {"replicas": 3, "name": "dev"}


# -- clusters -----------------------------------------------------------------------------


def test_clusters_generator_fasttemplate_with_in_cluster_default() -> None:
    params = generate_params(appset({"generators": [{"clusters": {}}], "template": TEMPLATE_FT}), clusters=CLUSTERS, repos=REPOS, source="s")[0]
    assert [p["name"] for p in params] == ["production", "staging", "in-cluster"]
    staging = params[1]
    assert staging == {
        "name": "staging",
        "nameNormalized": "staging",
        "server": "https://staging.example.com",
        "project": "web",
        "metadata.labels.argocd.argoproj.io/secret-type": "cluster",
        "metadata.labels.environment": "staging",
        "metadata.annotations.team": "blue",
    }
    assert params[2] == {"name": "in-cluster", "nameNormalized": "in-cluster", "server": "https://kubernetes.default.svc", "project": ""}


def test_clusters_in_cluster_not_added_when_a_secret_has_its_server_or_selector_set() -> None:
    local = ClusterInfo("local", "https://kubernetes.default.svc", labels={"argocd.argoproj.io/secret-type": "cluster"})
    params = generate_params(appset({"generators": [{"clusters": {}}]}), clusters=[local], repos=REPOS, source="s")[0]
    assert [p["name"] for p in params] == ["local"]
    params = generate_params(appset({"generators": [{"clusters": {"selector": {"matchLabels": {"environment": "staging"}}}}]}), clusters=CLUSTERS, repos=REPOS, source="s")[0]
    assert [p["name"] for p in params] == ["staging"]


@pytest.mark.parametrize("selector,expected", [
    ({"matchLabels": {"environment": "production"}}, ["production"]),
    ({"matchExpressions": [{"key": "environment", "operator": "In", "values": ["staging", "production"]}]}, ["production", "staging"]),
    ({"matchExpressions": [{"key": "environment", "operator": "NotIn", "values": ["staging"]}]}, ["production"]),
    ({"matchExpressions": [{"key": "environment", "operator": "Exists"}]}, ["production", "staging"]),
    ({"matchExpressions": [{"key": "environment", "operator": "DoesNotExist"}]}, []),
    ({"matchLabels": {"argocd.argoproj.io/secret-type": "cluster"}}, ["production", "staging"]),
])
def test_clusters_selector(selector: dict[str, Any], expected: list[str]) -> None:
    params = generate_params(appset({"generators": [{"clusters": {"selector": selector}}]}), clusters=CLUSTERS, repos=REPOS, source="s")[0]
    assert [p["name"] for p in params] == expected


def test_clusters_go_template_index_labels_and_values() -> None:
    apps = run({
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [{"clusters": {
            "selector": {"matchLabels": {"argocd.argoproj.io/secret-type": "cluster"}},
            "values": {"revision": "{{ if eq .name \"production\" }}stable{{ else }}main{{ end }}", "ns": "apps-{{ .nameNormalized }}"},
        }}],
        "template": {
            "metadata": {"name": "{{.name}}-guestbook", "labels": {"environment": '{{index .metadata.labels "environment"}}'}},
            "spec": {
                "project": "{{.values.ns}}",
                "source": {"repoURL": "https://example.com/repo.git", "targetRevision": "{{.values.revision}}", "path": "guestbook"},
                "destination": {"server": "{{.server}}", "namespace": "guestbook"},
            },
        },
    })
    assert names(apps) == ["production-guestbook", "staging-guestbook"]
    assert apps[0]["metadata"]["labels"] == {"environment": "production"}
    assert apps[0]["spec"]["source"]["targetRevision"] == "stable"
    assert apps[1]["spec"]["source"]["targetRevision"] == "main"
    assert apps[1]["spec"]["project"] == "apps-staging"


def test_clusters_fasttemplate_values_and_flat_labels() -> None:
    apps = run({
        "generators": [{"clusters": {"selector": {"matchLabels": {"environment": "staging"}}, "values": {"ns": "{{name}}-ns"}}}],
        "template": {"metadata": {"name": "{{name}}-{{metadata.labels.environment}}"}, "spec": {"destination": {"namespace": "{{values.ns}}", "server": "{{server}}"}}},
    })
    assert names(apps) == ["staging-staging"]
    assert apps[0]["spec"]["destination"] == {"namespace": "staging-ns", "server": "https://staging.example.com"}


# -- git ----------------------------------------------------------------------------------


def test_git_directories_glob_and_exclude() -> None:
    spec = {"generators": [{"git": {"repoURL": "https://github.com/example/apps.git", "revision": "HEAD", "directories": [
        {"path": "apps/*"}, {"path": "apps/excluded", "exclude": True},
    ]}}], "template": {"metadata": {"name": "{{path.basename}}"}, "spec": {"source": {"path": "{{path}}"}, "destination": {"namespace": "{{path[1]}}"}}}}
    apps = run(spec)
    # `*` does not cross `/` (apps/guestbook/nested is not matched); hidden directories are skipped
    assert names(apps) == ["guestbook", "helm-guestbook"]
    assert apps[0]["spec"]["source"]["path"] == "apps/guestbook"
    assert apps[0]["spec"]["destination"]["namespace"] == "guestbook"


def test_git_directories_exclude_wins_regardless_of_order() -> None:
    spec = {"generators": [{"git": {"repoURL": "r", "directories": [{"path": "apps/*", "exclude": True}, {"path": "apps/guestbook"}]}}],
            "template": {"metadata": {"name": "{{path.basename}}"}}}
    assert run(spec) == []


def test_git_directories_params_both_modes() -> None:
    gen = {"git": {"repoURL": "r", "directories": [{"path": "apps/helm-*"}], "pathParamPrefix": "app"}}
    flat = generate_params(appset({"generators": [gen]}), clusters=[], repos=REPOS, source="s")[0]
    assert flat == [{
        "app.path": "apps/helm-guestbook", "app.path.basename": "helm-guestbook", "app.path.basenameNormalized": "helm-guestbook",
        "app.path[0]": "apps", "app.path[1]": "helm-guestbook",
    }]
    nested = generate_params(appset({"goTemplate": True, "generators": [gen]}), clusters=[], repos=REPOS, source="s")[0]
    assert nested == [{"app": {"path": {"path": "apps/helm-guestbook", "basename": "helm-guestbook", "basenameNormalized": "helm-guestbook", "segments": ["apps", "helm-guestbook"]}}}]


def test_git_files_fasttemplate_flattened() -> None:
    spec = {"generators": [{"git": {"repoURL": "r", "files": [{"path": "cluster-config/**/config.json"}]}}],
            "template": {"metadata": {"name": "{{cluster.name}}-guestbook"}, "spec": {
                "source": {"path": "{{path}}", "helm": {"parameters": [{"name": "replicas", "value": "{{replicas}}"}]}},
                "destination": {"server": "{{cluster.address}}", "namespace": "{{path.basename}}-{{path[1]}}"}}}}
    apps = run(spec)
    assert names(apps) == ["engineering-dev-guestbook", "engineering-prod-guestbook"]
    assert apps[0]["spec"]["source"]["path"] == "cluster-config/engineering/dev"
    assert apps[0]["spec"]["source"]["helm"]["parameters"][0]["value"] == "2"
    assert apps[1]["spec"]["destination"] == {"server": "https://2.4.6.8", "namespace": "prod-engineering"}
    params = generate_params(appset(spec), clusters=[], repos=REPOS, source="s")[0]
    assert params[0]["path.filename"] == "config.json"
    assert params[0]["path.filenameNormalized"] == "config.json"
    assert params[0]["path.basenameNormalized"] == "dev"
    assert params[0]["cluster.owner"] == "cluster-admin@company.com"


def test_git_files_go_template_nested_and_list_files() -> None:
    spec = {"goTemplate": True, "generators": [{"git": {"repoURL": "r", "files": [{"path": "cluster-config/*/list.yaml"}]}}],
            "template": {"metadata": {"name": "{{.name}}-{{.env}}"}, "spec": {"source": {"path": "{{.path.path}}/{{index .path.segments 1}}/{{.path.filename}}"}}}}
    apps = run(spec)
    assert names(apps) == ["first-a", "second-b"]
    assert apps[0]["spec"]["source"]["path"] == "cluster-config/engineering/engineering/list.yaml"


def test_git_files_exclude() -> None:
    spec = {"generators": [{"git": {"repoURL": "r", "files": [{"path": "cluster-config/**/config.json"}, {"path": "cluster-config/*/prod/*", "exclude": True}]}}],
            "template": {"metadata": {"name": "{{cluster.name}}"}}}
    assert names(run(spec)) == ["engineering-dev"]


def test_git_unknown_repo_is_a_clear_error() -> None:
    spec = {"generators": [{"git": {"repoURL": "https://x/y.git", "directories": [{"path": "*"}]}}], "template": {"metadata": {"name": "x"}}}
    with pytest.raises(InputError, match=r"ApplicationSet set, generator 0 \(git\): no local copy of repository 'https://x/y.git'"):
        expand(appset(spec), clusters=[], repos=RepoResolver(), source="set.yaml")


# -- matrix -------------------------------------------------------------------------------


def _matrix_fixture() -> dict[str, Any]:
    return load_documents((FIX / "matrix-git-clusters" / "appset.yaml").read_text(), "appset.yaml")[0]


def test_matrix_git_directories_and_clusters_docs_example() -> None:
    apps = expand(_matrix_fixture(), clusters=CLUSTERS, repos=REPOS, source="appset.yaml")
    assert names(apps) == ["guestbook-production", "guestbook-staging", "helm-guestbook-production", "helm-guestbook-staging"]
    app = apps[1]
    assert app["spec"] == {
        "project": "staging",
        "source": {"repoURL": "https://github.com/example/apps.git", "targetRevision": "HEAD", "path": "apps/guestbook"},
        "destination": {"server": "https://staging.example.com", "namespace": "guestbook"},
    }
    assert app["metadata"]["namespace"] == "argocd"


def test_matrix_second_generator_uses_first_params() -> None:
    spec = {"goTemplate": True, "generators": [{"matrix": {"generators": [
        {"list": {"elements": [{"dir": "cluster-config/engineering/dev"}]}},
        {"git": {"repoURL": "r", "files": [{"path": "{{ .dir }}/config.json"}]}},
    ]}}], "template": {"metadata": {"name": "{{ .cluster.name }}-{{ .dir | base }}"}}}
    assert names(run(spec)) == ["engineering-dev-dev"]


def test_matrix_key_collisions() -> None:
    same = {"matrix": {"generators": [{"list": {"elements": [{"a": "1", "b": "x"}]}}, {"list": {"elements": [{"a": "1", "c": "y"}]}}]}}
    assert generate_params(appset({"generators": [same]}), clusters=[], repos=REPOS, source="s")[0] == [{"a": "1", "b": "x", "c": "y"}]
    clash = {"matrix": {"generators": [{"list": {"elements": [{"a": "1"}]}}, {"list": {"elements": [{"a": "2"}]}}]}}
    with pytest.raises(InputError, match="found duplicate key a with different value, a: 1 ,b: 2"):
        generate_params(appset({"generators": [clash]}), clusters=[], repos=REPOS, source="s")
    # goTemplate: the first generator's values win
    assert generate_params(appset({"goTemplate": True, "generators": [clash]}), clusters=[], repos=REPOS, source="s")[0] == [{"a": "1"}]


def test_matrix_needs_exactly_two_children() -> None:
    one = {"matrix": {"generators": [{"list": {"elements": [{"a": "1"}]}}]}}
    with pytest.raises(InputError, match="at least 2"):
        generate_params(appset({"generators": [one]}), clusters=[], repos=REPOS, source="s")


# -- merge --------------------------------------------------------------------------------


def test_merge_generator_merge_keys() -> None:
    spec = {"goTemplate": True, "generators": [{"merge": {"mergeKeys": ["server"], "generators": [
        {"clusters": {"values": {"kafka": "true", "redis": "false"}}},
        {"clusters": {"selector": {"matchLabels": {"environment": "staging"}}, "values": {"kafka": "false"}}},
        {"list": {"elements": [{"server": "https://kubernetes.default.svc", "values": {"redis": "true"}}]}},
    ]}}], "template": {"metadata": {"name": "{{.name}}-k{{.values.kafka}}-r{{.values.redis}}"}}}
    assert names(run(spec)) == ["production-ktrue-rfalse", "staging-kfalse-rfalse", "in-cluster-ktrue-rtrue"]


def test_merge_flat_mode_and_duplicate_keys() -> None:
    spec = {"generators": [{"merge": {"mergeKeys": ["name"], "generators": [
        {"list": {"elements": [{"name": "a", "v": "1"}, {"name": "b", "v": "1"}]}},
        {"list": {"elements": [{"name": "b", "v": "2"}]}},
    ]}}], "template": {"metadata": {"name": "{{name}}-{{v}}"}}}
    assert names(run(spec)) == ["a-1", "b-2"]
    dup = {"generators": [{"merge": {"mergeKeys": ["v"], "generators": [
        {"list": {"elements": [{"name": "a", "v": "1"}, {"name": "b", "v": "1"}]}},
        {"list": {"elements": [{"name": "b", "v": "2"}]}},
    ]}}], "template": {"metadata": {"name": "{{name}}"}}}
    with pytest.raises(InputError, match="not unique by the given mergeKeys"):
        run(dup)


# -- selector post-filter, template overrides, templatePatch, finalizers -------------------


def test_generator_selector_post_filter() -> None:
    spec = {"generators": [{"list": {"elements": [{"cluster": "a", "env": "dev"}, {"cluster": "b", "env": "prod"}]}, "selector": {"matchLabels": {"env": "prod"}}}],
            "template": {"metadata": {"name": "{{cluster}}"}}}
    assert names(run(spec)) == ["b"]
    nested = {"goTemplate": True, "generators": [{"clusters": {}, "selector": {"matchExpressions": [{"key": "metadata.labels.environment", "operator": "In", "values": ["staging"]}]}}],
              "template": {"metadata": {"name": "{{.name}}"}}}
    assert names(run(nested)) == ["staging"]


def test_generator_template_override_merges_onto_the_appset_template() -> None:
    spec = {
        "generators": [
            {"list": {"elements": [{"cluster": "a", "url": "u"}], "template": {"metadata": {}, "spec": {"project": "override", "source": {"path": "special/{{cluster}}"}}}}},
            {"list": {"elements": [{"cluster": "b", "url": "u"}]}},
        ],
        "template": TEMPLATE_FT,
    }
    apps = run(spec)
    assert names(apps) == ["a-guestbook", "b-guestbook"]
    assert apps[0]["spec"]["project"] == "override"
    assert apps[0]["spec"]["source"]["path"] == "special/a"
    assert apps[0]["spec"]["source"]["repoURL"] == "https://github.com/argoproj/argo-cd.git"
    assert apps[1]["spec"]["project"] == "default"


def test_template_patch() -> None:
    spec = {
        "goTemplate": True,
        "generators": [{"list": {"elements": [{"cluster": "a", "autoSync": True, "prune": False}, {"cluster": "b", "autoSync": False}]}}],
        "template": {"metadata": {"name": "{{.cluster}}", "labels": {"keep": "yes"}}, "spec": {"project": "default", "source": {"path": "p"}}},
        "templatePatch": (
            "metadata:\n  labels:\n    patched: '{{ .cluster }}'\n  finalizers: [extra]\n"
            "{{- if .autoSync }}\nspec:\n  syncPolicy:\n    automated:\n      prune: {{ .prune }}\n{{- end }}\n"
        ),
    }
    apps = run(spec)
    assert apps[0]["metadata"]["labels"] == {"keep": "yes", "patched": "a"}
    assert apps[0]["metadata"]["finalizers"] == [FINALIZER, "extra"]
    assert apps[0]["spec"]["syncPolicy"] == {"automated": {"prune": False}}
    assert "syncPolicy" not in apps[1]["spec"]


def test_template_patch_requires_go_template() -> None:
    with pytest.raises(InputError, match="templatePatch requires goTemplate"):
        run({"generators": [{"list": {"elements": [{"a": "b"}]}}], "template": {"metadata": {"name": "x"}}, "templatePatch": "spec: {}"})


@pytest.mark.parametrize("sync_policy,template_finalizers,expected", [
    (None, None, [FINALIZER]),
    ({"preserveResourcesOnDeletion": False}, None, [FINALIZER]),
    ({"preserveResourcesOnDeletion": True}, None, None),
    (None, ["custom"], ["custom"]),
])
def test_resources_finalizer(sync_policy: Any, template_finalizers: Any, expected: Any) -> None:
    meta: dict[str, Any] = {"name": "{{a}}"}
    if template_finalizers:
        meta["finalizers"] = template_finalizers
    spec: dict[str, Any] = {"generators": [{"list": {"elements": [{"a": "x"}]}}], "template": {"metadata": meta, "spec": {}}}
    if sync_policy:
        spec["syncPolicy"] = sync_policy
    assert run(spec)[0]["metadata"].get("finalizers") == expected


def test_namespace_is_the_application_sets() -> None:
    spec = {"generators": [{"list": {"elements": [{"a": "x"}]}}], "template": {"metadata": {"name": "{{a}}", "namespace": "elsewhere"}}}
    assert run(spec)[0]["metadata"]["namespace"] == "argocd"
    apps = expand(appset(spec, namespace=None), clusters=[], repos=REPOS, source="s")
    assert "namespace" not in apps[0]["metadata"]


# -- errors -------------------------------------------------------------------------------


def test_missingkey_error_names_appset_generator_and_params() -> None:
    spec = {"goTemplate": True, "goTemplateOptions": ["missingkey=error"], "generators": [{"list": {"elements": [{"cluster": "a"}]}}],
            "template": {"metadata": {"name": "{{ .cluster }}-{{ .nope }}"}}}
    with pytest.raises(InputError) as e:
        run(spec)
    msg = str(e.value)
    assert msg.startswith("set.yaml: ApplicationSet set, generator 0 (list), parameters {\"cluster\": \"a\"}: failed to execute go template")
    assert 'map has no entry for key "nope"' in msg


def test_default_missingkey_prints_no_value() -> None:
    spec = {"goTemplate": True, "generators": [{"list": {"elements": [{"cluster": "a"}]}}], "template": {"metadata": {"name": "{{ .cluster }}-{{ .nope }}"}}}
    assert names(run(spec)) == ["a-<no value>"]


def test_parse_error_in_template_has_position() -> None:
    spec = {"goTemplate": True, "generators": [{"list": {"elements": [{"cluster": "a"}]}}], "template": {"metadata": {"name": "{{ .cluster "}}}
    with pytest.raises(InputError, match=r"failed to parse template .*template: :1: unclosed action"):
        run(spec)


def test_duplicate_application_names() -> None:
    spec = {"generators": [{"list": {"elements": [{"a": "x"}, {"a": "x"}]}}], "template": {"metadata": {"name": "{{a}}"}}}
    with pytest.raises(InputError, match="duplicate name: x"):
        run(spec)


def test_unknown_generator() -> None:
    with pytest.raises(InputError, match=r"generator 0 \(\?\): unrecognized generator: bogus"):
        run({"generators": [{"bogus": {}}], "template": {"metadata": {"name": "x"}}})


# -- generators that need a live service -----------------------------------------------------


@pytest.mark.parametrize("kind", ["pullRequest", "scmProvider", "clusterDecisionResource", "plugin"])
def test_external_generator_without_inputs_is_a_clear_error(kind: str) -> None:
    with pytest.raises(InputError, match=rf"ApplicationSet set, generator 0 \({kind}\): the {kind} generator needs a live service.*--generator-inputs"):
        run({"generators": [{kind: {}}], "template": {"metadata": {"name": "x"}}})


def test_external_generators_from_inputs() -> None:
    inputs = {
        "pullRequest": [{"number": 22, "branch": "feature/New_Thing", "target_branch": "main", "head_sha": "0123456789abcdef", "labels": ["preview"]}],
        "scmProvider": [{"organization": "org", "repository": "app", "url": "https://g/org/app.git", "branch": "main", "sha": "abc"}],
    }
    apps = run({"generators": [
        {"pullRequest": {"github": {"owner": "o", "repo": "r"}}},
        {"scmProvider": {"github": {"organization": "org"}}},
    ], "template": {"metadata": {"name": "{{repository}}{{branch_slug}}-{{number}}-{{head_short_sha}}"}}}, inputs=inputs)
    assert names(apps) == ["{{repository}}feature-new-thing-22-01234567", "app{{branch_slug}}-{{number}}-{{head_short_sha}}"]


# -- CLI ----------------------------------------------------------------------------------


def test_cli_generate_yaml_json_and_params(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["generate", str(FIX / "matrix-git-clusters" / "appset.yaml"), "--clusters", str(FIX / "clusters"), "--repo", str(REPO)]
    res = runner.invoke(appset_cli, args)
    assert res.exit_code == 0, res.output
    docs = load_documents(res.output, "out")
    assert [d["metadata"]["name"] for d in docs] == ["guestbook-production", "guestbook-staging", "helm-guestbook-production", "helm-guestbook-staging"]
    assert res.output.startswith("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n")
    res = runner.invoke(appset_cli, args + ["-o", "json"])
    assert res.exit_code == 0
    assert len(json.loads(res.output)) == 4
    res = runner.invoke(appset_cli, args + ["--params"])
    assert res.exit_code == 0
    params = json.loads(res.output)
    assert params[0]["applicationSet"] == "cluster-git"
    assert params[0]["generators"][0][0]["path"]["basename"] == "guestbook"
    # no cluster Secrets and a selector: no clusters (the in-cluster default needs an empty selector)
    res = runner.invoke(appset_cli, args[:2] + ["--no-config", "--repository", "https://github.com/example/apps.git=" + str(REPO)])
    assert res.exit_code == 0 and res.stdout == ""
    # the old spelling, kept for one release: a warning on stderr, the same result
    res = runner.invoke(appset_cli, args[:2] + ["--no-config", "--repo", "https://github.com/example/apps.git=" + str(REPO)])
    assert res.exit_code == 0 and res.stdout == ""
    assert "--repo https://github.com/example/apps.git=" in res.stderr and "deprecated" in res.stderr


def test_cli_errors_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "set.yaml"
    bad.write_text("apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec:\n  generators:\n  - pullRequest: {}\n  template: {metadata: {name: x}}\n")
    res = CliRunner().invoke(appset_cli, ["generate", str(bad)])
    assert res.exit_code == 2
    assert "ApplicationSet s, generator 0 (pullRequest)" in res.output
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("pullRequest:\n- {number: '1', branch: b}\n")
    res = CliRunner().invoke(appset_cli, ["generate", str(bad), "--generator-inputs", str(inputs)])
    assert res.exit_code == 0, res.output
    assert "name: x" in res.output
    res = CliRunner().invoke(appset_cli, ["generate", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "file not found" in res.output


# -- Argo CD's own examples (read-only, when present) -------------------------------------------


@pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is absent (../shared is absent)")
@pytest.mark.parametrize("example,expected", [
    ("list-generator/list-example.yaml", ["engineering-dev-guestbook", "engineering-prod-guestbook"]),
    ("list-generator/list-example-fasttemplate.yaml", ["engineering-dev-guestbook", "engineering-prod-guestbook"]),
    ("git-generator-directory/git-directories-example.yaml", ["argo-workflows", "prometheus-operator"]),
    ("git-generator-directory/git-directories-example-fasttemplate.yaml", ["argo-workflows", "prometheus-operator"]),
    ("git-generator-files-discovery/git-generator-files.yaml", ["engineering-dev-guestbook", "engineering-prod-guestbook"]),
    ("matrix/cluster-and-git.yaml", ["argo-workflows-production", "argo-workflows-staging", "prometheus-operator-production", "prometheus-operator-staging"]),
])
def test_argo_cd_examples(example: str, expected: list[str]) -> None:
    path = REAL / "applicationset" / "examples" / example
    if not path.is_file():
        pytest.skip(f"{example} not in this checkout")
    docs = [d for d in load_documents(path.read_text(), str(path)) if d.get("kind") == "ApplicationSet"]
    apps = expand(docs[0], clusters=CLUSTERS, repos=RepoResolver(default=str(REAL)), source=str(path))
    assert sorted(names(apps)) == sorted(expected)


def test_rolling_sync_steps_follow_label_match_expressions() -> None:
    """`sluice appset generate --steps`: the first step that selects an Application holds it;
    In fails on a missing label; Applications no step selects are reported apart."""
    from renderer.cli.appset import run_generate

    path = str(Path(__file__).resolve().parent.parent / "fixtures" / "appset" / "rolling-sync" / "appset.yaml")
    text = run_generate(path, (), (), None, "json", False, True)
    (plan,) = json.loads(text)
    assert plan["steps"] == [
        {"step": 1, "maxUpdate": None, "applications": ["engineering-dev-guestbook"]},
        {"step": 2, "maxUpdate": 0, "applications": ["engineering-qa-guestbook"]},
        {"step": 3, "maxUpdate": "10%", "applications": ["engineering-prod-a-guestbook", "engineering-prod-b-guestbook"]},
    ]
    assert plan["unmatched"] == ["sandbox-guestbook"]
    human = run_generate(path, (), (), None, "yaml", False, True)
    assert "step 3 (maxUpdate 10%): engineering-prod-a-guestbook, engineering-prod-b-guestbook" in human


def test_rolling_sync_not_in_passes_on_a_missing_label() -> None:
    from renderer.appset.rollout import rollout_plan

    appset = {"metadata": {"name": "x"}, "spec": {"strategy": {"type": "RollingSync", "rollingSync": {"steps": [
        {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]},
        {"matchExpressions": []},
    ]}}}}
    apps = [{"metadata": {"name": "a", "labels": {"tier": "db"}}}, {"metadata": {"name": "b"}}]
    plan = rollout_plan(appset, apps, source="x.yaml")
    assert plan is not None
    assert [s.applications for s in plan.steps] == [("b",), ("a",)]
