"""Helm charts and Flux HelmReleases, rendered offline with the real Helm (see engine.py)."""
