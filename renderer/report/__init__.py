"""`sluice report`: a static HTML site of what runs where, built from one JSON model.

`gather.collect` renders the fleet (and, when asked, the change against a base revision
and the hydrated branches' history); `model.build_model` turns that into one JSON-ready
dict (what `sluice report --output json` prints); `site.write_site` writes the pages.
"""
from __future__ import annotations

from .model import MODEL_VERSION, build_model
from .site import SiteStats, write_site

__all__ = ["MODEL_VERSION", "SiteStats", "build_model", "write_site"]
