"""Kustomize fidelity: Go's JSON decoding of kustomization fields, RE2 for user regexes,
json-patch v4 and replacement paths. kubectl-recorded cases for the same features live in
fixtures/conformance (go-json-fields, json6902-v4, replacement-paths, patch-meta-nulls,
regex-targets); these tests cover properties and hostile input."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.core.errors import InputError
from renderer.core.fs import RepoFS
from renderer.kustomize import Builder
from renderer.kustomize.jsonpatch import JsonPatchError, apply_ops
from renderer.kustomize.regex import anchored
from renderer.kustomize.replacements import split_dotted
from renderer.kustomize.schema import KUSTOMIZATION, Struct, decode, fold
from renderer.core.yaml import dump_documents
from tests.trees import write_tree

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: ns1\ndata:\n  k: v\n"
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
        args: ["$(X)"]
"""


def _build(root: Path) -> str:
    return dump_documents(Builder(RepoFS(root), None).build("."))


# -- Go's encoding/json field matching --------------------------------------------------------

def _field_names(struct: Struct) -> list[str]:
    return list(struct.fields)


@given(st.sampled_from(_field_names(KUSTOMIZATION)), st.data())
def test_fold_matches_any_ascii_casing(name: str, data: st.DataObject) -> None:
    casing = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    spelled = "".join(c.upper() if up else c.lower() for c, up in zip(name, casing))
    assert fold(spelled) == fold(name)


def test_fold_kelvin_sign_is_k() -> None:
    # Go folds each rune to the smallest of its case orbit: U+212A KELVIN SIGN is a K
    assert fold("\u212aind") == fold("kind")
    assert fold("\u017fource") == fold("source")  # LATIN SMALL LETTER LONG S


@settings(max_examples=30, deadline=None)
@given(st.lists(st.booleans(), min_size=9, max_size=9))
def test_var_fieldpath_in_any_casing(tmp_path_factory: pytest.TempPathFactory, casing: list[bool]) -> None:
    spelled = "".join(c.upper() if up else c.lower() for c, up in zip("fieldPath", casing))
    root = write_tree(tmp_path_factory.mktemp("vars"), {
        "cm.yaml": CM.format(name="cm"),
        "deploy.yaml": DEPLOY,
        "kustomization.yaml": (
            "resources: [cm.yaml, deploy.yaml]\nvars:\n- name: X\n"
            "  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n"
            f"  fieldref: {{{spelled}: metadata.namespace}}\n"
        ),
    })
    assert "- ns1" in _build(root)


def test_duplicate_spellings_later_sorted_key_wins() -> None:
    # YAMLToJSON sorts keys: "NAMEPREFIX" < "namePrefix", so namePrefix is applied last
    data = decode({"namePrefix": "a-", "NAMEPREFIX": "b-"}, KUSTOMIZATION, "k.yaml")
    assert data["namePrefix"] == "a-"
    # structs and maps merge instead
    data = decode({"generatorOptions": {"labels": {"a": "1"}}, "GeneratorOptions": {"labels": {"b": "2"}}},
                  KUSTOMIZATION, "k.yaml")
    assert data["generatorOptions"]["labels"] == {"a": "1", "b": "2"}


@pytest.mark.parametrize("raw, message", [
    ({"patches": [{"target": {"kind": "X", "bogus": 1}, "patch": "x"}]}, 'unknown field "bogus"'),
    ({"replicas": [{"name": "a", "count": "3"}]}, "cannot unmarshal string into Go struct field Replica.replicas.count of type int64"),
    ({"namePrefix": 1}, "cannot unmarshal number into Go struct field Kustomization.namePrefix of type string"),
    ({"resources": "a.yaml"}, "cannot unmarshal string into Go struct field Kustomization.resources of type []string"),
    ({"commonLabels": {"a": 1}}, "Kustomization.commonLabels of type string"),
])
def test_go_json_errors_name_the_file(raw: dict, message: str) -> None:
    with pytest.raises(InputError) as info:
        decode(raw, KUSTOMIZATION, "dir/kustomization.yaml")
    assert message in str(info.value)
    assert info.value.file == "dir/kustomization.yaml"


