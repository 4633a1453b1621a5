"""sluice.yaml `substitutions` / `substitutionsFile`: variables of Flux substituteFrom
objects that exist only in the cluster, supplied offline; values never printed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.fleet.substitutions import Substitutions

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_VALUE = "s3cr3t-value-0xFEED"


def _flux_repo(root: Path, config: dict | None = None) -> Path:
    sync = root / "clusters" / "prod" / "flux-system"
    sync.mkdir(parents=True)
    (sync / "gotk-sync.yaml").write_text(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n"
        "  namespace: flux-system\nspec:\n  interval: 1m\n  ref:\n    branch: main\n  url: https://git.example.com/fleet\n"
        "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n"
        "  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./clusters/prod\n  prune: true\n"
        "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    (sync / "kustomization.yaml").write_text("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                             "resources:\n- gotk-sync.yaml\n")
    (root / "clusters" / "prod" / "apps.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
        "  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n"
        "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  postBuild:\n    substituteFrom:\n"
        "    - kind: Secret\n      name: cluster-secrets\n    - kind: ConfigMap\n      name: cluster-settings\n")
    (root / "apps").mkdir()
    (root / "apps" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: default\n"
        "data:\n  domain: ${DOMAIN}\n  token: ${TOKEN}\n  zone: ${ZONE}\n")
    if config is not None:
        (root / "sluice.yaml").write_text(yaml.safe_dump(config))
    return root


def _render(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "renderer", "render", str(root), "--out", str(root / "out")],
                          capture_output=True, text=True, cwd=REPO_ROOT, check=False)


def _config_map(root: Path) -> dict:
    for manifest in (root / "out").rglob("manifest.yaml"):
        for doc in yaml.safe_load_all(manifest.read_text()):
            if doc and doc.get("kind") == "ConfigMap" and doc["metadata"]["name"] == "web":
                return doc["data"]
    raise AssertionError("ConfigMap web not rendered")


def test_without_substitutions_the_variables_stay_with_a_note(tmp_path: Path) -> None:
    root = _flux_repo(tmp_path / "r")
    result = _render(root)
    assert result.returncode == 0, result.stderr
    assert _config_map(root) == {"domain": "${DOMAIN}", "token": "${TOKEN}", "zone": "${ZONE}"}
    assert "Secret flux-system/cluster-secrets" in result.stdout + result.stderr


def test_supplied_variables_are_substituted_and_never_printed(tmp_path: Path) -> None:
    root = _flux_repo(tmp_path / "r", {"substitutions": {
        "prod": {"Secret/flux-system/cluster-secrets": {"DOMAIN": "example.com", "TOKEN": SECRET_VALUE}},
        "*": {"ConfigMap/flux-system/cluster-settings": {"ZONE": 3},
              "Secret/flux-system/cluster-secrets": {"DOMAIN": "wrong.example.com"}}}})
    result = _render(root)
    assert result.returncode == 0, result.stderr
    assert _config_map(root) == {"domain": "example.com", "token": SECRET_VALUE, "zone": 3}  # types resolved again, as Flux does
    assert SECRET_VALUE not in result.stdout + result.stderr
    assert "only in the cluster" not in result.stdout + result.stderr


def test_a_substitutions_file_wins_over_sluice_yaml(tmp_path: Path) -> None:
    root = _flux_repo(tmp_path / "r", {"substitutionsFile": "local/vars.yaml", "substitutions": {
        "prod": {"Secret/flux-system/cluster-secrets": {"DOMAIN": "a.example.com", "TOKEN": "x"}}}})
    (root / "local").mkdir()
    (root / "local" / "vars.yaml").write_text(yaml.safe_dump({"prod": {
        "Secret/flux-system/cluster-secrets": {"DOMAIN": "b.example.com", "TOKEN": SECRET_VALUE},
        "ConfigMap/flux-system/cluster-settings": {"ZONE": "z"}}}))
    assert _render(root).returncode == 0
    assert _config_map(root) == {"domain": "b.example.com", "token": SECRET_VALUE, "zone": "z"}


def test_bad_entries_are_exit_2_without_the_value(tmp_path: Path) -> None:
    for i, config in enumerate([
        {"substitutions": {"prod": {"Secret/flux-system/cluster-secrets": {"TOKEN": [SECRET_VALUE]}}}},
        {"substitutions": {"prod": {"Deployment/x/y": {"TOKEN": SECRET_VALUE}}}},
        {"substitutions": {"prod": {"Secret/flux-system/cluster-secrets": {"1BAD": SECRET_VALUE}}}},
        {"substitutionsFile": "../outside.yaml"},
    ]):
        root = _flux_repo(tmp_path / f"r{i}", config)
        result = _render(root)
        assert result.returncode == 2, (config, result.stderr)
        assert "sluice.yaml" in result.stderr and "Traceback" not in result.stderr
        assert SECRET_VALUE not in result.stdout + result.stderr
        assert not (root / "out").exists()
    root = _flux_repo(tmp_path / "file", {"substitutionsFile": "vars.yaml"})
    (root / "vars.yaml").write_text(yaml.safe_dump({"prod": {"Secret/flux-system/cluster-secrets": {"T": {"x": SECRET_VALUE}}}}))
    result = _render(root)
    assert result.returncode == 2 and "vars.yaml" in result.stderr and SECRET_VALUE not in result.stderr


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["*", "prod", "dev"]),
                       st.dictionaries(st.sampled_from(["Secret/ns/a", "ConfigMap/ns/a", "Secret/ns/b"]),
                                       st.dictionaries(st.sampled_from(["A", "B"]), st.text(max_size=5), max_size=2),
                                       max_size=3), max_size=3))
def test_a_cluster_entry_wins_over_star_and_reprs_hold_no_values(layer: dict) -> None:
    subs = Substitutions.from_mappings(layer)
    assert "entries" not in repr(subs)
    for cluster in ("prod", "dev", "other"):
        lookup = subs.resolver(cluster)
        for ref in ("Secret/ns/a", "ConfigMap/ns/a", "Secret/ns/b"):
            kind, ns, name = ref.split("/")
            want = (layer.get(cluster) or {}).get(ref, (layer.get("*") or {}).get(ref))
            got = lookup(kind, ns, name) if lookup else None
            if want is None:
                assert got is None
            else:
                assert got is not None and got["stringData" if kind == "Secret" else "data"] == want
