"""HelmRelease values, composed as helm-controller and source-controller compose them."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from renderer.core.errors import InputError
from renderer.helm.strvals import StrvalsError, parse
from renderer.helm.values import compose_values, merge_maps, secret_data, values_files, values_files_defaults


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def cm(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "apps"}, "data": data}


def secret(name: str, data: dict[str, str] | None = None, string_data: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "apps"}}
    if data is not None:
        out["data"] = {k: b64(v) for k, v in data.items()}
    if string_data is not None:
        out["stringData"] = string_data
    return out


OBJECTS = [
    cm("base", **{"values.yaml": "replicas: 2\nimage: {repository: nginx, tag: '1.0'}\nlist: [a, b, c]\n",
                  "other.yaml": "replicas: 3\nlist: [z]\n", "tag": "1.2.3", "num": "42", "quoted": "'42'",
                  "bool": "true", "csv": "a,b={c}", "json": "{x,y}"}),
    secret("creds", data={"values.yaml": "password: from-data\nuser: admin\n", "token": "s3cr3t"},
           string_data={"values.yaml": "password: from-stringData\n"}),
    secret("only-data", data={"values.yaml": "db: {host: h}\n"}),
]


def resolver(kind: str, ns: str, name: str) -> dict[str, Any] | None:
    for obj in OBJECTS:
        if obj["kind"] == kind and obj["metadata"]["name"] == name and obj["metadata"]["namespace"] == ns:
            return obj
    return None


def hr(values_from: list[dict[str, Any]] | None = None, values: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"chart": {"spec": {"chart": "c", "sourceRef": {"kind": "GitRepository", "name": "r"}}}}
    if values_from is not None:
        spec["valuesFrom"] = values_from
    if values is not None:
        spec["values"] = values
    return {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "apps"}, "spec": spec}


CM = {"kind": "ConfigMap", "name": "base"}
TABLE = [
    ("spec.values only", None, {"a": 1}, {"a": 1}),
    ("valuesKey defaults to values.yaml", [CM], None,
     {"replicas": 2, "image": {"repository": "nginx", "tag": "1.0"}, "list": ["a", "b", "c"]}),
    ("later reference wins, lists replaced", [CM, dict(CM, valuesKey="other.yaml")], None,
     {"replicas": 3, "image": {"repository": "nginx", "tag": "1.0"}, "list": ["z"]}),
    ("spec.values last, maps merged, lists replaced", [CM], {"image": {"tag": "2.0"}, "list": []},
     {"replicas": 2, "image": {"repository": "nginx", "tag": "2.0"}, "list": []}),
    ("null kept for Helm to delete the default", [CM], {"image": None}, {"replicas": 2, "image": None, "list": ["a", "b", "c"]}),
    ("targetPath into a map", [CM, dict(CM, valuesKey="tag", targetPath="image.tag")], None,
     {"replicas": 2, "image": {"repository": "nginx", "tag": "1.2.3"}, "list": ["a", "b", "c"]}),
    ("targetPath typed like --set", [dict(CM, valuesKey="num", targetPath="n"), dict(CM, valuesKey="bool", targetPath="b")],
     None, {"n": 42, "b": True}),
    ("targetPath quoted value stays a string", [dict(CM, valuesKey="quoted", targetPath="n")], None, {"n": "42"}),
    ("targetPath list index into an existing list", [CM, dict(CM, valuesKey="tag", targetPath="list[1]")], None,
     {"replicas": 2, "image": {"repository": "nginx", "tag": "1.0"}, "list": ["a", "1.2.3", "c"]}),
    ("targetPath list index past the end pads with null", [dict(CM, valuesKey="tag", targetPath="l[2].v")], None,
     {"l": [None, None, {"v": "1.2.3"}]}),
    ("targetPath escaped dots", [dict(CM, valuesKey="tag", targetPath=r"podAnnotations.example\.com/tag")], None,
     {"podAnnotations": {"example.com/tag": "1.2.3"}}),
    ("targetPath --set syntax in the value", [dict(CM, valuesKey="json", targetPath="l")], None, {"l": ["x", "y"]}),
    ("targetPath literal keeps the value verbatim", [dict(CM, valuesKey="csv", targetPath="s", literal=True)], None,
     {"s": "a,b={c}"}),
    ("Secret: base64 data with stringData over it", [{"kind": "Secret", "name": "creds"}], None,
     {"password": "from-stringData"}),
    ("Secret: data only", [{"kind": "Secret", "name": "only-data"}], None, {"db": {"host": "h"}}),
    ("Secret key with targetPath", [{"kind": "Secret", "name": "creds", "valuesKey": "token", "targetPath": "auth.token"}],
     None, {"auth": {"token": "s3cr3t"}}),
    ("optional missing object is skipped", [{"kind": "Secret", "name": "nope", "optional": True}], {"a": 1}, {"a": 1}),
    ("optional missing key is skipped", [dict(CM, valuesKey="nope", optional=True)], {"a": 1}, {"a": 1}),
    # helm-controller merges spec.values into the result before each targetPath write and
    # shares nested maps: a write inside a map that came from spec.values sticks ...
    ("targetPath inside a spec.values map wins (as in helm-controller)",
     [dict(CM, valuesKey="tag", targetPath="image.tag")], {"image": {"tag": "v"}}, {"image": {"tag": "1.2.3"}}),
    # ... while a top-level key of spec.values is set again at the end
    ("top-level spec.values key beats targetPath", [dict(CM, valuesKey="tag", targetPath="tag")], {"tag": "v"}, {"tag": "v"}),
]


@pytest.mark.parametrize("values_from,values,expected", [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_compose_values(values_from: Any, values: Any, expected: dict[str, Any]) -> None:
    release = hr(values_from, values)
    before = repr(release)
    assert compose_values(release, resolver) == expected
    assert repr(release) == before  # the HelmRelease itself is not modified


@pytest.mark.parametrize("ref,reason", [
    ({"kind": "ConfigMap", "name": "nope"}, "resource not found"),
    ({"kind": "Secret", "name": "creds", "valuesKey": "nope"}, "key not found"),
    ({"kind": "Deployment", "name": "x"}, "unsupported values reference kind"),
])
def test_missing_reference_names_release_and_reference(ref: dict[str, Any], reason: str) -> None:
    with pytest.raises(InputError) as err:
        compose_values(hr([ref]), resolver, file="apps/web.yaml")
    msg = str(err.value)
    assert msg.startswith("apps/web.yaml: HelmRelease apps/web:")
    assert f"'apps/{ref['name']}'" in msg and reason in msg


def test_bad_values_data_is_an_error_even_when_optional() -> None:
    OBJECTS.append(cm("broken", **{"values.yaml": "- a list\n"}))
    try:
        with pytest.raises(InputError, match="failed to read values data"):
            compose_values(hr([{"kind": "ConfigMap", "name": "broken", "optional": True}]), resolver)
    finally:
        OBJECTS.pop()


def test_secret_data_rules() -> None:
    data = secret_data({"data": {"a": b64("1"), "b": b64("2")}, "stringData": {"b": "3", "c": "4"}}, "s")
    assert data == {"a": b"1", "b": b"3", "c": b"4"}
    with pytest.raises(InputError, match="base64"):
        secret_data({"data": {"a": "!!!"}}, "s")


def test_merge_maps_is_flux_mergemaps() -> None:
    assert merge_maps({"a": {"x": 1, "l": [1]}, "b": 1}, {"a": {"y": 2, "l": [2]}, "b": {"c": 1}}) == {
        "a": {"x": 1, "y": 2, "l": [2]}, "b": {"c": 1}}
    assert merge_maps({"a": {"x": 1}}, {"a": None}) == {"a": None}


# -- valuesFiles (source-controller) -----------------------------------------------------

FILES = {
    "charts/c/values.yaml": "a: 1\nb: {x: 1}\nl: [1, 2]\n",
    "envs/prod.yaml": "b: {w: 2}\nl: [3]\n",
    "envs/legacy.yaml": "a: 0\nlegacy: true\n",
}


def read(path: str) -> str | None:
    return FILES.get(path)


def test_values_files_replace_chart_values() -> None:
    assert values_files_defaults(["envs/prod.yaml"], read) == {"b": {"w": 2}, "l": [3]}
    assert values_files_defaults(["charts/c/values.yaml", "envs/prod.yaml"], read) == {"a": 1, "b": {"x": 1, "w": 2}, "l": [3]}


def test_values_files_only_values_yaml_keeps_the_chart() -> None:
    assert values_files_defaults(["values.yaml"], read) is None
    assert values_files_defaults([], read) is None


def test_values_files_remote_chart_values_yaml_is_the_charts() -> None:
    chart_values = lambda: {"a": 1, "l": [1]}  # noqa: E731
    assert values_files_defaults(["values.yaml", "envs/prod.yaml"], read, chart_values=chart_values) == {
        "a": 1, "b": {"w": 2}, "l": [3]}


def test_deprecated_values_file_comes_first() -> None:
    spec = {"valuesFile": "envs/legacy.yaml", "valuesFiles": ["charts/c/values.yaml"]}
    assert values_files(spec) == ["envs/legacy.yaml", "charts/c/values.yaml"]
    assert values_files_defaults(values_files(spec), read)["a"] == 1  # type: ignore[index]


def test_missing_values_files() -> None:
    with pytest.raises(InputError, match="no values file found at path 'envs/nope.yaml'"):
        values_files_defaults(["envs/nope.yaml", "envs/prod.yaml"], read, label="HelmRelease apps/web")
    assert values_files_defaults(["envs/nope.yaml", "envs/prod.yaml"], read, ignore_missing=True) == {"b": {"w": 2}, "l": [3]}


# -- strvals parity with Helm's own parser (through the SDK) ---------------------------

EXPRESSIONS = [
    "a=1", "a.b=c", "a.b[0]=x,a.b[2]=z", r"a\.b=1", "a={1,two,true}", "a[0][1]=x", "a[0].b.c=d",
    "name=007", "name=0", "n=-12", "f=1.5", "t=TRUE,u=Null", "e=", "a.b=1,a.c=2", r"x=a\,b",
]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_strvals_matches_helm(expr: str) -> None:
    helm_python = pytest.importorskip("helm_python")
    assert parse(expr) == helm_python.parse_set_string(expr)
    assert parse(expr, as_string=True) == helm_python.parse_set_string_values(expr)


def test_strvals_errors() -> None:
    with pytest.raises(StrvalsError):
        parse("a[x]=1")
    with pytest.raises(StrvalsError):
        parse("a,b=1")


@pytest.mark.parametrize("text", ["b: {y: 2, on: 1, yes: x}\nd: 2024-01-01\nn: 0777\n", "", "a: 1e3\nb: 0x1F\nc: ~\n"])
def test_read_values_reads_as_helm_does(text: str) -> None:
    from renderer.helm.values import read_values

    helm_python = pytest.importorskip("helm_python")
    assert read_values(text, "v") == helm_python.values_from_yaml(text)
