"""Sprig's cryptography: `derivePassword` (the Master Password algorithm: scrypt, then
HMAC-SHA256 choosing a template and its characters, from the standard library's hashlib
and hmac), and `encryptAES`/`decryptAES` (AES-256-CBC through the `cryptography` package;
where it is not installed both fail saying so, since the standard library has no AES)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from typing import Any, Callable

from renderer.gotemplate.args import arg_str
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.sprig.basedec import CorruptInput, b64decode, go_string

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


_BLOCK = 16  # AES's block size; Sprig's IV is one block


def _aes_key(password: str) -> bytes:
    """Sprig's key: the password's bytes in a zeroed 32-byte buffer (cut at 32), so every
    password gives AES-256."""
    return arg_str(password).encode("utf-8")[:32].ljust(32, b"\0")


def _cbc(key: bytes, iv: bytes, data: bytes, *, encrypt: bool, fn: str) -> bytes:
    """AES-CBC over whole blocks, no padding (Sprig pads and unpads by hand)."""
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        raise FuncError(f"{fn} is not available: it needs the 'cryptography' package for AES, which is not installed") from None
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def encrypt_aes(password: Any, plaintext: Any) -> str:
    """Sprig's encryptAES: PKCS#7 padding (a whole block when already aligned), a random IV
    before the ciphertext, standard base64. Random by design: same input, new output."""
    text = arg_str(plaintext).encode("utf-8")
    key = _aes_key(password)
    if not text:
        return ""
    pad = _BLOCK - len(text) % _BLOCK
    iv = secrets.token_bytes(_BLOCK)
    return base64.b64encode(iv + _cbc(key, iv, text + bytes([pad]) * pad, encrypt=True, fn="encryptAES")).decode("ascii")


def decrypt_aes(password: Any, crypt64: Any) -> str:
    """Sprig's decryptAES, failing where Sprig's Go fails: Go's base64 errors, and the
    runtime panics text/template reports for short input, partial blocks and a final
    byte larger than the text (Sprig checks no padding beyond that byte)."""
    data = arg_str(crypt64)
    key = _aes_key(password)
    if not data:
        return ""
    try:
        raw = b64decode(data)
    except CorruptInput as e:
        raise FuncError(f"illegal base64 data at input byte {e.offset}") from None
    if len(raw) < _BLOCK:
        raise FuncError(f"runtime error: slice bounds out of range [:{_BLOCK}] with capacity {len(raw)}")
    iv, body = raw[:_BLOCK], raw[_BLOCK:]
    if len(body) % _BLOCK:
        raise FuncError("crypto/cipher: input not full blocks")
    if not body:
        raise FuncError("runtime error: index out of range [-1]")
    plain = _cbc(key, iv, body, encrypt=False, fn="decryptAES")
    end = len(plain) - plain[-1]
    if end < 0:
        raise FuncError(f"runtime error: slice bounds out of range [:{end}]")
    return go_string(plain[:end])


FUNCS: dict[str, Callable[..., Any]] = {
    "derivePassword": derive_password,
    "encryptAES": encrypt_aes,
    "decryptAES": decrypt_aes,
}
