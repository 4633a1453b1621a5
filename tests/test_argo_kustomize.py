"""Argo CD `spec.source.kustomize` options and `.argocd-source*.yaml` overrides.

Each option is checked against the oracle: the kustomization `kustomize edit` would leave
(written out by hand) built by `kubectl kustomize`, compared with sluice's render of an
Application using the option."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from renderer.argo.kustomize_options import envsubst, format_image_arg, parse_image_arg, split_image
from renderer.argo.source_overrides import decode_over, merge_patch
from renderer.core.errors import InputError
from renderer.fleet.discover import discover
from renderer.fleet.config import load_config
from renderer.core.fs import RepoFS
from renderer.fleet.pipeline import render_plan, render_repo
from trees import write_tree

KUBECTL = shutil.which("kubectl") or str(Path(sys.executable).with_name("kubectl"))
needs_kubectl = pytest.mark.skipif(not os.path.isfile(KUBECTL), reason="kubectl (the kustomize oracle) is not installed")

DIGEST = "sha256:" + "ab" * 32
DEPLOY = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {app: web}}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: c, image: nginx}, {name: d, image: redis}]
    """
COMPONENT = """
    apiVersion: kustomize.config.k8s.io/v1alpha1
    kind: Component
    commonAnnotations: {from-component: "yes"}
    """
PATCH_1 = {"target": {"kind": "Deployment"}, "patch": "- {op: add, path: /metadata/labels/one, value: '1'}"}
PATCH_2 = {"target": {"kind": "Deployment", "name": "web"},
           "patch": "- {op: replace, path: /metadata/labels/one, value: '2'}"}


def application(options: dict[str, Any] | None, *, name: str = "a", path: str = "app", extra: str = "") -> str:
    source = {"repoURL": "https://example.com/r.git", "path": path, "targetRevision": "main"}
    if options is not None:
        source["kustomize"] = options
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\n"
            f"spec:\n  project: team\n  source: {json.dumps(source)}\n  destination: {{name: in-cluster}}\n{extra}")


def repo(root: Path, kustomization: dict[str, Any], options: dict[str, Any] | None, files: dict[str, str] | None = None) -> Path:
    return write_tree(root, {
        "app/kustomization.yaml": json.dumps(kustomization),
        "app/deploy.yaml": DEPLOY,
        "comp/kustomization.yaml": COMPONENT,
        "a.yaml": application(options),
        **(files or {}),
    })


def sluice_docs(root: Path) -> list[Any]:
    [app] = render_repo(root, write=False).apps
    return [json.loads(json.dumps(r)) for r in app.resources]


def kubectl_docs(root: Path, kustomization: dict[str, Any]) -> list[Any]:
    """`kubectl kustomize` of the app directory with `kustomization` in place of its own."""
    oracle = root.parent / (root.name + "-oracle")
    shutil.copytree(root, oracle)
    (oracle / "app" / "kustomization.yaml").write_text(json.dumps(kustomization))
    out = subprocess.run([KUBECTL, "kustomize", str(oracle / "app")], capture_output=True, text=True, check=True).stdout
    return [d for d in yaml.safe_load_all(out) if d is not None]


BASE: dict[str, Any] = {"resources": ["deploy.yaml"], "images": [{"name": "nginx", "newTag": "1.0"}]}

