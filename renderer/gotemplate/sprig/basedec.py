"""Go's encoding/base64 and encoding/base32 standard decoders, error offsets included.

Sprig's `b64dec` and `b32dec` return the decoder's error text as their output
("illegal base64 data at input byte 4"), so the offsets must be Go's: Python's decoders
word and place their errors differently.
"""
from __future__ import annotations

import codecs

_B64 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_B32 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}
_PAD = ord("=")
_NEWLINES = (ord("\n"), ord("\r"))


class CorruptInput(Exception):
    """Go's CorruptInputError: the offset of the first byte Go refuses."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def _skip_newlines(src: bytes, si: int) -> int:
    while si < len(src) and src[si] in _NEWLINES:
        si += 1
    return si


def _b64_quantum(src: bytes, si: int, out: bytearray) -> tuple[int, bool]:
    """One 4-character group from `si`; returns the next offset and whether input ended."""
    vals = [0, 0, 0, 0]
    j = 0
    dlen = 4
    while j < 4:
        if si == len(src):
            if j == 0:
                return si, True
            raise CorruptInput(si - j)  # StdEncoding wants padding
        c = src[si]
        si += 1
        if c in _B64:
            vals[j] = _B64[c]
            j += 1
            continue
        if c in _NEWLINES:
            continue
        if c != _PAD or j < 2:
            raise CorruptInput(si - 1)
        if j == 2:  # "==" expected, one is read
            si = _skip_newlines(src, si)
            if si == len(src):
                raise CorruptInput(len(src))
            if src[si] != _PAD:
                raise CorruptInput(si - 1)
            si += 1
        si = _skip_newlines(src, si)
        if si < len(src):
            raise CorruptInput(si)  # trailing garbage after padding
        dlen = j
        break
    n = vals[0] << 18 | vals[1] << 12 | vals[2] << 6 | vals[3]
    out += n.to_bytes(3, "big")[: dlen - 1]
    return si, dlen < 4


def b64decode(text: str) -> bytes:
    src = text.encode("utf-8")
    out = bytearray()
    si = 0
    done = False
    while not done:
        si, done = _b64_quantum(src, si, out)
    return bytes(out)


def b32decode(text: str) -> bytes:
    src = bytes(c for c in text.encode("utf-8") if c not in _NEWLINES)
    olen = len(src)
    out = bytearray()
    pos = 0
    end = False
    while pos < olen and not end:
        vals = [0] * 8
        dlen = 8
        j = 0
        while j < 8:
            if pos == olen:
                raise CorruptInput(olen - (olen - pos) - j)
            c = src[pos]
            pos += 1
            rest = olen - pos
            if c == _PAD and j >= 2 and rest < 8:
                if rest + j < 7:
                    raise CorruptInput(olen)
                for k in range(7 - j):
                    if rest > k and src[pos + k] != _PAD:
                        raise CorruptInput(pos + k - 1)
                dlen, end = j, True
                if dlen in (1, 3, 6):
                    raise CorruptInput(pos - 1)
                break
            if c not in _B32:
                raise CorruptInput(pos - 1)
            vals[j] = _B32[c]
            j += 1
        n = 0
        for v in vals:
            n = n << 5 | v
        out += n.to_bytes(5, "big")[: {8: 5, 7: 4, 5: 3, 4: 2, 2: 1}[dlen]]
    return bytes(out)


def _go_replace(err: UnicodeError) -> tuple[str, int]:
    """Go's string→UTF-8 view: each byte of an invalid sequence is its own U+FFFD."""
    assert isinstance(err, UnicodeDecodeError)
    return "\ufffd", err.start + 1


codecs.register_error("sluice-go-replace", _go_replace)


def go_string(raw: bytes) -> str:
    """A Go string of arbitrary bytes, as text: invalid UTF-8 bytes become U+FFFD one by one."""
    return raw.decode("utf-8", "sluice-go-replace")