# -- RE2 for user regexes ---------------------------------------------------------------------

def test_backtracking_target_name_is_linear(tmp_path: Path) -> None:
    name = "a" * 40 + "c"
    root = write_tree(tmp_path, {
        "cm.yaml": CM.format(name=name),
        "kustomization.yaml": (
            "resources: [cm.yaml]\npatches:\n- target: {name: '(a|aa)+'}\n"
            "  patch: '[{\"op\": \"add\", \"path\": \"/data/x\", \"value\": \"y\"}]'\n"
        ),
    })
    # a backtracking engine needs minutes here; RE2 answers at once (and matches nothing)
    assert "x: y" not in _build(root)


@pytest.mark.parametrize("field", ["name", "namespace", "kind"])
def test_invalid_target_regex_is_input_error_naming_file(tmp_path: Path, field: str) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": CM.format(name="cm"),
        "kustomization.yaml": (
            f"resources: [cm.yaml]\npatches:\n- target: {{{field}: 'a(b'}}\n"
            "  patch: '[{\"op\": \"add\", \"path\": \"/data/x\", \"value\": \"y\"}]'\n"
        ),
    })
    with pytest.raises(InputError) as info:
        _build(root)
    assert info.value.file and info.value.file.endswith("kustomization.yaml")
    assert "a(b" in str(info.value)


