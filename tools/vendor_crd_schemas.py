"""Vendor the JSON schemas of the CRDs GitOps repositories use into `renderer/verify/data/`.

Source: a checkout of the CRDs catalog maintained by datree (MIT licence), fetched by
hand (`python tools/vendor_crd_schemas.py GIT_DIR [COMMIT]`). Descriptions are dropped
and the result is one gzip'd JSON object keyed "group/version/kind" (kind in lower case, as the catalog names its files), so that the wheel
stays small; the licence and the commit travel beside it.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# groups taken whole, and groups of which only some kinds are taken (lower-case file stems)
GROUPS = (
    "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io", "source.toolkit.fluxcd.io",
    "notification.toolkit.fluxcd.io", "image.toolkit.fluxcd.io", "fluxcd.controlplane.io",
    "cert-manager.io", "acme.cert-manager.io", "trust.cert-manager.io",
    "gateway.networking.k8s.io", "external-secrets.io", "generators.external-secrets.io",
    "networking.istio.io", "security.istio.io", "telemetry.istio.io",
    "bitnami.com", "keda.sh", "traefik.io", "grafana.integreatly.org",
)
SOME = {
    "argoproj.io": ("application", "applicationset", "appproject", "rollout", "analysistemplate"),
    "monitoring.coreos.com": ("servicemonitor", "podmonitor", "probe", "prometheusrule", "scrapeconfig", "alertmanagerconfig"),
    "kyverno.io": ("clusterpolicy", "policy", "policyexception", "cleanuppolicy", "clustercleanuppolicy"),
    "cilium.io": ("ciliumnetworkpolicy", "ciliumclusterwidenetworkpolicy", "ciliumloadbalancerippool",
                  "ciliuml2announcementpolicy", "ciliumbgpclusterconfig", "ciliumbgppeerconfig", "ciliumbgpadvertisement"),
}
OUT = Path(__file__).resolve().parent.parent / "renderer" / "verify" / "data"


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "description" or not isinstance(v, str)}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True, text=True).stdout


def main(argv: list[str]) -> int:
    repo, commit = argv[0], (argv[1] if len(argv) > 1 else "HEAD")
    commit = _git(repo, "rev-parse", commit).strip()
    schemas: dict[str, Any] = {}
    for path in sorted(_git(repo, "ls-tree", "-r", "--name-only", commit).splitlines()):
        group, _, name = path.partition("/")
        if not name.endswith(".json") or "/" in name:
            continue
        stem, _, version = name[: -len(".json")].rpartition("_")
        if group not in GROUPS and stem not in SOME.get(group, ()):
            continue
        try:
            schema = json.loads(_git(repo, "show", f"{commit}:{path}"))
        except json.JSONDecodeError:
            continue
        schemas[f"{group}/{version}/{stem}"] = _strip(schema)
    OUT.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"source": "datreeio/CRDs-catalog", "commit": commit, "schemas": schemas},
                      sort_keys=True, separators=(",", ":")).encode()
    (OUT / "crd-schemas.json.gz").write_bytes(gzip.compress(body, mtime=0))
    (OUT / "crd-schemas.LICENSE").write_text(_git(repo, "show", f"{commit}:LICENSE"), encoding="utf-8")
    print(f"{len(schemas)} schemas, {len(body)} bytes, {(OUT / 'crd-schemas.json.gz').stat().st_size} gzip'd")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
