"""Sprig's function library, one module per family, as Argo CD exposes it: every text
function except `env`, `expandenv` and `getHostByName`. Functions that would read the clock,
randomness or the network raise instead: sluice renders deterministically."""
from __future__ import annotations

from typing import Any, Callable

from renderer.gotemplate.sprig import conv, crypto, dicts, encoding, flow, lists, numbers, offline, paths, regex, semver, strings, urls

FUNCS: dict[str, Callable[..., Any]] = {}
for _family in (strings, regex, conv, flow, lists, dicts, numbers, encoding, paths, semver, urls, crypto, offline):
    FUNCS.update(_family.FUNCS)
