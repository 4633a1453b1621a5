"""The scripts behind this repository's GitHub Action (`action.yml`); standard library only,
so that they run before, and without, sluice's own dependencies."""