# (id, options, the base kustomization's extra fields, what `kustomize edit` leaves in it)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("namePrefix", {"namePrefix": "p-"}, {"namePrefix": "old-"}, {"namePrefix": "p-"}),
    ("nameSuffix", {"nameSuffix": "-s"}, {}, {"nameSuffix": "-s"}),
    ("image name=new:tag", {"images": ["redis=myredis:7"]}, {},
     {"images": [{"name": "nginx", "newTag": "1.0"}, {"name": "redis", "newName": "myredis", "newTag": "7"}]}),
    ("image name:tag updates the entry", {"images": ["nginx:2.0"]}, {}, {"images": [{"name": "nginx", "newTag": "2.0"}]}),
    ("image name@digest", {"images": [f"redis@{DIGEST}"]}, {},
     {"images": [{"name": "nginx", "newTag": "1.0"}, {"name": "redis", "digest": DIGEST}]}),
    ("image name=new@digest", {"images": [f"redis=reg.io:5000/r/redis@{DIGEST}"]}, {},
     {"images": [{"name": "nginx", "newTag": "1.0"}, {"name": "redis", "newName": "reg.io:5000/r/redis", "digest": DIGEST}]}),
    ("image replaces the whole entry", {"images": ["nginx:3.0"]},
     {"images": [{"name": "nginx", "newName": "mynginx", "newTag": "1.0"}]}, {"images": [{"name": "nginx", "newTag": "3.0"}]}),
    ("image * keeps a field", {"images": ["nginx=*:3.0"]},
     {"images": [{"name": "nginx", "newName": "mynginx", "newTag": "1.0"}]},
     {"images": [{"name": "nginx", "newName": "mynginx", "newTag": "3.0"}]}),
    ("image envsubst", {"images": ["redis:${ARGOCD_APP_SOURCE_TARGET_REVISION}-$ARGOCD_APP_NAME"]}, {},
     {"images": [{"name": "nginx", "newTag": "1.0"}, {"name": "redis", "newTag": "main-a"}]}),
    ("replicas", {"replicas": [{"name": "web", "count": "4"}]}, {"replicas": [{"name": "web", "count": 1}]},
     {"replicas": [{"name": "web", "count": 4}]}),
    ("commonLabels", {"commonLabels": {"team": "${ARGOCD_APP_PROJECT_NAME}", "app.kubernetes.io/name": "$ARGOCD_APP_NAME"}},
     {"commonLabels": {"tier": "be"}}, {"commonLabels": {"tier": "be", "team": "team", "app.kubernetes.io/name": "a"}}),
    ("commonLabels without selector", {"commonLabels": {"team": "x"}, "labelWithoutSelector": True}, {},
     {"labels": [{"pairs": {"team": "x"}}]}),
    ("commonLabels without selector, with templates",
     {"commonLabels": {"team": "x"}, "labelWithoutSelector": True, "labelIncludeTemplates": True},
     {"labels": [{"pairs": {"a": "b"}}, {"pairs": {"c": "d"}, "includeTemplates": True}]},
     {"labels": [{"pairs": {"a": "b"}}, {"pairs": {"c": "d", "team": "x"}, "includeTemplates": True}]}),
    ("commonLabels force", {"commonLabels": {"tier": "fe"}, "forceCommonLabels": True},
     {"commonLabels": {"tier": "be"}}, {"commonLabels": {"tier": "fe"}}),
    ("commonAnnotations", {"commonAnnotations": {"note": "$ARGOCD_APP_NAME", "q": '"quoted"'}}, {},
     {"commonAnnotations": {"note": "$ARGOCD_APP_NAME", "q": "quoted"}}),
    ("commonAnnotations envsubst", {"commonAnnotations": {"note": "${ARGOCD_APP_NAME}@$ARGOCD_APP_SOURCE_PATH $$x"},
                                    "commonAnnotationsEnvsubst": True}, {},
     {"commonAnnotations": {"note": "a@app $x"}}),
    ("commonAnnotations force", {"commonAnnotations": {"n": "new"}, "forceCommonAnnotations": True},
     {"commonAnnotations": {"n": "old", "m": "kept"}}, {"commonAnnotations": {"n": "new", "m": "kept"}}),
    ("namespace", {"namespace": "ns2"}, {"namespace": "ns1"}, {"namespace": "ns2"}),
    ("patches appended", {"patches": [PATCH_2]}, {"patches": [PATCH_1]}, {"patches": [PATCH_1, PATCH_2]}),
    ("patches new", {"patches": [PATCH_1]}, {}, {"patches": [PATCH_1]}),
    ("components", {"components": ["../comp"]}, {}, {"components": ["../comp"]}),
    ("components not twice", {"components": ["../comp", "../c*"]}, {"components": ["../comp"]}, {"components": ["../comp"]}),
    ("components ignoreMissing", {"components": ["../missing", "../comp"], "ignoreMissingComponents": True}, {},
     {"components": ["../comp"]}),
    ("everything", {"namePrefix": "p-", "images": ["nginx:9"], "replicas": [{"name": "web", "count": 2}],
                    "commonLabels": {"l": "v"}, "commonAnnotations": {"a": "v"}, "namespace": "n",
                    "patches": [PATCH_1], "components": ["../comp"], "version": "v5.4.3", "kubeVersion": "1.30.0"}, {},
     {"namePrefix": "p-", "images": [{"name": "nginx", "newTag": "9"}], "replicas": [{"name": "web", "count": 2}],
      "commonLabels": {"l": "v"}, "commonAnnotations": {"a": "v"}, "namespace": "n", "patches": [PATCH_1],
      "components": ["../comp"]}),
]


