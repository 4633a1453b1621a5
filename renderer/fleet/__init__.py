"""The fleet: sluice.yaml, discovery of entry points, the plan of targets, the render pipeline and bundles."""
