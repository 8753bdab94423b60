"""Field encryption bound to its place, key rotation, blind indexes and the column types."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from registry.identity import crypto, types
from registry.identity.crypto import DecryptionError, FieldCipher, FieldContext
from registry.identity.keyring import Keyring
from registry.identity.types import BlindIndex, Ciphertext

KEYRING = Keyring.generate()
CIPHER = FieldCipher(KEYRING)
HERE = FieldContext("people", "cccd_ciphertext", "5b0c3f0e-8a49-4c36-9d43-7f0c2a1d9e11")
DIALECT = sqlite.dialect()


@settings(max_examples=50)
@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_encrypt_then_decrypt_gives_the_value_back(value: str) -> None:
    assert CIPHER.decrypt(CIPHER.encrypt(value, HERE), HERE) == value


def test_layout_is_version_key_id_nonce_then_ciphertext_and_tag() -> None:
    blob = CIPHER.encrypt("046190012345", HERE)
    assert blob[0] == 0x01
    assert int.from_bytes(blob[1:3], "big") == KEYRING.primary_key_id == 1
    assert len(blob) == 1 + 2 + 12 + len("046190012345") + 16


@pytest.mark.parametrize(
    "elsewhere",
    [
        FieldContext("people", "cccd_ciphertext", "5b0c3f0e-8a49-4c36-9d43-7f0c2a1d9e12"),
        FieldContext("people", "cmnd_ciphertext", HERE.row_id),
        FieldContext("payment_accounts", "cccd_ciphertext", HERE.row_id),
    ],
    ids=["another row", "another column", "another table"],
)
def test_a_ciphertext_copied_elsewhere_fails_to_decrypt(elsewhere: FieldContext) -> None:
    blob = CIPHER.encrypt("046190012345", HERE)
    with pytest.raises(DecryptionError) as caught:
        CIPHER.decrypt(blob, elsewhere)
    assert caught.value.reason == "tag"
    message = str(caught.value)
    assert elsewhere.table in message and elsewhere.row_id in message
    assert "046190012345" not in message


def test_context_parts_cannot_be_shifted_across_the_separator() -> None:
    with pytest.raises(ValueError):
        FieldContext("people\x1fcccd", "x", "1")
    with pytest.raises(ValueError):
        FieldContext("people", "", "1")
    assert FieldContext("a", "bc", "1").aad() != FieldContext("ab", "c", "1").aad()


@pytest.mark.parametrize("position", [0, 1, 2, 3, 14, 15, -1])
def test_any_altered_byte_fails_to_decrypt(position: int) -> None:
    blob = bytearray(CIPHER.encrypt("046190012345", HERE))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        CIPHER.decrypt(bytes(blob), HERE)


def test_a_truncated_value_is_reported_as_too_short() -> None:
    with pytest.raises(DecryptionError) as caught:
        CIPHER.decrypt(CIPHER.encrypt("", HERE)[:-1], HERE)
    assert caught.value.reason == "short"


def test_an_unknown_format_version_is_reported() -> None:
    blob = b"\x02" + CIPHER.encrypt("x", HERE)[1:]
    with pytest.raises(DecryptionError) as caught:
        CIPHER.decrypt(blob, HERE)
    assert caught.value.reason == "version"


def test_memoryview_from_postgresql_decrypts() -> None:
    assert CIPHER.decrypt(memoryview(CIPHER.encrypt("x", HERE)), HERE) == "x"


def test_same_value_encrypts_differently_but_indexes_the_same() -> None:
    assert CIPHER.encrypt("046190012345", HERE) != CIPHER.encrypt("046190012345", HERE)
    assert CIPHER.blind_index("cccd", "046190012345") == CIPHER.blind_index("cccd", "046190012345")
    assert len(CIPHER.blind_index("cccd", "046190012345")) == 32


def test_blind_index_is_hmac_sha256_of_kind_and_value() -> None:
    expected = hmac.new(KEYRING.index_key, b"cccd:046190012345", hashlib.sha256).digest()
    assert CIPHER.blind_index("cccd", "046190012345") == expected


def test_blind_index_differs_by_kind_and_by_index_key() -> None:
    assert CIPHER.blind_index("cccd", "012345678") != CIPHER.blind_index("cmnd", "012345678")
    other = FieldCipher(Keyring.generate())
    assert CIPHER.blind_index("cccd", "046190012345") != other.blind_index("cccd", "046190012345")


def test_blind_index_refuses_unknown_kinds_and_unnormalised_ids() -> None:
    with pytest.raises(ValueError, match="kind"):
        CIPHER.blind_index("phone", "0901234567")
    with pytest.raises(ValueError, match="normalised"):
        CIPHER.blind_index("cccd", "046 190 012 345")
    assert len(CIPHER.blind_index("account", "970436:0071001234567")) == 32


def test_after_rotation_old_values_decrypt_and_reencrypt_moves_them_to_the_new_key() -> None:
    old_blob = CIPHER.encrypt("046190012345", HERE)
    rotated = FieldCipher(KEYRING.with_new_primary())
    assert rotated.keyring.primary_key_id == 2
    assert rotated.decrypt(old_blob, HERE) == "046190012345"
    assert not rotated.is_current(old_blob)
    new_blob = rotated.encrypt("046190012345", HERE)
    assert FieldCipher.key_id_of(new_blob) == 2 and rotated.is_current(new_blob)
    moved = rotated.reencrypt(old_blob, HERE)
    assert FieldCipher.key_id_of(moved) == 2
    assert rotated.decrypt(moved, HERE) == "046190012345"
    assert rotated.reencrypt(moved, HERE) == moved
    assert rotated.blind_index("cccd", "046190012345") == CIPHER.blind_index("cccd", "046190012345")


def test_decrypting_with_a_keyring_that_lost_the_old_key_names_the_key() -> None:
    rotated = KEYRING.with_new_primary()
    blob = CIPHER.encrypt("046190012345", HERE)
    pruned = Keyring(
        encryption_keys={2: rotated.key(2)}, primary_key_id=2, index_key=rotated.index_key
    )
    with pytest.raises(DecryptionError) as caught:
        FieldCipher(pruned).decrypt(blob, HERE)
    assert caught.value.reason == "unknown_key"
    assert "key 1" in str(caught.value) and "people.cccd_ciphertext" in str(caught.value)


def test_reencrypt_reports_a_damaged_value_instead_of_keeping_it() -> None:
    blob = bytearray(CIPHER.encrypt("046190012345", HERE))
    blob[-1] ^= 0x01
    with pytest.raises(DecryptionError):
        CIPHER.reencrypt(bytes(blob), HERE)


def test_key_id_of_refuses_something_that_is_not_a_ciphertext() -> None:
    with pytest.raises(ValueError):
        FieldCipher.key_id_of(b"046190012345")


def test_column_types_agree_with_the_cipher_layout() -> None:
    assert types.CIPHERTEXT_VERSION == crypto.FORMAT_VERSION
    assert types.MIN_CIPHERTEXT_BYTES == crypto.MIN_CIPHERTEXT_BYTES
    assert types.BLIND_INDEX_BYTES == crypto.BLIND_INDEX_BYTES


@pytest.mark.parametrize(
    "plaintext",
    ["046190012345", b"046190012345", b"\x01" + b"0" * 29, 46190012345, bytearray(b"x" * 40)],
)
def test_ciphertext_column_refuses_plaintext(plaintext: object) -> None:
    with pytest.raises(ValueError, match="not a registry ciphertext"):
        Ciphertext().process_bind_param(plaintext, DIALECT)


def test_ciphertext_column_stores_and_returns_bytes() -> None:
    blob = CIPHER.encrypt("046190012345", HERE)
    assert Ciphertext().process_bind_param(blob, DIALECT) == blob
    assert Ciphertext().process_bind_param(None, DIALECT) is None
    assert Ciphertext().process_result_value(memoryview(blob), DIALECT) == blob


@pytest.mark.parametrize("value", [b"x" * 31, b"x" * 33, b"", "x" * 32])
def test_blind_index_column_takes_exactly_32_bytes(value: object) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        BlindIndex().process_bind_param(value, DIALECT)


def test_blind_index_column_accepts_an_index() -> None:
    index = CIPHER.blind_index("cccd", "046190012345")
    assert BlindIndex().process_bind_param(index, DIALECT) == index
    assert BlindIndex().process_result_value(memoryview(index), DIALECT) == index
    assert repr(BlindIndex()) == "BlindIndex()"


# --- FieldCipher.decryptor: decrypt for a column of many rows -----------------------------


def test_a_column_decryptor_gives_what_decrypt_gives() -> None:
    blob = CIPHER.encrypt("046190012345", HERE)
    decrypt = CIPHER.decryptor(HERE.table, HERE.column)
    assert decrypt(blob, HERE.row_id) == "046190012345"
    assert decrypt(memoryview(blob), HERE.row_id) == "046190012345"
    assert decrypt(CIPHER.encrypt("", HERE), HERE.row_id) == ""


@pytest.mark.parametrize("row_id", ["another-row", ""])
def test_a_column_decryptor_refuses_another_row_as_decrypt_does(row_id: str) -> None:
    blob = CIPHER.encrypt("046190012345", HERE)
    decrypt = CIPHER.decryptor(HERE.table, HERE.column)
    with pytest.raises((DecryptionError, ValueError)) as found:
        decrypt(blob, row_id)
    with pytest.raises(type(found.value)):
        CIPHER.decrypt(blob, FieldContext(HERE.table, HERE.column, row_id or "x\x1fy"))


@pytest.mark.parametrize("damage", ["short", "version", "tag"])
def test_a_column_decryptor_reports_damage_with_decrypts_reason(damage: str) -> None:
    blob = bytearray(CIPHER.encrypt("046190012345", HERE))
    if damage == "short":
        blob = blob[:10]
    elif damage == "version":
        blob[0] = 0x7F
    else:
        blob[-1] ^= 1
    with pytest.raises(DecryptionError) as found:
        CIPHER.decryptor(HERE.table, HERE.column)(bytes(blob), HERE.row_id)
    assert found.value.reason == damage


def test_a_column_decryptor_checks_its_table_and_column() -> None:
    with pytest.raises(ValueError):
        CIPHER.decryptor("people\x1f", "cccd")
