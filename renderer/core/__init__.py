"""The base layer: typed errors, YAML with kubectl's rules, the read boundary, resources, Go glob/regex helpers."""
