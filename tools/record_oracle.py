"""Record kubectl kustomize's output as the expected output of sluice's own conformance cases.

Usage: python tools/record_oracle.py [CASE_DIR ...]   (default: every fixtures/conformance/*)
Each case holds `case.json` ({"root": "<dir to build>"}); `expected.yaml` is written from
`kubectl kustomize <root>`. Review the diff before committing: kubectl is the oracle.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "conformance"


def main(argv: list[str]) -> int:
    # the interpreter's own kubectl (the pinned oracle) before any other on PATH
    beside = Path(sys.executable).parent / "kubectl"
    kubectl = str(beside) if beside.is_file() else shutil.which("kubectl") or "kubectl"
    cases = [Path(a) for a in argv] or sorted(p.parent for p in ROOT.glob("*/case.json"))
    for case in cases:
        root = json.loads((case / "case.json").read_text()).get("root", ".")
        proc = subprocess.run([kubectl, "kustomize", str(case / root)], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{case.name}: kubectl failed: {proc.stderr.strip()}", file=sys.stderr)
            return 1
        (case / "expected.yaml").write_text(proc.stdout)
        print(f"{case.name}: recorded {proc.stdout.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
