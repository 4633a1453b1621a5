"""Unit tests of kustomize pieces that the oracle cases exercise only indirectly."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderer.core.fs import RepoFS
from renderer.kustomize import Builder
from renderer.kustomize.generators import content_hash, encode_base64, go_json
from renderer.kustomize.selectors import parse_label_selector
from renderer.kustomize.transformers import split_image

BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: settings
"""


def _fleet(root: Path, overlays: int) -> None:
    (root / "base").mkdir(parents=True)
    (root / "base" / "deploy.yaml").write_text(BASE)
    (root / "base" / "kustomization.yaml").write_text(
        "resources: [deploy.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [A=1]\n"
    )
    for i in range(overlays):
        d = root / "overlays" / f"o{i}"
        d.mkdir(parents=True)
        (d / "kustomization.yaml").write_text(
            f"resources: [../../base]\nnamePrefix: o{i}-\nimages:\n- name: nginx\n  newTag: '1.{i}'\n"
        )


def test_a_shared_base_is_built_once_per_render(tmp_path: Path) -> None:
    _fleet(tmp_path, 5)
    shared = Builder(RepoFS(tmp_path))
    together = [shared.build(f"overlays/o{i}") for i in range(5)]
    assert shared.builds == 6, "the base once, each overlay once"
    for i, output in enumerate(together):
        alone = Builder(RepoFS(tmp_path)).build(f"overlays/o{i}")
        assert output == alone, "sharing the base changes nothing"
    names = [doc["metadata"]["name"] for doc in together[3]]
    assert names[1] == "o3-web" and names[0].startswith("o3-settings-")
    assert together[3][1]["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] == names[0]
    assert together[0][1]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.0"


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("nginx", "", "")),
        ("nginx:1.25", ("nginx", "1.25", "")),
        ("registry.example.com:5000/team/app:v1", ("registry.example.com:5000/team/app", "v1", "")),
        ("registry.example.com:5000/team/app", ("registry.example.com:5000/team/app", "", "")),
        ("app@sha256:abc", ("app", "", "sha256:abc")),
        ("app:v1@sha256:abc", ("app", "v1", "sha256:abc")),
    ],
)
def test_split_image(image: str, parts: tuple[str, str, str]) -> None:
    assert split_image(image) == parts


def test_generator_hash_matches_kustomize() -> None:
    # recorded from kubectl kustomize (conformance case inlinetransformer__TestInlineGenerator)
    body = {"kind": "ConfigMap", "data": {"FRUIT": "apple", "VEGETABLE": "carrot"}}
    assert content_hash(body) == "kfd8tf729k"


def test_go_json_escapes_like_go() -> None:
    assert go_json({"b": "<&>", "a": "é\u2028"}) == '{"a":"é\\u2028","b":"\\u003c\\u0026\\u003e"}'


def test_base64_wraps_at_70_like_kyaml() -> None:
    assert encode_base64(b"x" * 10) == "eHh4eHh4eHh4eA=="
    wrapped = encode_base64(b"x" * 60)
    assert wrapped.endswith("\n") and all(len(line) <= 70 for line in wrapped.splitlines())


LABELS = st.dictionaries(st.sampled_from(["app", "tier", "env", "team"]), st.sampled_from(["a", "b", "c"]), max_size=4)


@given(LABELS, st.sampled_from(["app", "tier", "env"]), st.sampled_from(["a", "b"]))
def test_label_selector_equality_and_negation_are_complements(labels: dict[str, str], key: str, value: str) -> None:
    (eq,) = parse_label_selector(f"{key}={value}")
    (ne,) = parse_label_selector(f"{key}!={value}")
    assert eq(labels) != ne(labels)
    (exists,) = parse_label_selector(key)
    (absent,) = parse_label_selector(f"!{key}")
    assert exists(labels) != absent(labels)


@given(LABELS, st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True))
def test_label_selector_in_and_notin_are_complements(labels: dict[str, str], values: list[str]) -> None:
    joined = ",".join(values)
    (inside,) = parse_label_selector(f"env in ({joined})")
    (outside,) = parse_label_selector(f"env notin ({joined})")
    assert inside(labels) != outside(labels)
    assert inside(labels) == (labels.get("env") in values)


def test_label_selector_conjunction() -> None:
    reqs = parse_label_selector("app=web, tier in (front,back),!legacy")
    assert all(r({"app": "web", "tier": "front"}) for r in reqs)
    assert not all(r({"app": "web", "tier": "front", "legacy": "1"}) for r in reqs)