def test_invalid_replacement_regex_exits_2_without_traceback(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": CM.format(name="cm"),
        "kustomization.yaml": (
            "resources: [cm.yaml]\nreplacements:\n- sourceValue: x\n  targets:\n"
            "  - select: {name: '[z-a]'}\n    fieldPaths: [data.k]\n"
        ),
    })
    proc = subprocess.run([sys.executable, "-m", "renderer", "build", str(root)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "kustomization.yaml" in proc.stderr


def test_go_rejects_what_cpp_re2_accepts() -> None:
    with pytest.raises(InputError):
        anchored(r"a\C", what="target name", file="k.yaml")


_SIMPLE = st.text(alphabet="ab|*+?()", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(_SIMPLE, st.text(alphabet="ab", max_size=8))
def test_anchored_agrees_with_fullmatch_where_syntax_is_shared(pattern: str, text: str) -> None:
    try:
        py = re.compile(pattern)
    except re.error:
        return
    try:
        rx = anchored(pattern, what="t", file=None)
    except InputError:
        return  # RE2 refuses some patterns Python takes (e.g. `a**`); Go refuses them too
    assert rx is not None
    assert bool(rx.search(text)) == bool(py.fullmatch(text))


def test_anchor_is_end_of_text_not_before_newline() -> None:
    rx = anchored("web", what="t", file=None)
    assert rx is not None and not rx.search("web\n")


# -- json-patch v4 ------------------------------------------------------------------------------

def test_replace_of_missing_map_key_adds_it() -> None:
    assert apply_ops({"a": {}}, [{"op": "replace", "path": "/a/b", "value": 1}]) == {"a": {"b": 1}}


def test_replace_of_missing_index_fails() -> None:
    with pytest.raises(JsonPatchError):
        apply_ops({"a": [1]}, [{"op": "replace", "path": "/a/3", "value": 1}])


def test_negative_indexes_count_from_the_end() -> None:
    assert apply_ops({"a": [1, 2]}, [{"op": "add", "path": "/a/-1", "value": 9}]) == {"a": [1, 2, 9]}
    assert apply_ops({"a": [1, 2]}, [{"op": "remove", "path": "/a/-1"}]) == {"a": [1]}


@given(st.integers(min_value=-(2**63), max_value=2**63))
def test_numbers_pass_through_float64(n: int) -> None:
    out = apply_ops({"n": n}, [])["n"]
    assert float(out) == float(n)
    if abs(n) <= 2**53:
        assert out == n


# -- replacement paths ------------------------------------------------------------------------

@pytest.mark.parametrize("path, segs", [
    (".a.b", ["a", "b"]),
    ("metadata.annotations.[example.com/ref]", ["metadata", "annotations", "example.com/ref"]),
    ("spec.containers.[name=x.y].image", ["spec", "containers", "[name=x.y]", "image"]),
    ("a\\.b.c", ["a.b", "c"]),
    ("spec.containers[0].image", ["spec", "containers", "[0]", "image"]),
])
def test_split_dotted(path: str, segs: list[str]) -> None:
    assert split_dotted(path) == segs


# -- kubectl as the oracle ----------------------------------------------------------------------

def _oracle() -> str | None:
    """kubectl with the kustomize release sluice follows (beside the interpreter first: the
    one on PATH may be older)."""
    import shutil

    for exe in (str(Path(sys.executable).with_name("kubectl")), shutil.which("kubectl")):
        if not exe or not Path(exe).is_file():
            continue
        try:
            out = subprocess.run([exe, "version", "--client"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if "Kustomize Version: v5.8.1" in out.stdout:
            return exe
    return None


KUBECTL = _oracle()
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl with kustomize v5.8.1 (the oracle) is not installed")


def _assert_same_as_kubectl(repo: Path, rel: str = ".") -> str:
    """sluice's output for `rel` is kubectl's byte for byte, or both reject the tree (sluice
    with a typed error naming a file). Returns the output ('' for a rejection)."""
    from renderer.core.errors import SluiceError

    assert KUBECTL is not None
    proc = subprocess.run([KUBECTL, "kustomize", str(repo / rel)], capture_output=True, text=True, timeout=60)
    try:
        got = dump_documents(Builder(RepoFS(repo), None).build(rel))
    except SluiceError as exc:
        assert proc.returncode != 0, f"kubectl built it, sluice did not: {exc}\n{proc.stdout}"
        assert exc.file, f"error names no file: {exc}"
        return ""
    assert proc.returncode == 0, f"kubectl failed ({proc.stderr.strip()}) but sluice built:\n{got}"
    assert got == proc.stdout
    return got


# -- kustomize's build annotations ----------------------------------------------------------------
# kustomize keeps its bookkeeping as internal annotations on the resource, so a JSON patch sees
# them (an annotations map is always there once a `patches:` entry stored the resource's id),
# and it strips a fixed list of annotations from whatever it prints.

NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"
CM_POD = """apiVersion: v1
kind: ConfigMap
metadata:
  name: c
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  volumes:
  - name: v
    configMap:
      name: c
"""


def _patch_entry(field: str, kind: str, name: str, ops: str) -> str:
    target = f"{{kind: {kind}, name: {name}, version: v1}}"
    return f"{field}:\n- target: {target}\n  patch: '{ops}'\n"


@needs_kubectl
@pytest.mark.parametrize("field", ["patches", "patchesJson6902"])
def test_json_patch_adds_annotation_to_resource_written_without_any(tmp_path: Path, field: str) -> None:
    # `patches:` stores the previous id first, so the map exists; `patchesJson6902:` does not
    root = write_tree(tmp_path, {
        "ns.yaml": NS,
        "kustomization.yaml": "resources: [ns.yaml]\n" + _patch_entry(
            field, "Namespace", "x", '[{"op": "add", "path": "/metadata/annotations/a", "value": "b"}]'),
    })
    out = _assert_same_as_kubectl(root)
    assert ("a: b" in out) == (field == "patches")


@needs_kubectl
@pytest.mark.parametrize("field", ["patches", "patchesJson6902"])
def test_json_patch_rename_moves_references_only_from_patches(tmp_path: Path, field: str) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": CM_POD,
        "kustomization.yaml": "resources: [cm.yaml]\n" + _patch_entry(
            field, "ConfigMap", "c", '[{"op": "replace", "path": "/metadata/name", "value": "renamed"}]'),
    })
    out = _assert_same_as_kubectl(root)
    assert out.count("renamed") == (2 if field == "patches" else 1)


@needs_kubectl
def test_json_patch_copies_the_bookkeeping_kustomize_holds(tmp_path: Path) -> None:
    # previous names/namespaces/kinds, prefixes, suffixes and generator options, in kustomize's order
    root = write_tree(tmp_path, {
        "base/kustomization.yaml": (
            "namePrefix: p-\nnameSuffix: -s\nnamespace: n1\nresources: [cm.yaml, ns.yaml]\n"
            "configMapGenerator:\n- name: g\n  literals: [a=b]\n"
            "- name: h\n  literals: [a=b]\n  behavior: create\n  options: {disableNameSuffixHash: true}\n"
        ),
        "base/cm.yaml": CM_POD,
        "base/ns.yaml": NS,
        "overlay/kustomization.yaml": (
            "resources: [../base]\nnamePrefix: q-\npatches:\n- target: {name: '.*'}\n"
            "  patch: '[{\"op\": \"copy\", \"from\": \"/metadata/annotations\", \"path\": \"/zz\"}]'\n"
        ),
    })
    out = _assert_same_as_kubectl(root, "overlay")
    assert "internal.config.kubernetes.io/previousNames: c,c,p-c,p-c-s" in out
    assert "internal.config.kubernetes.io/generatorBehavior: unspecified" in out


@needs_kubectl
@pytest.mark.parametrize("ops", [
    '[{"op": "remove", "path": "/metadata/annotations"}]',
    '[{"op": "add", "path": "/metadata/annotations", "value": {}}]',
    '[{"op": "replace", "path": "/metadata/annotations/internal.config.kubernetes.io~1previousNames", "value": "z"}]',
    '[{"op": "add", "path": "/metadata/annotations/internal.config.kubernetes.io~1prefixes", "value": "z"}]',
    '[{"op": "test", "path": "/metadata/annotations", "value": {}}]',
    '[{"op": "add", "path": "/metadata/annotations/a/b", "value": "c"}]',
])
def test_json_patch_on_the_annotations_map(tmp_path: Path, ops: str) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": CM_POD,
        "kustomization.yaml": "resources: [cm.yaml]\n" + _patch_entry("patches", "ConfigMap", "c", ops),
    })
    _assert_same_as_kubectl(root)


_OUTPUT_STRIPPED = [
    "internal.config.kubernetes.io/index", "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/seqindent", "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/index", "config.kubernetes.io/path", "config.k8s.io/id",
    "internal.config.kubernetes.io/previousNames", "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/allowNameChange", "internal.config.kubernetes.io/needsHashSuffix",
    "config.kubernetes.io/origin", "alpha.config.kubernetes.io/transformations",
    # kept: not kustomize's
    "internal.config.kubernetes.io/other", "kustomize.config.k8s.io/behavior", "config.kubernetes.io/function",
]


@needs_kubectl
@pytest.mark.parametrize("key", _OUTPUT_STRIPPED)
def test_annotations_kustomize_strips_from_output(tmp_path: Path, key: str) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    {key}: 'a.yaml'\n",
        "kustomization.yaml": "resources: [cm.yaml]\n",
    })
    _assert_same_as_kubectl(root)


