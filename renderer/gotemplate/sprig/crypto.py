"""Sprig's deterministic cryptography: `derivePassword` (the Master Password algorithm:
scrypt, then HMAC-SHA256 choosing a template and its characters), from the standard
library's hashlib and hmac. `decryptAES` needs an AES cipher, which neither the standard
library nor the installed packages provide: it stays an error saying so."""
from __future__ import annotations

import hashlib
import hmac
import struct
from typing import Any, Callable

from renderer.gotemplate.args import arg_str
from renderer.gotemplate.errors import FuncError

_SEED = b"com.lyndir.masterpassword"
_VOWEL, _CONS = "aeiou", "bcdfghjklmnpqrstvwxyz"
_CLASSES = {
    "V": _VOWEL.upper(), "C": _CONS.upper(), "v": _VOWEL, "c": _CONS, "A": _VOWEL.upper() + _CONS.upper(),
    "a": _VOWEL.upper() + _VOWEL + _CONS.upper() + _CONS, "n": "0123456789", "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": _VOWEL.upper() + _VOWEL + _CONS.upper() + _CONS + "0123456789!@#$%^&*()",
}


def _long_templates() -> list[str]:
    """The 21 "long" templates: three 4-letter groups (Cvcv or Cvcc, never all Cvcc) and
    "no" after one of them, in the algorithm's published order."""
    out = []
    for groups in ("vvv", "cvv", "vcv", "vvc", "ccv", "vcc", "cvc"):
        words = ["Cvc" + g for g in groups]
        for at in range(3):
            out.append("".join(w + ("no" if i == at else "") for i, w in enumerate(words)))
    return out


_TEMPLATES: dict[str, list[str]] = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": _long_templates(),
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}


def derive_password(counter: Any, kind: Any, password: Any, user: Any, site: Any) -> str:
    templates = _TEMPLATES.get(arg_str(kind))
    if templates is None:
        return f"cannot find password template {kind}"
    user_b, site_b = arg_str(user).encode(), arg_str(site).encode()
    salt = _SEED + struct.pack(">I", len(user_b)) + user_b
    key = hashlib.scrypt(arg_str(password).encode(), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=64 * 1024 * 1024)
    message = _SEED + struct.pack(">I", len(site_b)) + site_b + struct.pack(">I", int(counter))
    seed = hmac.new(key, message, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    return "".join(_CLASSES[c][seed[i + 1] % len(_CLASSES[c])] for i, c in enumerate(template))


def _no_aes(name: str) -> Callable[..., Any]:
    def fn(*_args: Any) -> Any:
        raise FuncError(f"{name} is not available: no AES implementation is installed (the Python standard library has none)")

    return fn


FUNCS: dict[str, Callable[..., Any]] = {
    "derivePassword": derive_password,
    "decryptAES": _no_aes("decryptAES"),
}
