"""AES-256-GCM field encryption bound to table, column and row, and HMAC blind indexes.

A stored value is ``version (1 byte) | key id (2 bytes, big-endian) | nonce (12 bytes) |
ciphertext and tag``. The associated data is that 3-byte header followed by
``FieldContext.aad()``, so a value copied to another row, column or table, or relabelled
with another key id, fails to decrypt. Plaintext is never cached or logged here.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from registry.errors import RegistryError
from registry.i18n import N_
from registry.identity.cccd import normalise_cccd, normalise_cmnd
from registry.identity.keyring import Keyring

FORMAT_VERSION = 0x01
VERSION_BYTES = 1
KEY_ID_BYTES = 2
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = VERSION_BYTES + KEY_ID_BYTES
MIN_CIPHERTEXT_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES
AAD_PREFIX = b"registry-field-v1\x1f"
BLIND_INDEX_BYTES = 32
BLIND_INDEX_KINDS = frozenset({"cccd", "cmnd", "account"})
_HEADER = struct.Struct(">BH")
_SEPARATOR = "\x1f"
# A blind index of an unnormalised value silently never matches, so refuse it outright.
_NORMALISERS = {"cccd": normalise_cccd, "cmnd": normalise_cmnd}


class DecryptionError(RegistryError):
    """A stored value cannot be decrypted; ``reason`` is short, version, unknown_key or tag."""

    message = N_("A stored value cannot be decrypted.")

    def __init__(self, message: str, *, reason: str, **params: Any) -> None:
        self.reason = reason
        super().__init__(message, **params)


@dataclass(frozen=True)
class FieldContext:
    """Where an encrypted value lives: its table, column and row id (``str(uuid)`` for UUIDs).

    Use stable names: renaming the table or column later needs a re-encryption.
    """

    table: str
    column: str
    row_id: str

    def __post_init__(self) -> None:
        for name in ("table", "column", "row_id"):
            part = getattr(self, name)
            # A part holding the separator would make ("a\x1fb", "c") equal ("a", "b\x1fc").
            if not isinstance(part, str) or not part or _SEPARATOR in part:
                raise ValueError(f"FieldContext.{name} must be a non-empty str without \\x1f")

    def aad(self) -> bytes:
        """The associated data binding a value to this table, column and row."""
        return AAD_PREFIX + _SEPARATOR.join((self.table, self.column, self.row_id)).encode()


def _header_of(blob: bytes) -> tuple[int, int]:
    if len(blob) < MIN_CIPHERTEXT_BYTES:
        return -1, -1
    return _HEADER.unpack_from(blob)


class FieldCipher:
    """Encrypts and decrypts field values and computes blind indexes with one keyring."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._aeads = {key_id: AESGCM(key) for key_id, key in keyring.encryption_keys.items()}

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    def encrypt(self, plaintext: str, context: FieldContext) -> bytes:
        """Encrypt ``plaintext`` under the primary key, bound to ``context``."""
        if not isinstance(plaintext, str):
            raise TypeError("only str values are encrypted")
        header = _HEADER.pack(FORMAT_VERSION, self._keyring.primary_key_id)
        nonce = os.urandom(NONCE_BYTES)
        aead = self._aeads[self._keyring.primary_key_id]
        return header + nonce + aead.encrypt(nonce, plaintext.encode(), header + context.aad())

    def decrypt(self, blob: bytes, context: FieldContext) -> str:
        """Decrypt a stored value; raises ``DecryptionError`` naming the place, never the value."""
        blob = bytes(blob)
        where = {"table": context.table, "column": context.column, "row_id": context.row_id}
        version, key_id = _header_of(blob)
        if version == -1:
            raise DecryptionError(
                N_("%(table)s.%(column)s of row %(row_id)s is too short to be a ciphertext."),
                reason="short",
                **where,
            )
        if version != FORMAT_VERSION:
            raise DecryptionError(
                N_(
                    "%(table)s.%(column)s of row %(row_id)s has unknown format version %(version)d."
                ),
                reason="version",
                version=version,
                **where,
            )
        aead = self._aeads.get(key_id)
        if aead is None:
            raise DecryptionError(
                N_(
                    "%(table)s.%(column)s of row %(row_id)s is encrypted under key %(key_id)d,"
                    " which the keyring does not hold."
                ),
                reason="unknown_key",
                key_id=key_id,
                **where,
            )
        nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
        try:
            data = aead.decrypt(
                nonce, blob[HEADER_BYTES + NONCE_BYTES :], blob[:HEADER_BYTES] + context.aad()
            )
        except InvalidTag:
            raise DecryptionError(
                N_(
                    "%(table)s.%(column)s of row %(row_id)s does not decrypt: it was altered,"
                    " copied from another row or column, or key %(key_id)d is not the original."
                ),
                reason="tag",
                key_id=key_id,
                **where,
            ) from None
        return data.decode()

    def decryptor(self, table: str, column: str) -> Callable[[bytes, str], str]:
        """``decrypt`` for many values of one column: ``decryptor(t, c)(blob, row_id)`` equals
        ``decrypt(blob, FieldContext(t, c, row_id))``, same result and same errors, without
        building a context per value (the associated data's prefix is built once). For
        exports that decrypt a column of a million rows."""
        FieldContext(table, column, "-")  # the same checks of table and column
        prefix = AAD_PREFIX + _SEPARATOR.join((table, column, "")).encode()
        aeads = self._aeads
        decrypt = self.decrypt

        def decrypt_one(blob: bytes, row_id: str) -> str:
            if type(blob) is not bytes:
                blob = bytes(blob)
            if (
                len(blob) >= MIN_CIPHERTEXT_BYTES
                and blob[0] == FORMAT_VERSION
                and row_id
                and isinstance(row_id, str)
                and _SEPARATOR not in row_id
            ):
                aead = aeads.get((blob[1] << 8) | blob[2])
                if aead is not None:
                    with contextlib.suppress(InvalidTag):
                        return aead.decrypt(
                            blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES],
                            blob[HEADER_BYTES + NONCE_BYTES :],
                            blob[:HEADER_BYTES] + prefix + row_id.encode(),
                        ).decode()
            # Anything unusual: the general path, which raises the precise error.
            return decrypt(blob, FieldContext(table=table, column=column, row_id=row_id))

        return decrypt_one

    @staticmethod
    def key_id_of(blob: bytes) -> int:
        """The id of the key a stored value was encrypted under; ValueError if not ours."""
        version, key_id = _header_of(bytes(blob))
        if version != FORMAT_VERSION:
            raise ValueError("not a registry ciphertext")
        return key_id

    def is_current(self, blob: bytes) -> bool:
        """Whether a stored value is already encrypted under the primary key."""
        return self.key_id_of(blob) == self._keyring.primary_key_id

    def reencrypt(self, blob: bytes, context: FieldContext) -> bytes:
        """Return the value encrypted under the primary key (unchanged if it already is).

        The value is decrypted first either way, so a damaged one is reported, not kept.
        """
        plaintext = self.decrypt(blob, context)
        if self.is_current(blob):
            return bytes(blob)
        return self.encrypt(plaintext, context)

    def blind_index(self, kind: str, value: str) -> bytes:
        """HMAC-SHA256 of ``kind:value`` under the index key: 32 bytes for exact lookup and joins.

        ``value`` must already be normalised (a CCCD as its 12 digits), or it would never
        match; a CCCD or CMND that is not is refused with ValueError.
        """
        if kind not in BLIND_INDEX_KINDS:
            raise ValueError(f"blind index kind must be one of {sorted(BLIND_INDEX_KINDS)}")
        normalise = _NORMALISERS.get(kind)
        if normalise is not None and normalise(value) != value:
            raise ValueError(f"blind_index({kind!r}, …) needs the normalised value")
        mac = crypto_hmac.HMAC(self._keyring.index_key, hashes.SHA256())
        mac.update(f"{kind}:{value}".encode())
        return mac.finalize()