@needs_kubectl
@pytest.mark.parametrize("value", ['"false"', "false", '""', "null", "'0'", "True", "no"])
def test_local_config_dropped_unless_false(tmp_path: Path, value: str) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    config.kubernetes.io/local-config: {value}\n",
        "other.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n",
        "kustomization.yaml": "resources: [cm.yaml, other.yaml]\n",
    })
    _assert_same_as_kubectl(root)


_OPS = st.sampled_from([
    '{"op": "add", "path": "/metadata/annotations/a", "value": "b"}',
    '{"op": "copy", "from": "/metadata/annotations", "path": "/zz"}',
    '{"op": "remove", "path": "/metadata/annotations"}',
    '{"op": "replace", "path": "/metadata/name", "value": "renamed"}',
    '{"op": "add", "path": "/metadata/labels", "value": {"l": "v"}}',
])


@needs_kubectl
@settings(max_examples=25, deadline=None)
@given(
    st.fixed_dictionaries({}, optional={"namePrefix": st.just("p-"), "nameSuffix": st.just("-s"),
                                        "namespace": st.just("n1")}),
    st.lists(st.tuples(st.sampled_from(["patches", "patchesJson6902"]), st.lists(_OPS, min_size=1, max_size=3)),
             min_size=1, max_size=3),
    st.booleans(),
)
def test_json_patches_over_renamed_resources_match_kubectl(
    tmp_path_factory: pytest.TempPathFactory, base_fields: dict[str, str],
    overlay_patches: list[tuple[str, list[str]]], generated: bool,
) -> None:
    """Differential: a base with any of namePrefix/nameSuffix/namespace (and a generated or a
    written ConfigMap), an overlay of JSON patches from either field over it, against kubectl."""
    base = "".join(f"{k}: {v}\n" for k, v in base_fields.items()) + "resources: [pod.yaml]\n"
    if generated:
        base += "configMapGenerator:\n- name: c\n  literals: [k=v]\n"
    else:
        base = base.replace("[pod.yaml]", "[pod.yaml, cm.yaml]")
    # one list per field (a field listed twice would be a duplicate YAML key)
    lines: dict[str, list[str]] = {}
    for field, ops in overlay_patches:
        lines.setdefault(field, []).append(
            f"- target: {{kind: ConfigMap, version: v1, name: '.*'}}\n  patch: '[{', '.join(ops)}]'\n")
    overlay = "resources: [../base]\n" + "".join(f"{f}:\n" + "".join(entries) for f, entries in lines.items())
    pod, cm = CM_POD.split("---\n")[1], CM_POD.split("---\n")[0]
    root = write_tree(tmp_path_factory.mktemp("jp"), {
        "base/kustomization.yaml": base, "base/pod.yaml": pod, "base/cm.yaml": cm,
        "overlay/kustomization.yaml": overlay,
    })
    _assert_same_as_kubectl(root, "overlay")


