"""Agreement rate of sluice's Go template interpreter with real Go (Helm's engine).

    python bench/gotemplate_agreement.py [--batches N] [--seed S] [--show K]

Draws N batches of 20 generated snippets (tests/gotemplate_oracle.py explains the
generator and the exclusions), renders each through Helm and through sluice, and prints
how many agree; --show prints the first K disagreements.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gotemplate_oracle import cases, render_helm, render_sluice  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()
    batches: list[list[tuple[str, object]]] = []

    @seed(args.seed)
    @settings(max_examples=args.batches, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(cases, min_size=20, max_size=20))
    def collect(batch: list[tuple[str, object]]) -> None:
        batches.append(batch)

    random.seed(args.seed)
    collect()
    start = time.perf_counter()
    total = agree = go_ok = crashes = 0
    shown = 0
    for batch in batches:
        for (text, data), expected in zip(batch, render_helm(batch)):
            total += 1
            go_ok += expected.output is not None
            try:
                got = render_sluice(text, data)
            except Exception as exc:  # a crash is a disagreement, and worth showing
                crashes += 1
                got = None
                detail = f"crash {exc!r}"
            else:
                if got.agrees(expected):
                    agree += 1
                    continue
                detail = f"sluice {got.output!r} {got.error[:200]}"
            if shown < args.show:
                shown += 1
                print(f"- {text!r}\n  data {data!r:.200}\n  Go {expected.output!r} {expected.error[:200]}\n  {detail}")
    rate = 100.0 * agree / total if total else 100.0
    print(f"{agree}/{total} agree ({rate:.2f}%); Go rendered {go_ok}, errored {total - go_ok}; "
          f"sluice crashes {crashes}; {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
