"""Secret values never reach the report: masked in manifests and in diffs."""
from __future__ import annotations

import re
from typing import Any

from ..core.secret_redact import redact_pair

MASK = "<redacted>"
_VALUE_FIELDS = ("data", "stringData")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*):")
_CHILD_KEY = re.compile(r"^(  )([-._A-Za-z0-9]+|\"[-._A-Za-z0-9]+\"):(?:\s|$)")  # a Secret key: a direct child of data:


def mask_resource(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with every Secret value replaced, keys kept (they say what is there): a Secret's
    data and stringData, the last-applied annotation that copies them, the Secrets inside a
    List. The same redaction as `sluice diff` (core.secret_redact); `body` itself when it
    holds no Secret."""
    return redact_pair(None, body)[1]  # type: ignore[no-any-return]


def mask_diff(text: str) -> str:
    """Mask the value lines of a Secret's unified YAML diff.

    Works on the text alone (the diff is computed elsewhere): any line inside `data:` or
    `stringData:`, or in a hunk that starts before its section is known, keeps its key (when
    it is a direct child, never text from inside a value) and loses its value. Over-masking a metadata line is the safe mistake."""
    out: list[str] = []
    section: str | None = None
    for line in text.splitlines():
        if line.startswith(("--- ", "+++ ")):
            out.append(line)
            continue
        if line.startswith("@@"):
            section = None  # unknown until a top-level key shows up in this hunk
            out.append(line)
            continue
        marker, content = line[:1], line[1:]
        top = _TOP_KEY.match(content)
        if top:
            section = top.group(1)
            if section in _VALUE_FIELDS:
                out.append(f"{marker}{section}:" + ("" if content.rstrip().endswith(":") else f" {MASK}"))
            else:
                out.append(line)
            continue
        if section is not None and section not in _VALUE_FIELDS:
            out.append(line)
            continue
        key = _CHILD_KEY.match(content)
        out.append(f"{marker}{key.group(1)}{key.group(2)}: {MASK}" if key else f"{marker}  {MASK}")
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