def test_cli_exit_2_naming_the_file_where_kubectl_fails(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "ns.yaml": NS,
        "kustomization.yaml": "resources: [ns.yaml]\n" + _patch_entry(
            "patchesJson6902", "Namespace", "x", '[{"op": "add", "path": "/metadata/annotations/a", "value": "b"}]'),
    })
    proc = subprocess.run([sys.executable, "-m", "renderer", "build", str(root)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "kustomization.yaml" in proc.stderr


# -- nulls written with no text ---------------------------------------------------------------
# kyaml keeps a null's text: a strategic merge that leaves a field alone drops `key:` (no
# text) but keeps `key: null` / `key: ~`; lists it does not walk (no merge key) keep both.

BLANK_DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x:
    blank:
    spelled: null
    tilde: ~
    tagged: !!null
    kept: 1
  template:
    spec:
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
      tolerations:
      - key: k
        value:
      containers:
      - name: c
        image: i
        env:
        - name: A
          value:
"""


@needs_kubectl
@pytest.mark.parametrize("patch", [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  x:\n    blank: 5\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  x:\n    spelled:\n",
    None,  # no strategic merge: every null prints as null
])
def test_blank_nulls_under_a_strategic_merge(tmp_path: Path, patch: str | None) -> None:
    files = {"d.yaml": BLANK_DEPLOY, "kustomization.yaml": "resources: [d.yaml]\n"}
    if patch is not None:
        files["p.yaml"] = patch
        files["kustomization.yaml"] += "patches:\n- path: p.yaml\n"
    out = _assert_same_as_kubectl(write_tree(tmp_path, files))
    assert ("blank: null" in out) == (patch is None)


@needs_kubectl
def test_blank_nulls_gone_after_a_json_patch_round_trip(tmp_path: Path) -> None:
    # kustomize re-reads a JSON-patched resource from JSON: every null then reads `null`
    root = write_tree(tmp_path, {
        "d.yaml": BLANK_DEPLOY,
        "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n",
        "kustomization.yaml": (
            "resources: [d.yaml]\npatches:\n"
            "- target: {kind: Deployment}\n  patch: '[{\"op\": \"add\", \"path\": \"/spec/paused\", \"value\": true}]'\n"
            "- path: p.yaml\n"
        ),
    })
    assert "blank: null" in _assert_same_as_kubectl(root)


@needs_kubectl
def test_blank_nulls_through_anchors_and_merge_keys(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
            "spec:\n  base: &b\n    a:\n    b: null\n  merged:\n    <<: *b\n    c:\n    b:\n  alias: *b\n"
        ),
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n",
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- path: p.yaml\n",
    })
    _assert_same_as_kubectl(root)


_NULL_SPELLINGS = st.sampled_from(["", " null", " ~", " Null", " NULL", " !!null", " !!null ''", " 0", " ''"])


@needs_kubectl
@settings(max_examples=20, deadline=None)
@given(st.lists(_NULL_SPELLINGS, min_size=1, max_size=5), st.lists(st.booleans(), min_size=5, max_size=5))
def test_null_spellings_under_merge_match_kubectl(
    tmp_path_factory: pytest.TempPathFactory, spellings: list[str], touched: list[bool],
) -> None:
    """Differential: fields written with each spelling of null (or not null), some of them
    set by the patch, merged by a strategic-merge patch: the same output as kubectl."""
    fields = "".join(f"    f{i}:{text}\n" for i, text in enumerate(spellings))
    patched = "".join(f"    f{i}: v\n" for i in range(len(spellings)) if touched[i])
    root = write_tree(tmp_path_factory.mktemp("nulls"), {
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nspec:\n  m:\n{fields}",
        "p.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nspec:\n  m:\n{patched or '    other: x'}\n",
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- path: p.yaml\n",
    })
    _assert_same_as_kubectl(root)


# -- empty kustomizations -----------------------------------------------------------------------
# kustomize's CheckEmpty: after folding the deprecated fields, everything but kind/apiVersion
# holds Go's zero value (null and "" are zero; an empty list or map is not).

@needs_kubectl
@pytest.mark.parametrize("text", [
    "kind: Kustomization\n", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    "{}\n", "null\n", "kind: Component\n", "kind: Foo\n", "namePrefix: ''\n", "namePrefix: null\n",
    "NAMEPREFIX: ''\n", "bases: []\n", "imageTags: []\n", "helmChartInflationGenerator: []\n",
    "sortOptions: null\n",
    # not empty
    "resources: []\n", "metadata: {}\n", "commonLabels: {}\n", "images: []\n", "openapi: {}\n",
    "namePrefix: a-\n", "kind: Kustomization\nmetadata:\n  name: x\n",
])
def test_empty_kustomization_as_kubectl(tmp_path: Path, text: str) -> None:
    root = write_tree(tmp_path, {"kustomization.yaml": text})
    _assert_same_as_kubectl(root)


@pytest.mark.parametrize("text", ["kind: Kustomization\n", "bases: []\n", "{}\n"])
def test_empty_kustomization_error_names_the_file(tmp_path: Path, text: str) -> None:
    root = write_tree(tmp_path, {"sub/kustomization.yaml": text, "kustomization.yaml": "resources: [sub]\n"})
    with pytest.raises(InputError) as info:
        _build(root)
    assert "is empty" in str(info.value) and info.value.file == "sub/kustomization.yaml"


# -- folded scalars through kyaml's round trip ------------------------------------------------
# kustomize turns a resource into JSON by writing its YAML with go-yaml v3 (a folded scalar
# stays folded) and reading it back. The writer adds an empty line before a more-indented line
# when the value starts with a non-blank; it cannot write a block scalar holding a space right
# before a line break (nor a trailing space, nor characters beyond the BMP) and quotes those.

_FOLDED_LINE = st.tuples(
    st.sampled_from(["", "", "  ", "    "]),  # more-indented or not
    st.text(alphabet="ab, é", max_size=6),
    st.sampled_from(["", "", " ", "\t", "  "]),  # trailing blanks
)


def _folded_block(lines: list[tuple[str, str, str]], chomp: str) -> str:
    body = "".join(f"    {lead}{text}{tail}\n" if (lead or text or tail) else "\n" for lead, text, tail in lines)
    return f">2{chomp}\n{body}"


@needs_kubectl
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.lists(_FOLDED_LINE, min_size=1, max_size=5), st.sampled_from(["", "-", "+"])),
                min_size=1, max_size=4))
def test_folded_scalars_match_kubectl(tmp_path_factory: pytest.TempPathFactory,
                                      blocks: list[tuple[list[tuple[str, str, str]], str]]) -> None:
    """Differential: folded scalars of any shape (empty and more-indented lines, trailing
    blanks, keep/strip/clip chomping), as map values and in a list, against kubectl."""
    data = "".join(f"  k{i}: {_folded_block(lines, chomp)}" for i, (lines, chomp) in enumerate(blocks))
    items = "".join(f"  - {_folded_block(lines, chomp)}".replace("\n    ", "\n      ")
                    for lines, chomp in blocks)
    root = write_tree(tmp_path_factory.mktemp("folded"), {
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n{data}list:\n{items}",
        "kustomization.yaml": "resources: [cm.yaml]\n",
    })
    _assert_same_as_kubectl(root)


@needs_kubectl
@pytest.mark.parametrize("value", [
    ">-\n    x, \n      y\n",  # a space before the break: written double-quoted, unchanged
    ">-\n    x,\n      y\n",  # an empty line appears before the more-indented line
    ">-\n    x,\t\n      y\n",
    ">-\n\n    abc\n",
    ">+\n    a\n      b\n\n\n",
    ">-\n    \U0001F600\n      y\n",  # beyond the BMP: quoted, unchanged
])
def test_folded_scalar_round_trip_cases(tmp_path: Path, value: str) -> None:
    root = write_tree(tmp_path, {
        "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: {value}",
        "kustomization.yaml": "resources: [cm.yaml]\n",
    })
    _assert_same_as_kubectl(root)


@needs_kubectl
def test_folded_scalar_in_a_json_patch_is_read_once(tmp_path: Path) -> None:
    # a JSON patch is YAML read by go-yaml v2 into JSON: no v3 round trip for its values
    root = write_tree(tmp_path, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n",
        "kustomization.yaml": (
            "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |\n"
            "    - op: add\n      path: /data/b\n      value: >-\n        x,\n          y\n"
        ),
    })
    assert "b: |-\n    x,\n      y\n" in _assert_same_as_kubectl(root)


# -- which kinds are cluster-scoped ------------------------------------------------------------

@needs_kubectl
def test_scope_table_is_kubectls(tmp_path: Path) -> None:
    """Every kind of sluice's scope table, and kinds kubectl's kustomize (v5.8.1) does not list
    (ValidatingAdmissionPolicy became cluster-scoped only after it), under `namespace:`: the
    namespace lands exactly where kubectl puts it."""
    import json

    from renderer.core.resource import _scope_table

    cluster, namespaced = _scope_table()
    kinds = sorted(cluster | namespaced | {
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"),
        ("example.com/v1", "Namespace"), ("v2", "Namespace"), ("example.com/v1", "Widget"),
    })
    docs = "---\n".join(
        json.dumps({"apiVersion": api, "kind": kind, "metadata": {"name": f"r{i}"}}) + "\n"
        for i, (api, kind) in enumerate(kinds))
    root = write_tree(tmp_path, {"all.yaml": docs, "kustomization.yaml": "namespace: ns1\nresources: [all.yaml]\n"})
    _assert_same_as_kubectl(root)
