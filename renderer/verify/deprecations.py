"""Removed and deprecated Kubernetes APIs, judged against each target cluster's version.

The table is written from the Kubernetes deprecated API migration guide: for each
(group/version, kind), the release that deprecated it (where the guide says), the release
that stopped serving it, and what to use instead, as pluto reports them. An API removed at
or before the cluster's version is an error (the API server refuses it); one deprecated but
still served there is a warning.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Deprecation:
    api_version: str
    kind: str
    removed_in: str  # "1.22"
    replacement: str  # "networking.k8s.io/v1" or a sentence when there is none
    deprecated_in: str | None = None


def _rows(api_versions: tuple[str, ...], kinds: tuple[str, ...], removed: str, replacement: str,
          deprecated: str | None = None) -> list[Deprecation]:
    return [Deprecation(a, k, removed, replacement, deprecated) for a in api_versions for k in kinds]


TABLE: tuple[Deprecation, ...] = tuple([
    # 1.16
    *_rows(("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"), ("Deployment", "ReplicaSet"), "1.16", "apps/v1", "1.9"),
    *_rows(("extensions/v1beta1", "apps/v1beta2"), ("DaemonSet",), "1.16", "apps/v1", "1.9"),
    *_rows(("apps/v1beta1", "apps/v1beta2"), ("StatefulSet",), "1.16", "apps/v1", "1.9"),
    *_rows(("extensions/v1beta1",), ("NetworkPolicy",), "1.16", "networking.k8s.io/v1", "1.9"),
    *_rows(("extensions/v1beta1",), ("PodSecurityPolicy",), "1.16", "policy/v1beta1 (itself removed in 1.25)", "1.10"),
    # 1.22
    *_rows(("admissionregistration.k8s.io/v1beta1",), ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), "1.22", "admissionregistration.k8s.io/v1", "1.16"),
    *_rows(("apiextensions.k8s.io/v1beta1",), ("CustomResourceDefinition",), "1.22", "apiextensions.k8s.io/v1", "1.16"),
    *_rows(("apiregistration.k8s.io/v1beta1",), ("APIService",), "1.22", "apiregistration.k8s.io/v1", "1.19"),
    *_rows(("authentication.k8s.io/v1beta1",), ("TokenReview",), "1.22", "authentication.k8s.io/v1", "1.19"),
    *_rows(("authorization.k8s.io/v1beta1",), ("SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"), "1.22", "authorization.k8s.io/v1", "1.19"),
    *_rows(("certificates.k8s.io/v1beta1",), ("CertificateSigningRequest",), "1.22", "certificates.k8s.io/v1", "1.19"),
    *_rows(("coordination.k8s.io/v1beta1",), ("Lease",), "1.22", "coordination.k8s.io/v1", "1.19"),
    *_rows(("extensions/v1beta1", "networking.k8s.io/v1beta1"), ("Ingress",), "1.22", "networking.k8s.io/v1", "1.19"),
    *_rows(("networking.k8s.io/v1beta1",), ("IngressClass",), "1.22", "networking.k8s.io/v1", "1.19"),
    *_rows(("rbac.authorization.k8s.io/v1beta1",), ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"), "1.22", "rbac.authorization.k8s.io/v1", "1.17"),
    *_rows(("scheduling.k8s.io/v1beta1",), ("PriorityClass",), "1.22", "scheduling.k8s.io/v1", "1.14"),
    *_rows(("storage.k8s.io/v1beta1",), ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"), "1.22", "storage.k8s.io/v1", "1.19"),
    # 1.25
    *_rows(("batch/v1beta1",), ("CronJob",), "1.25", "batch/v1", "1.21"),
    *_rows(("discovery.k8s.io/v1beta1",), ("EndpointSlice",), "1.25", "discovery.k8s.io/v1", "1.21"),
    *_rows(("events.k8s.io/v1beta1",), ("Event",), "1.25", "events.k8s.io/v1", "1.19"),
    *_rows(("autoscaling/v2beta1",), ("HorizontalPodAutoscaler",), "1.25", "autoscaling/v2", "1.22"),
    *_rows(("policy/v1beta1",), ("PodDisruptionBudget",), "1.25", "policy/v1", "1.21"),
    *_rows(("policy/v1beta1",), ("PodSecurityPolicy",), "1.25", "none: use Pod Security Admission or a third-party admission webhook", "1.21"),
    *_rows(("node.k8s.io/v1beta1",), ("RuntimeClass",), "1.25", "node.k8s.io/v1", "1.20"),
    # 1.26
    *_rows(("flowcontrol.apiserver.k8s.io/v1beta1",), ("FlowSchema", "PriorityLevelConfiguration"), "1.26", "flowcontrol.apiserver.k8s.io/v1 (v1beta3 before 1.29)", "1.23"),
    *_rows(("autoscaling/v2beta2",), ("HorizontalPodAutoscaler",), "1.26", "autoscaling/v2", "1.23"),
    # 1.27
    *_rows(("storage.k8s.io/v1beta1",), ("CSIStorageCapacity",), "1.27", "storage.k8s.io/v1", "1.24"),
    # 1.29
    *_rows(("flowcontrol.apiserver.k8s.io/v1beta2",), ("FlowSchema", "PriorityLevelConfiguration"), "1.29", "flowcontrol.apiserver.k8s.io/v1", "1.26"),
    # 1.32
    *_rows(("flowcontrol.apiserver.k8s.io/v1beta3",), ("FlowSchema", "PriorityLevelConfiguration"), "1.32", "flowcontrol.apiserver.k8s.io/v1", "1.29"),
])
_INDEX = {(d.api_version, d.kind): d for d in TABLE}


def _minor(version: str) -> tuple[int, int]:
    parts = version.lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1].split("-")[0].split("+")[0]) if len(parts) > 1 else 0
    except ValueError:
        return (0, 0)


def judge(api_version: str, kind: str, cluster_version: str) -> tuple[str, str] | None:
    """("error"|"warning", message) for a removed or deprecated API on that cluster, else None."""
    entry = _INDEX.get((api_version, kind))
    if entry is None:
        return None
    target = _minor(cluster_version)
    if target >= _minor(entry.removed_in):
        return "error", (f"{kind} {api_version} was removed in Kubernetes {entry.removed_in} and this cluster runs "
                         f"{cluster_version}: use {entry.replacement}")
    if entry.deprecated_in is not None and target >= _minor(entry.deprecated_in):
        return "warning", (f"{kind} {api_version} is deprecated since Kubernetes {entry.deprecated_in} and removed in "
                           f"{entry.removed_in} (this cluster runs {cluster_version}): use {entry.replacement}")
    return None
