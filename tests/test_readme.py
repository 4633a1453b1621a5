"""The README stays true where a test can tell: its sluice.yaml example is valid against the
schema sluice checks, and its command list names every command and every long flag the CLI
has (and no flag it lacks)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import click
import jsonschema
import yaml

from cliwalk import leaf_commands

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(after: str, fence: str) -> str:
    rest = README[README.index(after):]
    rest = rest[rest.index(fence) + len(fence):]
    return rest[:rest.index("```")]


def test_the_sluice_yaml_example_is_valid() -> None:
    example = yaml.safe_load(_block("### Fleet configuration", "```yaml\n"))
    schema = json.loads((ROOT / "renderer" / "data" / "sluice.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(example, schema)


def _commands() -> dict[str, set[str]]:
    """'render' / 'helm template' -> the long flags --help shows."""
    return {name: {o for p in command.params if isinstance(p, click.Option) and p.get_help_record(ctx)
                   for o in p.opts if o.startswith("--") and o != "--help"}
            for name, command, ctx in leaf_commands()}


def test_the_command_list_matches_the_cli() -> None:
    block = _block("## Commands", "```text\n")
    source = set(re.findall(r"--[a-z][a-z-]+", block.split("# source options:", 1)[1]))
    listed: dict[str, set[str]] = {}
    current = None
    for line in block.split("# source options:", 1)[0].splitlines():
        match = re.match(r"sluice ((?:appset|helm|flux) [a-z]+|[a-z]+)", line)
        if match:
            current = match.group(1)
            listed.setdefault(current, set())
        if current:
            text = line.split("  #", 1)[0].replace("[-o ", "[--output ").replace("[-j ", "[--jobs ")
            listed[current] |= set(re.findall(r"--[a-z][a-z-]+", text))
            if "[source options]" in text:
                listed[current] |= source
    actual = _commands()
    assert set(listed) == set(actual), set(listed) ^ set(actual)
    for command, flags in actual.items():
        assert listed[command] == flags, (command, sorted(flags - listed[command]), sorted(listed[command] - flags))
