"""The versioned keyring: field encryption keys and the blind-index key, kept out of the database.

A keyring is JSON, in a file named by ``REGISTRY_KEYRING`` or inline in
``REGISTRY_KEYRING_DATA`` (for containers and secret stores)::

    {"version": 1, "primary": 2,
     "encryption_keys": {"1": "<base64 of 32 bytes>", "2": "<base64 of 32 bytes>"},
     "index_key": "<base64 of 32 or more bytes>"}

Key ids run from 1 to 65535 and are written into every ciphertext, so old keys stay
usable after a rotation until every row has been re-encrypted under the primary key.
The index key never rotates: every blind index in the database was made with it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from registry.errors import RegistryError
from registry.i18n import N_

KEYRING_FORMAT_VERSION = 1
ENCRYPTION_KEY_BYTES = 32
MIN_INDEX_KEY_BYTES = 32
MAX_KEY_ID = 65535
ENV_KEYRING_PATH = "REGISTRY_KEYRING"
ENV_KEYRING_DATA = "REGISTRY_KEYRING_DATA"
_FIELDS = frozenset({"version", "primary", "encryption_keys", "index_key"})


class KeyringError(RegistryError):
    """The keyring is missing, unreadable or malformed, or lacks a key that is needed."""

    message = N_("The encryption keyring cannot be used.")


def _fail(where: str, detail: str) -> KeyringError:
    # Operator-facing, so details stay English; never include key material in them.
    return KeyringError(N_("keyring %(where)s: %(detail)s"), where=where, detail=detail)


def _check(keys: Mapping[int, bytes], primary: int, index_key: bytes, where: str) -> None:
    if not keys:
        raise _fail(where, "encryption_keys is empty")
    for key_id, key in keys.items():
        if type(key_id) is not int or not 1 <= key_id <= MAX_KEY_ID:
            raise _fail(where, f"key id {key_id!r} is not a whole number from 1 to {MAX_KEY_ID}")
        if not isinstance(key, bytes) or len(key) != ENCRYPTION_KEY_BYTES:
            raise _fail(where, f"key {key_id} is not {ENCRYPTION_KEY_BYTES} bytes")
    if type(primary) is not int or primary not in keys:
        raise _fail(where, f"primary key id {primary!r} is not among encryption_keys")
    if not isinstance(index_key, bytes) or len(index_key) < MIN_INDEX_KEY_BYTES:
        raise _fail(where, f"index_key is not {MIN_INDEX_KEY_BYTES} or more bytes")
    seen: dict[bytes, int] = {}
    for key_id, key in sorted(keys.items()):
        if key in seen:
            raise _fail(where, f"keys {seen[key]} and {key_id} are the same secret")
        seen[key] = key_id
        if secrets.compare_digest(key, index_key):
            raise _fail(where, f"index_key is the same secret as encryption key {key_id}")


@dataclass(frozen=True)
class Keyring:
    """Encryption keys by id, which of them encrypts new values, and the blind-index key."""

    # repr=False: a keyring printed in a traceback or log must not leak its keys.
    encryption_keys: Mapping[int, bytes] = field(repr=False)
    primary_key_id: int
    index_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check(self.encryption_keys, self.primary_key_id, self.index_key, "(in memory)")
        object.__setattr__(self, "encryption_keys", MappingProxyType(dict(self.encryption_keys)))

    def primary_key(self) -> bytes:
        """The key that encrypts every new value."""
        return self.encryption_keys[self.primary_key_id]

    def key(self, key_id: int) -> bytes:
        """The key with this id; raises ``KeyringError`` naming the id if the keyring lacks it."""
        try:
            return self.encryption_keys[key_id]
        except KeyError:
            raise _fail("(in memory)", f"there is no encryption key with id {key_id}") from None

    def with_new_primary(self) -> Keyring:
        """A copy with a fresh random key (id one above the highest) as primary.

        The index key is kept, so blind indexes already stored stay valid.
        """
        new_id = max(self.encryption_keys) + 1
        if new_id > MAX_KEY_ID:
            raise _fail("(in memory)", f"no key id is left above {MAX_KEY_ID}")
        keys = {**self.encryption_keys, new_id: secrets.token_bytes(ENCRYPTION_KEY_BYTES)}
        return Keyring(encryption_keys=keys, primary_key_id=new_id, index_key=self.index_key)

    def to_json(self) -> str:
        """The keyring in the documented JSON format (contains secrets: write it privately)."""
        document = {
            "version": KEYRING_FORMAT_VERSION,
            "primary": self.primary_key_id,
            "encryption_keys": {
                str(key_id): base64.b64encode(key).decode("ascii")
                for key_id, key in sorted(self.encryption_keys.items())
            },
            "index_key": base64.b64encode(self.index_key).decode("ascii"),
        }
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def generate(cls) -> Keyring:
        """A new keyring with random key 1 as primary and a random index key."""
        return cls(
            encryption_keys={1: secrets.token_bytes(ENCRYPTION_KEY_BYTES)},
            primary_key_id=1,
            index_key=secrets.token_bytes(MIN_INDEX_KEY_BYTES),
        )

    @classmethod
    def from_json(cls, text: str, *, source: str) -> Keyring:
        """Parse and strictly check keyring JSON; every error names ``source`` and the field."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            # The position only, never error.doc: the text holds the keys.
            raise _fail(source, f"not valid JSON ({error.msg} at line {error.lineno})") from None
        if not isinstance(document, dict):
            raise _fail(source, "the top level is not a JSON object")
        if missing := sorted(_FIELDS - set(document)):
            raise _fail(source, f"missing field(s) {', '.join(missing)}")
        if unknown := sorted(set(document) - _FIELDS):
            raise _fail(source, f"unknown field(s) {', '.join(unknown)}")
        if document["version"] != KEYRING_FORMAT_VERSION or type(document["version"]) is not int:
            raise _fail(source, f"version is {document['version']!r}; only 1 is understood")
        raw_keys = document["encryption_keys"]
        if not isinstance(raw_keys, dict) or not raw_keys:
            raise _fail(source, "encryption_keys is not a non-empty object of key id to key")
        keys = {
            _parse_key_id(name, source): _decode(value, source, f"key {name}", exact=True)
            for name, value in raw_keys.items()
        }
        primary = document["primary"]
        if type(primary) is not int:
            raise _fail(source, "primary is not a whole number")
        index_key = _decode(document["index_key"], source, "index_key", exact=False)
        _check(keys, primary, index_key, source)
        return cls(encryption_keys=keys, primary_key_id=primary, index_key=index_key)