@needs_kubectl
@pytest.mark.parametrize(("options", "base", "edited"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kustomize_options_build_as_kustomize_edit_leaves_the_kustomization(
        tmp_path: Path, options: dict[str, Any], base: dict[str, Any], edited: dict[str, Any]) -> None:
    kustomization = {**BASE, **base}
    root = repo(tmp_path / "repo", kustomization, options)
    before = (root / "app" / "kustomization.yaml").read_bytes()
    assert sluice_docs(root) == kubectl_docs(root, {**kustomization, **edited})
    assert (root / "app" / "kustomization.yaml").read_bytes() == before  # never written


@pytest.mark.parametrize(("options", "base", "message"), [
    ({"commonLabels": {"tier": "fe"}}, {"commonLabels": {"tier": "be"}}, "label tier already in kustomization file"),
    ({"commonLabels": {"a": "x"}, "labelWithoutSelector": True}, {"labels": [{"pairs": {"a": "b"}}]},
     "label a already in kustomization file"),
    ({"commonAnnotations": {"n": "x"}}, {"commonAnnotations": {"n": "y"}}, "annotation n already in kustomization file"),
    ({"components": ["../missing"]}, {}, "has no match"),
    ({"images": ["nginx"]}, {}, "invalid format of image"),
    ({"replicas": [{"name": "web", "count": "three"}]}, {}, "expected integer value for count"),
    ({"imagez": ["nginx:1"]}, {}, r"kustomize\.imagez: unknown field"),
    ({"commonLabels": {"a": 1}}, {}, "commonLabels: must be a mapping of strings"),
    ({"patches": [{"patch": "x", "targett": {}}]}, {}, r"patches\[0\]\.targett: unknown field"),
    ({"commonLabels": {"a": "b"}, "labelIncludeTemplates": True}, {}, "needs labelWithoutSelector"),
], ids=["label-force", "label-without-selector-force", "annotation-force", "component-missing", "bare-image",
        "replica-count", "unknown-field", "label-type", "patch-field", "templates-without-selector"])
def test_kustomize_option_errors(tmp_path: Path, options: dict[str, Any], base: dict[str, Any], message: str) -> None:
    root = repo(tmp_path, {**BASE, **base}, options)
    with pytest.raises(InputError, match=message):
        render_repo(root, write=False)


# -- the image argument parser ------------------------------------------------------------

_segment = st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)?", fullmatch=True)
_path = st.lists(_segment, min_size=1, max_size=3).map("/".join)
_registry = st.one_of(st.just(""), st.from_regex(r"[a-z]+(\.[a-z]+)?(:[0-9]{2,5})?", fullmatch=True).map(lambda r: r + "/"))
_name = st.tuples(_registry, _path).map("".join)
_tag = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,20}", fullmatch=True)
_digest = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)


