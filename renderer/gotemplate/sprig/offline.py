"""Sprig functions that read the clock, randomness or the network: refused offline.

sluice renders deterministically. (`encryptAES` draws a random IV all the same: Sprig's
AES is in crypto.py, and its output decrypts to the same text every time.)
"""
from __future__ import annotations

from typing import Any, Callable

from renderer.gotemplate.errors import FuncError


def nondeterministic(name: str) -> Callable[..., Any]:
    def fn(*_args: Any) -> Any:
        raise FuncError(f"{name} is not available offline: sluice renders deterministically (no clock, randomness or network)")

    return fn


FUNCS: dict[str, Callable[..., Any]] = {
    name: nondeterministic(name)
    for name in (
        "now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify", "mustDateModify",
        "ago", "duration", "durationRound", "htmlDate", "htmlDateInZone", "toDate", "mustToDate",
        "unixEpoch", "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt",
        "uuidv4", "genPrivateKey", "buildCustomCert", "genCA", "genCAWithKey",
        "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey",
        "bcrypt", "htpasswd",
    )
}