def _parse_key_id(name: str, source: str) -> int:
    # Canonical decimal only, so "2" and "02" cannot name two different entries.
    if not (name.isascii() and name.isdigit() and name[0] != "0" and int(name) <= MAX_KEY_ID):
        raise _fail(source, f"encryption_keys: {name!r} is not a key id from 1 to {MAX_KEY_ID}")
    return int(name)


def _decode(value: Any, source: str, what: str, *, exact: bool) -> bytes:
    try:
        key = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except (binascii.Error, ValueError):
        key = b""
    if exact and len(key) != ENCRYPTION_KEY_BYTES:
        raise _fail(source, f"{what} is not {ENCRYPTION_KEY_BYTES} bytes of base64")
    if not exact and len(key) < MIN_INDEX_KEY_BYTES:
        raise _fail(source, f"{what} is not {MIN_INDEX_KEY_BYTES} or more bytes of base64")
    return key


def load_keyring(*, path: str | None, data: str | None) -> Keyring:
    """Load the keyring from JSON in ``data`` if given (REGISTRY_KEYRING_DATA), else from ``path``.

    Raises ``KeyringError`` if neither is set, the file is missing or unreadable, or the
    keyring is malformed. An empty string counts as not set, as an empty variable does.
    """
    if data:
        return Keyring.from_json(data, source=f"${ENV_KEYRING_DATA}")
    if not path:
        raise KeyringError(
            N_(
                "No keyring is configured: set %(path_variable)s to a keyring file, or"
                " %(data_variable)s to the keyring JSON."
            ),
            path_variable=ENV_KEYRING_PATH,
            data_variable=ENV_KEYRING_DATA,
        )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(path, "the file does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise _fail(path, f"the file cannot be read ({reason})") from None
    return Keyring.from_json(text, source=path)


def file_is_private(path: str) -> bool:
    """Whether only the owner may read or write the keyring file (no group or other bits)."""
    return os.stat(path).st_mode & 0o077 == 0


def write_keyring_file(keyring: Keyring, path: str, *, allow_removing_keys: bool = False) -> None:
    """Write the keyring to ``path`` atomically, readable by the owner only (mode 0600).

    The file is written beside the target, synced, then renamed over it, so a crash leaves
    either the old keyring or the new one. Replacing a keyring with one that lacks any of
    its keys, or has another index key, would make stored data unreadable or unfindable:
    that raises ``KeyringError`` unless ``allow_removing_keys`` (old keys retired after a
    completed re-encryption).
    """
    target = Path(path)
    if target.exists() and not allow_removing_keys:
        _refuse_key_loss(load_keyring(path=path, data=None), keyring, path)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".keyring-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(keyring.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def _refuse_key_loss(old: Keyring, new: Keyring, path: str) -> None:
    lost = [k for k, key in old.encryption_keys.items() if new.encryption_keys.get(k) != key]
    if lost:
        raise _fail(path, f"the new keyring lacks or changes keys {lost}; data under them is lost")
    if old.index_key != new.index_key:
        raise _fail(path, "the new keyring changes index_key; every stored blind index is lost")


def _sync_directory(directory: Path) -> None:
    # Makes the rename itself durable; without it a power cut can bring back the old file.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
