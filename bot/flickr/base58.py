"""Flickr's base58: the encoding of photo IDs in short links (``flic.kr/p/<code>``).

Flickr uses its own alphabet (digits, then lower case, then upper case, without
``0``, ``O``, ``I`` and ``l``), which differs from Bitcoin's. Test vector from
Flickr: photo 4325695128 is ``7Afjsu``.
"""

from __future__ import annotations

ALPHABET = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
_BASE = len(ALPHABET)

# 58**11 > 2**63, so no 64-bit photo ID needs more than 11 characters.
MAX_CODE_LENGTH = 11
_MAX_VALUE = 2**63 - 1


def base58_encode(number: int) -> str:
    """The short-link code of a photo ID (a positive integer)."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("base58_encode takes an int")
    if number < 0:
        raise ValueError("base58_encode takes a number that is not negative")
    if number == 0:
        return ALPHABET[0]
    out = []
    while number:
        number, rest = divmod(number, _BASE)
        out.append(ALPHABET[rest])
    return "".join(reversed(out))


def base58_decode(code: str) -> int:
    """The photo ID in a short-link code; ValueError if the code is not one.

    Rejects characters outside Flickr's alphabet, codes longer than
    :data:`MAX_CODE_LENGTH`, and values that do not fit in 63 bits.
    """
    if not code:
        raise ValueError("empty short-link code")
    if len(code) > MAX_CODE_LENGTH:
        raise ValueError("short-link code too long")
    number = 0
    for ch in code:
        value = _VALUES.get(ch)
        if value is None:
            raise ValueError("character outside the short-link alphabet")
        number = number * _BASE + value
    if number > _MAX_VALUE:
        raise ValueError("short-link code too large for a photo ID")
    return number
