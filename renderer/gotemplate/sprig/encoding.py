"""Sprig's encodings and hashes."""
from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any, Callable

from renderer.gotemplate.args import arg_str
from renderer.gotemplate.sprig.basedec import CorruptInput, b32decode, b64decode, go_string


def _b64dec(s: Any) -> str:
    """Sprig's b64dec: the decoded text, or Go's error text as the output."""
    try:
        return go_string(b64decode(arg_str(s)))
    except CorruptInput as e:
        return f"illegal base64 data at input byte {e.offset}"


def _b32dec(s: Any) -> str:
    try:
        return go_string(b32decode(arg_str(s)))
    except CorruptInput as e:
        return f"illegal base32 data at input byte {e.offset}"


FUNCS: dict[str, Callable[..., Any]] = {
    "b64enc": lambda s: base64.b64encode(arg_str(s).encode()).decode(),
    "b64dec": _b64dec,
    "b32enc": lambda s: base64.b32encode(arg_str(s).encode()).decode(),
    "b32dec": _b32dec,
    "sha256sum": lambda s: hashlib.sha256(arg_str(s).encode()).hexdigest(),
    "sha1sum": lambda s: hashlib.sha1(arg_str(s).encode()).hexdigest(),
    "sha512sum": lambda s: hashlib.sha512(arg_str(s).encode()).hexdigest(),
    "adler32sum": lambda s: str(zlib.adler32(arg_str(s).encode())),
}