@given(name=_name, tag=st.one_of(st.just(""), _tag), digest=st.one_of(st.just(""), _digest))
def test_split_image_takes_the_name_tag_and_digest_apart(name: str, tag: str, digest: str) -> None:
    image = name + (":" + tag if tag else "") + ("@" + digest if digest else "")
    assert split_image(image) == (name, tag, digest)


@given(key=_name, new_name=st.one_of(st.just(""), _name), tag=st.one_of(st.just(""), _tag),
       digest=st.one_of(st.just(""), _digest))
def test_image_arguments_round_trip(key: str, new_name: str, tag: str, digest: str) -> None:
    entry = {"name": key, "newName": new_name, "newTag": tag, "digest": digest}
    entry = {k: v for k, v in entry.items() if v}
    if len(entry) == 1:  # a bare name: kustomize refuses it
        with pytest.raises(ValueError, match="invalid format"):
            parse_image_arg(format_image_arg(entry))
        return
    assert parse_image_arg(format_image_arg(entry)) == entry


def test_image_argument_forms() -> None:
    assert parse_image_arg("postgres=eu.gcr.io/p/postgres:latest") == {
        "name": "postgres", "newName": "eu.gcr.io/p/postgres", "newTag": "latest"}
    assert parse_image_arg("node:8.15.0") == {"name": "node", "newTag": "8.15.0"}
    assert parse_image_arg("mysql=mariadb") == {"name": "mysql", "newName": "mariadb"}
    assert parse_image_arg(f"alpine:3@{DIGEST}") == {"name": "alpine", "newTag": "3", "digest": DIGEST}
    assert parse_image_arg("localhost:5000/app:1") == {"name": "localhost:5000/app", "newTag": "1"}
    with pytest.raises(ValueError):
        parse_image_arg("localhost:5000/app")


def test_envsubst_is_go_os_expand() -> None:
    env = {"A": "x", "B_1": "y"}
    assert envsubst("$A-${B_1}-$C-$$-${}-$", env) == "x-y--$--$"
    assert envsubst("${A", env) == "A"  # an unclosed "${" is eaten
    assert envsubst("$1a", env) == "a"


# -- .argocd-source*.yaml -----------------------------------------------------------------

CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    "chart/values.yaml": "x: default\nv: default\n",
    "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {x: {{ .Values.x | quote }}, v: {{ .Values.v | quote }}}\n",
}


def helm_app(helm: dict[str, Any] | None) -> str:
    source: dict[str, Any] = {"repoURL": "https://example.com/r.git", "path": "chart", "targetRevision": "main"}
    if helm is not None:
        source["helm"] = helm
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: a}}\n"
            f"spec:\n  source: {json.dumps(source)}\n  destination: {{name: in-cluster}}\n")


def cm_data(root: Path) -> dict[str, str]:
    [cm] = render_repo(root, write=False).apps[0].resources
    return dict(cm["data"])


def test_override_files_merge_in_order_and_lists_replace(tmp_path: Path) -> None:
    write_tree(tmp_path, {**CHART, "a.yaml": helm_app({"parameters": [{"name": "x", "value": "app"}]}),
                          "chart/.argocd-source.yaml": "helm: {parameters: [{name: x, value: repo}, {name: v, value: repo}]}\n"})
    assert cm_data(tmp_path) == {"x": "repo", "v": "repo"}
    write_tree(tmp_path, {"chart/.argocd-source-a.yaml": "helm: {parameters: [{name: x, value: mine}]}\n",
                          "chart/.argocd-source-other.yaml": "helm: {parameters: [{name: v, value: other}]}\n"})
    assert cm_data(tmp_path) == {"x": "mine", "v": "default"}  # the list replaced: v's parameter is gone


