"""The substring tests that decide which files discovery parses at all.

Discovery reads every YAML file of a repository but parses only those passing one of
these tests. They are named so that the hook's plan cache (verify/plancache.py) can apply
them again to an edited file: while every test still fails on it, the plan cannot depend
on its content.
"""
from __future__ import annotations

from typing import Callable

ARGO = "argoproj"
FLUX_INSTANCE = "flux-instance"
FLUX_KUSTOMIZATION = "flux-kustomization"
CRD = "crd"
APP_PROJECT = "appproject"


def _argo(text: str) -> bool:
    return "argoproj.io" in text


def _flux_instance(text: str) -> bool:
    return "sync" in text and ("FluxInstance" in text or "flux-instance" in text)


def _flux_kustomization(text: str) -> bool:
    return "kustomize.toolkit.fluxcd.io" in text


def _crd(text: str) -> bool:
    return "CustomResourceDefinition" in text


def _app_project(text: str) -> bool:
    return "AppProject" in text


SCREENS: dict[str, Callable[[str], bool]] = {
    ARGO: _argo,
    FLUX_INSTANCE: _flux_instance,
    FLUX_KUSTOMIZATION: _flux_kustomization,
    CRD: _crd,
    APP_PROJECT: _app_project,
}
