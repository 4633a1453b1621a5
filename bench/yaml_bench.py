"""Micro-benchmark of renderer.core.yaml, the hot path: load and dump every YAML file of a fleet.

Usage: python bench/yaml_bench.py [ROOT] [--repeat 5]
ROOT defaults to a fresh `../shared/bench/make_fleet.py` fleet in a temporary directory.
Prints the best of --repeat runs for our loader and dumper next to PyYAML's C loader
(CSafeLoader, what the loader is built on), its C dumper, and ruamel.yaml's pure loader
and dumper, over the same files.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import yaml as pyyaml  # noqa: E402

from renderer.core.yaml import dump_document, load_documents  # noqa: E402


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", help="directory of YAML files (default: generate a fleet)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    tmp = None
    root = args.root
    if root is None:
        tmp = tempfile.TemporaryDirectory(prefix="yaml-bench-")
        root = tmp.name
        make = REPO.parent / "shared" / "bench" / "make_fleet.py"
        subprocess.run([sys.executable, str(make), root], check=True)
    files = sorted(p for p in Path(root).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in files]
    size = sum(len(t.encode()) for _, t in texts)

    docs: list[Any] = []

    def ours_load() -> None:
        docs.clear()
        for name, text in texts:
            docs.extend(load_documents(text, name))

    ours_load()
    out_size = sum(len(dump_document(d).encode()) for d in docs)

    def ours_dump() -> None:
        for d in docs:
            dump_document(d)

    def c_load() -> None:
        for _, text in texts:
            list(pyyaml.load_all(text, Loader=pyyaml.CSafeLoader))

    def c_dump() -> None:
        for d in docs:
            pyyaml.dump(d, Dumper=pyyaml.CSafeDumper, sort_keys=True, default_flow_style=False, allow_unicode=True)

    rows = [
        ("renderer.core.yaml load", best(ours_load, args.repeat)),
        ("renderer.core.yaml dump", best(ours_dump, args.repeat)),
        ("PyYAML CSafeLoader load (no kubectl semantics)", best(c_load, args.repeat)),
        ("PyYAML CSafeDumper dump (not kubectl's format)", best(c_dump, args.repeat)),
    ]
    try:
        from ruamel.yaml import YAML

        def ruamel_load() -> None:
            y = YAML(typ="safe", pure=True)
            for _, text in texts:
                list(y.load_all(text))

        def ruamel_dump() -> None:
            y = YAML(typ="safe", pure=True)
            for d in docs:
                y.dump(d, io.StringIO())

        rows.append(("ruamel.yaml pure load", best(ruamel_load, max(1, args.repeat // 2))))
        rows.append(("ruamel.yaml pure dump", best(ruamel_dump, max(1, args.repeat // 2))))
    except ImportError:
        pass

    print(f"{len(texts)} files, {size / 1024:.0f} KiB in, {len(docs)} documents, {out_size / 1024:.0f} KiB out;"
          f" best of {args.repeat}")
    base = rows[0][1]
    for name, secs in rows:
        print(f"  {name:<50} {secs * 1000:8.1f} ms  ({secs / base:5.2f}x our load)")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
