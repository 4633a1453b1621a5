"""Run the composite steps of `action.yml` as a GitHub runner would, for tests.

The Action's logic lives in its `run:` scripts, their `env:` and `if:` expressions; linting
checks their syntax, this runs them: each `run` step goes through `bash --noprofile --norc
-eo pipefail` (the runner's default shell) with the runner's files (GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, RUNNER_TEMP) and the subset of the expression language the Action
uses (`inputs.*`, `steps.*.outputs.*`, `github.*`, `==`, `&&`, `||`, `format`, literals).
`uses:` steps (setup-python, upload-artifact) are not run; their outputs come from the test.
The install step is replaced by a `sluice` on PATH that runs this checkout.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTALL_STEP = "Install sluice (pinned by the lock)"
_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||[(),!])|(?P<name>[A-Za-z_][\w.-]*))")


@dataclass
class StepResult:
    name: str
    ran: bool
    exit_code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    steps: list[StepResult]
    summary: str

    @property
    def failed(self) -> bool:
        return any(step.exit_code for step in self.steps)

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)


class _Expr:
    """A recursive-descent reader for the expressions action.yml uses."""

    def __init__(self, text: str, context: dict[str, Any]) -> None:
        self.tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in _TOKEN.finditer(text) if m.lastgroup]
        self.pos = 0
        self.context = context

    def value(self) -> Any:
        result = self._or()
        if self.pos != len(self.tokens):
            raise ValueError(f"unread expression tokens: {self.tokens[self.pos:]}")
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _or(self) -> Any:
        left = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            left = left or right
        return left

    def _and(self) -> Any:
        left = self._compare()
        while self._peek() == "&&":
            self._take()
            right = self._compare()
            left = left and right
        return left

    def _compare(self) -> Any:
        left = self._unary()
        while self._peek() in ("==", "!="):
            op = self._take()[1]
            right = self._unary()
            left = (str(left) == str(right)) if op == "==" else (str(left) != str(right))
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not self._unary()
        return self._atom()

    def _atom(self) -> Any:
        kind, text = self._take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if text == "(":
            inner = self._or()
            self._take()
            return inner
        if kind == "name" and self._peek() == "(":
            self._take()
            args: list[Any] = []
            while self._peek() != ")":
                args.append(self._or())
                if self._peek() == ",":
                    self._take()
            self._take()
            return self._call(text, args)
        if text in ("true", "false"):
            return text == "true"
        node: Any = self.context
        for part in text.split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return node

    def _call(self, name: str, args: list[Any]) -> Any:
        if name == "format":
            return re.sub(r"\{(\d+)\}", lambda m: str(args[1 + int(m.group(1))]), args[0])
        if name in ("success", "always"):
            return True
        if name == "hashFiles":
            return "hash"
        raise ValueError(f"expression function {name} is not supported by the test runner")


def evaluate(template: str, context: dict[str, Any]) -> str:
    """Replace every `${{ … }}` in `template`."""
    return _EXPR.sub(lambda m: _text(_Expr(m.group(1), context).value()), template)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def sluice_on_path(bindir: Path) -> None:
    """A `sluice` (and `python`) in `bindir` that run this checkout, as an install would."""
    bindir.mkdir(parents=True, exist_ok=True)
    shim = bindir / "sluice"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO_ROOT}" exec "{sys.executable}" -m renderer "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    python = bindir / "python"
    if not python.exists():
        python.symlink_to(sys.executable)


def run_action(
    inputs: dict[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    github: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    uses_outputs: dict[str, dict[str, str]] | None = None,
) -> Run:
    """Run action.yml's steps in order; a failing step skips the later default-`if` steps."""
    spec = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    github = {"job": "render", "token": "", **(github or {})}
    context: dict[str, Any] = {"github": github, "steps": {}, "inputs": {}}
    for name, meta in spec["inputs"].items():
        default = str(meta.get("default", ""))
        context["inputs"][name] = inputs[name] if name in inputs else evaluate(default, context)
    runner_temp.mkdir(parents=True, exist_ok=True)
    summary = runner_temp / "step-summary.md"
    summary.touch()
    bindir = runner_temp / "bin"
    sluice_on_path(bindir)
    base_env = {
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "HOME": os.environ.get("HOME", str(runner_temp)),
        "RUNNER_TEMP": str(runner_temp), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTION_PATH": str(REPO_ROOT),
        "GITHUB_WORKSPACE": str(workspace), **(env or {}),
    }
    results: list[StepResult] = []
    failed = False
    for index, step in enumerate(spec["runs"]["steps"]):
        name = step.get("name") or step.get("uses", f"step {index}")
        condition = str(step.get("if", "success()"))
        wants = _Expr(condition, context).value() if not failed or "always()" in condition else False
        if step.get("uses"):
            outputs = (uses_outputs or {}).get(step.get("id", ""), {}) if wants else {}
            results.append(StepResult(name, bool(wants), outputs=outputs))
        elif name == INSTALL_STEP or not wants:
            results.append(StepResult(name, False))
            continue
        else:
            results.append(_run_step(step, name, context, base_env, workspace, runner_temp))
            failed = failed or results[-1].exit_code != 0
        if step.get("id"):
            context["steps"][step["id"]] = {"outputs": results[-1].outputs}
    return Run(results, summary.read_text(encoding="utf-8"))


def _run_step(step: dict[str, Any], name: str, context: dict[str, Any], base_env: dict[str, str],
              workspace: Path, runner_temp: Path) -> StepResult:
    output = runner_temp / f"output-{abs(hash(name))}"
    output.write_text("", encoding="utf-8")
    step_env = {key: evaluate(str(value), context) for key, value in (step.get("env") or {}).items()}
    cwd = workspace / evaluate(str(step.get("working-directory", ".")), context)
    script = evaluate(step["run"], context)
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env={**base_env, **step_env, "GITHUB_OUTPUT": str(output)},
                          capture_output=True, text=True, timeout=600)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
    return StepResult(name, True, proc.returncode, proc.stdout, proc.stderr, outputs)