def test_override_adds_helm_settings_to_a_discovered_chart_and_only_config_management_changes(tmp_path: Path) -> None:
    write_tree(tmp_path, {**CHART, "a.yaml": helm_app(None),
                          "chart/.argocd-source-a.yaml": "path: elsewhere\nrepoURL: https://evil.example\n"
                                                         "helm: {valuesObject: {v: from-override}}\n"})
    assert cm_data(tmp_path) == {"x": "default", "v": "from-override"}


def test_override_null_does_not_remove_a_setting_as_in_argo_cd(tmp_path: Path) -> None:
    # Argo CD decodes the merged JSON over the source it started from: the null merges the
    # key away, and decoding then leaves the old value where it was
    write_tree(tmp_path, {**CHART, "a.yaml": helm_app({"parameters": [{"name": "x", "value": "app"}],
                                                       "valuesObject": {"v": "app"}}),
                          "chart/.argocd-source.yaml": "helm: {parameters: null, valuesObject: {v: null}}\n"})
    # valuesObject is a raw object, taken as merged: its null does remove v
    assert cm_data(tmp_path) == {"x": "app", "v": "default"}


def test_merge_patch_and_decode_over() -> None:
    assert merge_patch({"a": 1, "b": {"c": 1, "d": [1]}}, {"b": {"c": None, "d": [2, 3]}, "e": "x"}) == {
        "a": 1, "b": {"d": [2, 3]}, "e": "x"}
    old = {"helm": {"parameters": [{"name": "a", "value": "1", "forceString": True}], "releaseName": "r"}}
    new = {"helm": {"parameters": [{"name": "b", "value": "2"}]}}
    assert decode_over(old, new) == {"helm": {"parameters": [{"name": "b", "value": "2", "forceString": True}],
                                              "releaseName": "r"}}


@needs_kubectl
def test_override_files_set_kustomize_images_and_are_recorded_reads(tmp_path: Path) -> None:
    root = repo(tmp_path / "repo", BASE, {"images": ["nginx:2.0"], "namePrefix": "p-"}, {
        "app/.argocd-source.yaml": "kustomize: {images: ['nginx:3.0', 'redis:7']}\n",
        "app/.argocd-source-a.yaml": "kustomize: {images: ['nginx:4.0'], namePrefix: null}\n",
    })
    edited = {**BASE, "namePrefix": "p-", "images": [{"name": "nginx", "newTag": "4.0"}]}
    assert sluice_docs(root) == kubectl_docs(root, edited)
    fs = RepoFS(root)
    render_plan(fs, discover(fs, load_config(fs)))
    assert {"app/.argocd-source.yaml", "app/.argocd-source-a.yaml"} <= set(fs.reads)


@needs_kubectl
def test_override_adds_kustomize_options_to_a_discovered_kustomization(tmp_path: Path) -> None:
    root = repo(tmp_path / "repo", BASE, None, {"app/.argocd-source-a.yaml": "kustomize: {images: ['redis:7']}\n"})
    edited = {**BASE, "images": [{"name": "nginx", "newTag": "1.0"}, {"name": "redis", "newTag": "7"}]}
    assert sluice_docs(root) == kubectl_docs(root, edited)


def test_override_errors(tmp_path: Path) -> None:
    root = repo(tmp_path, BASE, {"namePrefix": "p-"}, {"app/.argocd-source.yaml": "helm: {parameters: []}\n"})
    with pytest.raises(InputError, match="multiple application sources defined: kustomize,helm"):
        render_repo(root, write=False)
    write_tree(tmp_path, {"app/.argocd-source.yaml": "# nothing\n"})
    with pytest.raises(InputError, match="override file is empty"):
        render_repo(root, write=False)
    write_tree(tmp_path, {"app/.argocd-source.yaml": "kustomize: {imagez: []}\n"})
    with pytest.raises(InputError, match="imagez: unknown field"):
        render_repo(root, write=False)
