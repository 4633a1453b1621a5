"""Regenerate renderer/data/cluster_scoped.json from a kustomize source checkout.

Kustomize decides whether a kind is cluster-scoped from a table keyed by the exact
apiVersion and kind (a `Namespace` of another group is namespaced). This script copies
that table: which entries are cluster-scoped and which namespaced (a kind in neither is
unknown to kustomize's builtin schema, which matters for when it loads that schema).

Take the table from the kyaml release that kubectl's kustomize uses (kubectl 1.37: kustomize
v5.8.1, kyaml v0.21.1), not from a newer checkout: a kind added later (ValidatingAdmissionPolicy
became cluster-scoped after v5.8.1) is namespaced to the kubectl sluice follows.

Usage: python tools/extract_cluster_scoped.py KUSTOMIZE_SRC > renderer/data/cluster_scoped.json
       (KUSTOMIZE_SRC: a checkout of the tag kyaml/v0.21.1)
"""
from __future__ import annotations

import json
import pathlib
import re
import sys


def main(src: str) -> None:
    text = (pathlib.Path(src) / "kyaml/openapi/openapi.go").read_text()
    entries = re.findall(r'\{APIVersion: "([^"]+)", Kind: "([^"]+)"\}:\s*(true|false)', text)
    table = {
        "clusterScoped": sorted([a, k] for a, k, ns in entries if ns == "false"),
        "namespaced": sorted([a, k] for a, k, ns in entries if ns == "true"),
    }
    print(json.dumps(table, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
