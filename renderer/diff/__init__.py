"""Rendered difference between two revisions, and its reporters."""
