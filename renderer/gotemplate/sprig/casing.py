"""Go's rune classes and simple case mapping, and the case conversions Sprig takes from
huandu/xstrings (snakecase, kebabcase, camelcase) and Masterminds/goutils (swapcase).

Python's str methods differ from Go's: `"ß".upper()` is "SS" (Go: "ß"), str.isspace
counts U+001C..U+001F, str.isupper counts title-case letters. These helpers follow Go.
"""
from __future__ import annotations

import unicodedata
from enum import Enum

_GO_SPACE = frozenset("\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B))
RUNE_ERROR = "\ufffd"


def is_space(ch: str) -> bool:
    """unicode.IsSpace."""
    return ch in _GO_SPACE


def is_upper(ch: str) -> bool:
    return unicodedata.category(ch) == "Lu"


def is_lower(ch: str) -> bool:
    return unicodedata.category(ch) == "Ll"


def is_title(ch: str) -> bool:
    return unicodedata.category(ch) == "Lt"


def is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def is_number(ch: str) -> bool:
    return unicodedata.category(ch).startswith("N")


def is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


_LOWER_SPECIAL = {"\u0130": "i"}  # Go's simple mapping where Python's full one has two runes


def to_upper(ch: str) -> str:
    """unicode.ToUpper: one rune to one rune (no "SS" for "ß")."""
    up = ch.upper()
    return up if len(up) == 1 else ch


def to_lower(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else _LOWER_SPECIAL.get(ch, ch)


def upper(s: str) -> str:
    """strings.ToUpper."""
    return "".join(to_upper(c) for c in s)


def lower(s: str) -> str:
    return "".join(to_lower(c) for c in s)


def swapcase(s: str) -> str:
    """goutils.SwapCase: upper and title case to lower, lower to upper."""
    out = []
    for c in s:
        if is_upper(c) or is_title(c):
            out.append(to_lower(c))
        elif is_lower(c):
            out.append(to_upper(c))
        else:
            out.append(c)
    return "".join(out)


# ---- xstrings -----------------------------------------------------------------------


def is_connector(ch: str) -> bool:
    return ch in "-_" or is_space(ch)


def is_alphabet(ch: str) -> bool:
    """A letter, CJK ideographs excluded (xstrings' word rule)."""
    if not is_letter(ch):
        return False
    r = ord(ch)
    return r < 0x3400 or not (0x4E00 <= r <= 0x9FCC or 0x3400 <= r <= 0x4D85 or 0x20000 <= r <= 0x2B81D)


class Word(Enum):
    INVALID = 0
    NUMBER = 1
    UPPER = 2
    ALPHABET = 3
    CONNECTOR = 4
    PUNCT = 5
    OTHER = 6


def _valid_at(s: str, i: int, prev: str) -> tuple[str, int]:
    """The next rune that is not U+FFFD from i, and the index after it (prev at the end)."""
    while i < len(s):
        if s[i] != RUNE_ERROR:
            return s[i], i + 1
        i += 1
    return prev, i


def _run(s: str, i: int, r: str, keep: object) -> int:
    """Extend a word from i while keep(next valid rune) holds; returns the word's end."""
    while i < len(s):
        r, nxt = _valid_at(s, i, r)
        if not keep(r):  # type: ignore[operator]
            break
        i = nxt
    return i


def next_word(s: str) -> tuple[Word, str, str]:
    """The first word of s, its kind, and the rest (xstrings' scanner)."""
    if not s:
        return Word.INVALID, "", ""
    r, end = _valid_at(s, 0, RUNE_ERROR)
    if r == RUNE_ERROR:
        return Word.INVALID, s[:end], s[end:]
    if is_connector(r):
        end = _run(s, end, r, is_connector)
        return Word.CONNECTOR, s[:end], s[end:]
    if is_punct(r):
        end = _run(s, end, r, is_punct)
        return Word.PUNCT, s[:end], s[end:]
    if is_upper(r):
        if end == len(s):
            return Word.UPPER, s, ""
        r2, nxt = _valid_at(s, end, r)
        if is_upper(r2):
            start = end
            end = nxt
            last_start = start
            while end < len(s):
                r2, n2 = _valid_at(s, end, r2)
                if not is_upper(r2):
                    break
                last_start = end
                end = n2
            # "HTTPStatus": the last capital starts the next word
            if end < len(s) and is_alphabet(r2):
                end = last_start
        elif is_alphabet(r2):
            end = _run(s, nxt, r2, lambda c: is_alphabet(c) and not is_upper(c))
        return Word.UPPER, s[:end], s[end:]
    if is_alphabet(r):
        end = _run(s, end, r, lambda c: is_alphabet(c) and not is_upper(c))
        return Word.ALPHABET, s[:end], s[end:]
    if is_number(r):
        end = _run(s, end, r, is_number)
        return Word.NUMBER, s[:end], s[end:]
    end = _run(s, end, r, lambda c: not (is_connector(c) or is_alphabet(c) or is_number(c) or is_punct(c)))
    return Word.OTHER, s[:end], s[end:]


def _emit(out: list[str], kind: Word, word: str, connector: str) -> None:
    if kind not in (Word.UPPER, Word.CONNECTOR):
        out.append(word)
        return
    for c in word:
        out.append(connector if is_connector(c) else to_lower(c) if is_upper(c) else c)


def lower_words(s: str, connector: str) -> str:
    """xstrings' camelCaseToLowerCase: ToSnakeCase ('_') and ToKebabCase ('-')."""
    if not s:
        return ""
    out: list[str] = []
    kind, word, rest = next_word(s)
    while rest:
        if kind != Word.CONNECTOR:
            _emit(out, kind, word, connector)
        prev, last = kind, word
        kind, word, rest = next_word(rest)
        if prev == Word.NUMBER:
            while kind in (Word.ALPHABET, Word.NUMBER):
                _emit(out, kind, word, connector)
                kind, word, rest = next_word(rest)
            if kind not in (Word.INVALID, Word.PUNCT, Word.CONNECTOR):
                out.append(connector)
        elif prev == Word.CONNECTOR:
            _emit(out, prev, last, connector)
        elif prev == Word.PUNCT:
            pass
        elif kind != Word.NUMBER:
            if kind not in (Word.CONNECTOR, Word.PUNCT):
                out.append(connector)
        elif rest:
            number = word
            kind, word, rest = next_word(rest)
            if kind != Word.ALPHABET:
                # "Bld4Floor": a number ends the word before it
                _emit(out, Word.NUMBER, number, connector)
                if kind not in (Word.CONNECTOR, Word.PUNCT):
                    out.append(connector)
            else:
                # "HTTP2xx": letters after a number start a new word with it
                out.append(connector)
                _emit(out, Word.NUMBER, number, connector)
                while kind in (Word.ALPHABET, Word.NUMBER):
                    _emit(out, kind, word, connector)
                    kind, word, rest = next_word(rest)
                if kind not in (Word.INVALID, Word.CONNECTOR, Word.PUNCT):
                    out.append(connector)
    _emit(out, kind, word, connector)
    return "".join(out)


def pascal_case(s: str) -> str:
    """xstrings' ToCamelCase as Sprig builds with it (camelcase): connectors dropped, the
    rune after each capitalised; a word that starts upper case has its following upper
    case runes lowered until its first other rune; leading connectors and runs of them are
    kept."""
    if not s:
        return ""
    out: list[str] = []
    i = 0
    r0 = ""
    first_upper = False
    while i < len(s):
        r0 = s[i]
        i += 1
        if not is_connector(r0):
            first_upper = is_upper(r0)
            r0 = to_upper(r0)
            break
        out.append(r0)
    if i == len(s):
        out.append(r0)  # as xstrings: a string of connectors only ends with its last one twice
        return "".join(out)
    while i < len(s):
        r1, r0 = r0, s[i]
        i += 1
        if is_connector(r0) and is_connector(r1):
            out.append(r1)
            continue
        if is_connector(r1):
            first_upper = is_upper(r0)
            r0 = to_upper(r0)
        else:
            if first_upper:
                if is_upper(r0):
                    r0 = to_lower(r0)
                else:
                    first_upper = False
            out.append(r1)
    out.append(r0)
    return "".join(out)
    while i < len(s):
        r1, r0 = r0, s[i]
        i += 1
        if is_connector(r0) and is_connector(r1):
            out.append(r1)
            continue
        if is_connector(r1):
            r0 = to_upper(r0)
        else:
            r0 = to_lower(r0)  # the xstrings Sprig builds with lowers the rest of each word
            out.append(r1)
    out.append(r0)
    return "".join(out)
