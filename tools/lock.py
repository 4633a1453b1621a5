"""Refresh or check the dependency lock (`make lock`; `python tools/lock.py --check`).

`pyproject.toml` keeps ranges for people who install sluice as a library; everything this
repository installs itself (`make demo`, `make test`, `.ci/run`, the pre-commit hook
environment) takes the exact versions of `requirements/lock.txt`, with hashes, for every
platform (a universal resolution).

The lock is made by `uv pip compile` (uv itself is installed hash-checked from
`tools/uv.txt`). Its second header line records a digest of the inputs it was resolved
from, so `--check` can tell, offline and in milliseconds, that `pyproject.toml` changed
without the lock following it. The hook entries of `.pre-commit-hooks.yaml` get the runtime
part of the lock as `additional_dependencies`, because pre-commit installs a hook with
plain `pip install .`, which would otherwise take whatever is newest.

`requirements/runtime.txt` is the runtime part of the lock (sluice's own dependencies and
the build backend, no test tools), entries copied with their hashes: what the GitHub Action
and the GitLab template install on a user's runner.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
BUILD_IN = ROOT / "requirements" / "build.in"
LOCK = ROOT / "requirements" / "lock.txt"
RUNTIME = ROOT / "requirements" / "runtime.txt"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
UV_REQUIREMENTS = ROOT / "tools" / "uv.txt"
EXTRAS = ("test",)
PYTHON = "3.11"
DIGEST_PREFIX = "# inputs-digest: sha256:"
HOOK_PINS_BEGIN = "  # pins from requirements/lock.txt (make lock), so the hook runs what CI tested\n"


def inputs_digest() -> str:
    """Digest of everything the resolution depends on: requirements, extras, Python, build."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    inputs = {
        "requires-python": project.get("requires-python"),
        "dependencies": sorted(project.get("dependencies", [])),
        "extras": {e: sorted(project.get("optional-dependencies", {}).get(e, [])) for e in EXTRAS},
        "build": sorted(_requirement_lines(BUILD_IN.read_text())),
        "python": PYTHON,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def locked_pins(lock_text: str) -> dict[str, tuple[str, str]]:
    """name -> (version, marker) of every package in the lock."""
    pins: dict[str, tuple[str, str]] = {}
    for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\\n]+?))?\s*\\?$", lock_text, re.M):
        pins[_canonical(m.group(1))] = (m.group(2), (m.group(3) or "").strip())
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_names(lock_text: str) -> set[str]:
    """Packages the runtime dependencies need (not the test extra, not the build backend).

    uv annotates each pin with what required it (`# via ...`); walk that graph from
    `sluice (pyproject.toml)` but only through runtime requirements.
    """
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    roots = {_canonical(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in project["dependencies"]}
    via: dict[str, set[str]] = {}
    current = None
    for line in lock_text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==", line)
        if m:
            current = _canonical(m.group(1))
            via[current] = set()
            continue
        m = re.match(r"^\s+#\s+(?:via\s+)?([A-Za-z0-9_.\-]+)", line)
        if current and m and m.group(1) != "via":
            via[current].add(_canonical(m.group(1)))
    needed = set(roots)
    changed = True
    while changed:
        changed = False
        for name, parents in via.items():
            if name not in needed and parents & needed:
                needed.add(name)
                changed = True
    return needed


def hook_pins(lock_text: str) -> list[str]:
    pins = locked_pins(lock_text)
    out = []
    for name in sorted(runtime_names(lock_text)):
        version, marker = pins[name]
        out.append(f"{name}=={version}" + (f"; {marker}" if marker else ""))
    return out


def render_hooks(hooks_text: str, pins: list[str]) -> str:
    """`.pre-commit-hooks.yaml` with every hook's additional_dependencies set to `pins`."""
    block = HOOK_PINS_BEGIN + "  additional_dependencies:\n" + "".join(f"    - {json.dumps(p)}\n" for p in pins)
    hooks_text = re.sub(re.escape(HOOK_PINS_BEGIN) + r"  additional_dependencies:\n(?:    - .*\n)*", "", hooks_text)
    return re.sub(r"(^  language: python\n)", lambda m: m.group(1) + block, hooks_text, flags=re.M)


def _entries(lock_text: str) -> dict[str, str]:
    """name -> the lock's whole entry (pin line, hash lines, `# via` comments)."""
    entries: dict[str, str] = {}
    current = None
    for line in lock_text.splitlines(keepends=True):
        m = re.match(r"^([A-Za-z0-9_.\-]+)==", line)
        if m:
            current = _canonical(m.group(1))
            entries[current] = line
        elif current and line.startswith(" "):
            entries[current] += line
        else:
            current = None
    return entries


def runtime_lock(lock_text: str) -> str:
    """The runtime subset of the lock: what a runner needs to install and run sluice."""
    entries = _entries(lock_text)
    build = {_canonical(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in _requirement_lines(BUILD_IN.read_text())}
    names = sorted((runtime_names(lock_text) | build) & set(entries))
    digest = next((line for line in lock_text.splitlines() if line.startswith(DIGEST_PREFIX)), "")
    header = ("# The runtime part of requirements/lock.txt (sluice's dependencies and its build backend, no\n"
              "# test tools): what the GitHub Action and the GitLab template install. Made by `make lock`.\n"
              f"{digest}\n")
    return header + "".join(entries[name] for name in names)


def problems() -> list[str]:
    """What is out of date: the lock against pyproject.toml, the hook pins against the lock."""
    found = []
    lock_text = LOCK.read_text()
    header = next((line for line in lock_text.splitlines() if line.startswith(DIGEST_PREFIX)), None)
    if header is None or header[len(DIGEST_PREFIX):].strip() != inputs_digest():
        found.append(f"{LOCK.relative_to(ROOT)} does not match pyproject.toml / {BUILD_IN.relative_to(ROOT)}: run `make lock`")
    if render_hooks(HOOKS.read_text(), hook_pins(lock_text)) != HOOKS.read_text():
        found.append(f"{HOOKS.relative_to(ROOT)} pins differ from the lock: run `make lock`")
    if not RUNTIME.is_file() or RUNTIME.read_text() != runtime_lock(lock_text):
        found.append(f"{RUNTIME.relative_to(ROOT)} differs from the runtime part of the lock: run `make lock`")
    return found


def _uv() -> str:
    """uv from tools/uv.txt (hash-checked) in a private environment under .venv-tools."""
    venv = ROOT / ".venv-tools"
    uv = venv / "bin" / "uv"
    if not uv.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--require-hashes", "-r", str(UV_REQUIREMENTS)], check=True)
    return str(uv)


def refresh(upgrade: bool) -> None:
    cmd = [_uv(), "pip", "compile", "pyproject.toml", str(BUILD_IN.relative_to(ROOT)), *(f"--extra={e}" for e in EXTRAS),
           "--universal", "--generate-hashes", f"--python-version={PYTHON}", "--no-header", "--quiet"]
    if upgrade:
        cmd.append("--upgrade")
    else:  # keep what is locked where it still satisfies the inputs
        cmd += ["--output-file", str(LOCK.relative_to(ROOT))]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    body = LOCK.read_text() if not upgrade else done.stdout
    body = "\n".join(line for line in body.splitlines() if not line.startswith("#") or line.startswith("    #")) + "\n"
    header = ("# The exact dependency set this repository installs (make demo, make test, .ci/run, the\n"
              "# pre-commit hook). Made by `make lock` (tools/lock.py); edit pyproject.toml, not this file.\n"
              f"{DIGEST_PREFIX}{inputs_digest()}\n")
    LOCK.write_text(header + body.lstrip("\n"))
    HOOKS.write_text(render_hooks(HOOKS.read_text(), hook_pins(LOCK.read_text())))
    RUNTIME.write_text(runtime_lock(LOCK.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the lock or the hook pins are out of date")
    parser.add_argument("--upgrade", action="store_true", help="re-resolve everything to the newest allowed versions")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        for line in found:
            print(f"lock: {line}", file=sys.stderr)
        return 1 if found else 0
    refresh(args.upgrade)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
