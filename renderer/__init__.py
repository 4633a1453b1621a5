"""sluice: offline, deterministic GitOps rendering.

The package is a pure core (load, build, render) under a thin CLI; see README.md.
"""
from __future__ import annotations

__version__ = "0.1.0"
