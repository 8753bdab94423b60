"""Search keys for Vietnamese names: 'Nguyễn Văn Đức' is found from 'nguyen van duc'."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_SPACES = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """Collapse whitespace and compose accents (NFC) so names compare and display alike."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII form: accents removed and Đ/đ mapped to d (plain NFD stripping keeps Đ)."""
    ascii_text = anyascii(unicodedata.normalize("NFC", text)).lower()
    return _SPACES.sub(" ", re.sub(r"[^a-z0-9 ]", " ", ascii_text)).strip()


def name_key(name: str) -> str:
    """The stored search key, padded with spaces so a query word can match a word start."""
    return f" {fold(name)} "


def given_name_key(name: str) -> str:
    """The given name (tên: the last word), by which offices sort their lists."""
    words = fold(name).split()
    return words[-1] if words else ""


def query_words(query: str) -> list[str]:
    """Words of a search query, folded; each must start a word of the name, in any order."""
    return fold(query).split()
