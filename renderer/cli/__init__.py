"""The command line: one module per command group, loaded on first use."""
