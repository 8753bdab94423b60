"""The column types for encrypted fields and their blind indexes; they refuse anything else."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import LargeBinary, TypeDecorator

# Mirrors registry.identity.crypto (FORMAT_VERSION, MIN_CIPHERTEXT_BYTES, BLIND_INDEX_BYTES)
# without importing it, so models load without the cryptography package; a test keeps
# the two in step.
CIPHERTEXT_VERSION = 0x01
MIN_CIPHERTEXT_BYTES = 1 + 2 + 12 + 16
BLIND_INDEX_BYTES = 32


class Ciphertext(TypeDecorator[bytes]):
    """An AES-GCM field value from ``FieldCipher.encrypt``; plaintext is refused on write."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise ValueError("refusing to store a value that is not a registry ciphertext")
        value = bytes(value)
        if len(value) < MIN_CIPHERTEXT_BYTES or value[0] != CIPHERTEXT_VERSION:
            raise ValueError("refusing to store a value that is not a registry ciphertext")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        # psycopg returns BYTEA as memoryview; callers get bytes on every database.
        return None if value is None else bytes(value)


class BlindIndex(TypeDecorator[bytes]):
    """A 32-byte HMAC from ``FieldCipher.blind_index``, compared for equality only."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(length=BLIND_INDEX_BYTES)

    def __repr__(self) -> str:
        # Alembic writes repr() into migrations; the default would pass a length we do not take.
        return "BlindIndex()"

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise ValueError(f"a blind index is exactly {BLIND_INDEX_BYTES} bytes")
        value = bytes(value)
        if len(value) != BLIND_INDEX_BYTES:
            raise ValueError(f"a blind index is exactly {BLIND_INDEX_BYTES} bytes")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else bytes(value)
