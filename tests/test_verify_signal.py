"""verify as signal: removed APIs per cluster version, --skip-kinds, --schema-location,
vendored CRD schemas, unknown kinds once per kind, findings with file and line."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from renderer.core.errors import InputError
from renderer.verify import verify_repo
from renderer.verify.catalog import SchemaCatalog, vendored
from renderer.verify.deprecations import judge

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "verify" / "schemas"


def test_removed_api_is_judged_against_the_cluster_version() -> None:
    assert judge("extensions/v1beta1", "Ingress", "1.21.0") == ("warning", "Ingress extensions/v1beta1 is deprecated since Kubernetes 1.19 and removed in 1.22 (this cluster runs 1.21.0): use networking.k8s.io/v1")
    severity, message = judge("extensions/v1beta1", "Ingress", "1.30") or ("", "")
    assert severity == "error" and "removed in Kubernetes 1.22" in message and "networking.k8s.io/v1" in message
    assert judge("batch/v1beta1", "CronJob", "1.20") is None
    assert judge("apps/v1", "Deployment", "1.35") is None


def test_vendored_catalog_covers_the_gitops_crds() -> None:
    keys = set(vendored())
    for key in ("argoproj.io/v1alpha1/application", "kustomize.toolkit.fluxcd.io/v1/kustomization", "helm.toolkit.fluxcd.io/v2/helmrelease",
                "cert-manager.io/v1/certificate", "monitoring.coreos.com/v1/servicemonitor", "gateway.networking.k8s.io/v1/httproute",
                "external-secrets.io/v1/externalsecret", "kyverno.io/v1/clusterpolicy", "networking.istio.io/v1/virtualservice"):
        assert key in keys, key
    assert (Path(__file__).resolve().parent.parent / "renderer" / "verify" / "data" / "crd-schemas.LICENSE").is_file()


def test_schema_location_refuses_urls() -> None:
    with pytest.raises(InputError, match="offline"):
        SchemaCatalog(["https://example.invalid/{{.Group}}.json"])


def test_skip_kinds_schema_location_and_one_warning_per_unknown_kind(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    (repo / "deploy" / "more.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: second, namespace: app}\n"
        "---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: old, namespace: app}\n", encoding="utf-8")
    kustomization = repo / "deploy" / "kustomization.yaml"
    if kustomization.exists():
        kustomization.write_text(kustomization.read_text() + "- more.yaml\n", encoding="utf-8")
    result = verify_repo(repo)
    gadgets = [f for f in result.findings if "Gadget" in f.message]
    assert len(gadgets) == 1 and "2 resource(s) in 1 app(s)" in gadgets[0].message
    removed = [f for f in result.findings if f.check == "api"]
    assert len(removed) == 1 and removed[0].severity == "error" and removed[0].file == "deploy/more.yaml" and removed[0].line == 5
    assert all(f.line > 0 for f in result.findings)
    skipped = verify_repo(repo, skip_kinds=["Gadget", "apps/v1/Deployment"])
    assert not any("Gadget" in f.message or f.resource.startswith("Deployment") for f in skipped.findings)
    schemas = tmp_path / "schemas"
    (schemas / "example.com").mkdir(parents=True)
    (schemas / "example.com" / "gadget_v1.json").write_text(json.dumps(
        {"type": "object", "properties": {"spec": {"type": "object", "required": ["size"]}}}), encoding="utf-8")
    located = verify_repo(repo, schema_locations=[str(schemas)])
    assert not any("unknown kind Gadget" in f.message for f in located.findings)
