"""Argo CD cluster Secrets: the clusters a fleet deploys to, as Argo CD declares them
(`argocd.argoproj.io/secret-type: cluster`, `name` and `server` in data or stringData), and
the capabilities sluice reads from their annotations."""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from ..core.errors import InputError

IN_CLUSTER_NAME = "in-cluster"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
KUBE_VERSION_ANNOTATION = "sluice.dev/kube-version"  # on a cluster Secret: the cluster's Kubernetes version
API_VERSIONS_ANNOTATION = "sluice.dev/api-versions"  # on a cluster Secret: extra API versions it serves
_KUBE_VERSION = re.compile(r"v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.+-]*)?")


@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    server: str
    origin: str | None = None  # the Secret's file; None for the implicit in-cluster
    line: int | None = None
    kube_version: str | None = None  # annotation sluice.dev/kube-version (else sluice.yaml kubeVersion)
    api_versions: tuple[str, ...] = ()  # annotation sluice.dev/api-versions, comma-separated


def is_cluster_secret(doc: Any) -> bool:
    if not isinstance(doc, dict) or doc.get("kind") != "Secret" or doc.get("apiVersion") != "v1":
        return False
    meta = doc.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return isinstance(labels, dict) and labels.get(SECRET_TYPE_LABEL) == "cluster"


def _meta_name(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def cluster_from_secret(doc: dict[str, Any], file: str, line: int | None) -> Cluster:
    """The cluster an Argo CD cluster Secret declares (`name`, `server` in stringData or data)."""
    secret = _meta_name(doc) or "<unnamed>"
    values: dict[str, str] = {}
    data = doc.get("data") or {}
    string_data = doc.get("stringData") or {}
    if not isinstance(data, dict) or not isinstance(string_data, dict):
        raise InputError(f"cluster Secret {secret}: data and stringData must be mappings", file=file, line=line)
    for key in ("name", "server"):
        if key in data and data[key] is not None:
            try:
                values[key] = base64.b64decode(str(data[key]), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise InputError(
                    f"cluster Secret {secret}: data.{key} is not valid base64 (if the Secret is encrypted, "
                    "keep an unencrypted copy with only name and server for sluice)",
                    file=file,
                    line=line,
                ) from None
        if key in string_data and string_data[key] is not None:
            if not isinstance(string_data[key], str):  # a Secret's stringData holds strings only
                raise InputError(f"cluster Secret {secret}: stringData.{key} must be a string, not {string_data[key]!r}",
                                 file=file, line=line)
            values[key] = string_data[key]
    server = values.get("server", "").strip()
    name = values.get("name", "").strip()
    if not server:
        raise InputError(f"cluster Secret {secret}: no server (stringData.server or data.server)", file=file, line=line)
    if not name:
        raise InputError(f"cluster Secret {secret}: no cluster name (stringData.name or data.name)", file=file, line=line)
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    kube_version = annotations.get(KUBE_VERSION_ANNOTATION) if isinstance(annotations, dict) else None
    if kube_version is not None and not _KUBE_VERSION.fullmatch(str(kube_version).strip()):
        raise InputError(f"cluster Secret {secret}: annotation {KUBE_VERSION_ANNOTATION}: {kube_version!r} is not a "
                         "Kubernetes version (e.g. 1.31.4)", file=file, line=line)
    apis = str(annotations.get(API_VERSIONS_ANNOTATION) or "") if isinstance(annotations, dict) else ""
    return Cluster(name=name, server=server, origin=file, line=line,
                   kube_version=str(kube_version).strip() if kube_version is not None else None,
                   api_versions=tuple(a.strip() for a in apis.split(",") if a.strip()))
