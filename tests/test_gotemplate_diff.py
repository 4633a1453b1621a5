"""sluice's Go template interpreter against real Go (Helm's engine, in process).

Generated snippets (actions, pipelines, nested calls of builtins and Sprig functions, over
data of every JSON type) render through both; outputs must be equal, or both must fail.
Exclusions, all forced by the oracle being Helm rather than bare text/template: the
functions Helm replaces (`toYaml`, `fromYaml`, `fromYamlArray`, `toJson`'s error form,
`fromJson`, `include`, `tpl`, `required`, `lookup`) are never generated, and Helm renders
with `missingkey=zero` and erases `<no value>`, so the sluice side does the same here (Argo
CD's `missingkey=default` is covered by test_gotemplate.py). Deterministic: a fixed
derandomized search with a modest example count; `bench/gotemplate_agreement.py` runs
many more and prints the agreement rate.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gotemplate_oracle import cases, helm_available, render_helm, render_sluice

pytestmark = pytest.mark.skipif(not helm_available(), reason="helm-python-sdk is not installed")


@settings(max_examples=25, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(cases, min_size=20, max_size=20))
def test_sluice_agrees_with_go(batch: list[tuple[str, object]]) -> None:
    go = render_helm(batch)
    for (text, data), expected in zip(batch, go):
        got = render_sluice(text, data)
        assert got.agrees(expected), f"{text!r} on {data!r}: Go {expected}, sluice {got}"
