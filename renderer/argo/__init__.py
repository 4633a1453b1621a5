"""Argo CD Application sources: what to render for a source (directory, kustomize options, Helm, overrides)."""
