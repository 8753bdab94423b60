"""The keyring: its JSON format, strict loading and private atomic writes."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from registry.identity import keyring as keyring_module
from registry.identity.keyring import (
    Keyring,
    KeyringError,
    file_is_private,
    load_keyring,
    write_keyring_file,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def document(**changes: object) -> str:
    base = {
        "version": 1,
        "primary": 2,
        "encryption_keys": {"1": b64(b"\x01" * 32), "2": b64(b"\x02" * 32)},
        "index_key": b64(b"\x09" * 32),
    }
    return json.dumps({**base, **changes})


def test_json_round_trip_keeps_every_key() -> None:
    keyring = Keyring.generate().with_new_primary()
    again = Keyring.from_json(keyring.to_json(), source="test")
    assert again == keyring
    assert again.primary_key_id == 2 and set(again.encryption_keys) == {1, 2}


def test_from_json_reads_the_documented_format() -> None:
    keyring = Keyring.from_json(document(), source="/etc/registry/keyring.json")
    assert keyring.primary_key_id == 2
    assert keyring.primary_key() == b"\x02" * 32
    assert keyring.key(1) == b"\x01" * 32
    assert keyring.index_key == b"\x09" * 32


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "top level"),
        (document(version=2), "version"),
        (document(version=True), "version"),
        (document(primary=3), "primary key id 3"),
        (document(primary="2"), "primary"),
        (document(encryption_keys={}), "encryption_keys"),
        (document(encryption_keys={"1": "AAAA"}, primary=1), "key 1 is not 32 bytes of base64"),
        (document(encryption_keys={"1": "not base64!"}, primary=1), "key 1"),
        (document(encryption_keys={"01": b64(b"\x01" * 32)}, primary=1), "'01'"),
        (document(encryption_keys={"65536": b64(b"\x01" * 32)}, primary=1), "'65536'"),
        (document(index_key=b64(b"\x09" * 16)), "index_key is not 32 or more bytes"),
        (document(index_key=b64(b"\x02" * 32)), "index_key is the same secret as encryption key 2"),
        (document(extra=1), "unknown field(s) extra"),
        (json.dumps({"version": 1}), "missing field(s) encryption_keys, index_key, primary"),
    ],
)
def test_from_json_errors_name_the_source_and_the_field(text: str, names: str) -> None:
    with pytest.raises(KeyringError) as caught:
        Keyring.from_json(text, source="/etc/registry/keyring.json")
    message = str(caught.value)
    assert message.startswith("keyring /etc/registry/keyring.json: ")
    assert names in message


def test_errors_and_repr_never_show_key_material() -> None:
    secret = b64(b"\x02" * 31)
    with pytest.raises(KeyringError) as caught:
        Keyring.from_json(document(encryption_keys={"2": secret}), source="s")
    assert secret not in str(caught.value)
    keyring = Keyring.generate()
    assert b64(keyring.primary_key()) not in repr(keyring)
    assert repr(keyring.primary_key()) not in repr(keyring)


def test_index_key_equal_to_an_encryption_key_is_refused() -> None:
    key = os.urandom(32)
    with pytest.raises(KeyringError, match="same secret"):
        Keyring(encryption_keys={1: key}, primary_key_id=1, index_key=key)


def test_a_missing_key_id_is_named() -> None:
    with pytest.raises(KeyringError, match="no encryption key with id 7"):
        Keyring.generate().key(7)


def test_with_new_primary_adds_a_key_and_keeps_the_index_key() -> None:
    first = Keyring.generate()
    second = first.with_new_primary()
    assert second.primary_key_id == 2
    assert second.key(1) == first.key(1)
    assert second.primary_key() != first.primary_key()
    assert second.index_key == first.index_key


def test_load_prefers_data_over_path(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    write_keyring_file(Keyring.generate(), str(path))
    from_data = load_keyring(path=str(path), data=document())
    assert from_data.primary_key() == b"\x02" * 32
    from_file = load_keyring(path=str(path), data="")
    assert from_file == Keyring.from_json(path.read_text(), source="x")


def test_load_errors_in_data_name_the_variable() -> None:
    with pytest.raises(KeyringError, match=r"keyring \$REGISTRY_KEYRING_DATA: .*version"):
        load_keyring(path=None, data=document(version=9))


def test_load_without_path_or_data_says_what_to_set() -> None:
    with pytest.raises(KeyringError) as caught:
        load_keyring(path=None, data=None)
    assert "REGISTRY_KEYRING" in str(caught.value)
    assert "REGISTRY_KEYRING_DATA" in str(caught.value)


def test_load_from_a_missing_or_unreadable_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(KeyringError, match=f"keyring {missing}: the file does not exist"):
        load_keyring(path=str(missing), data=None)
    with pytest.raises(KeyringError, match="cannot be read"):
        load_keyring(path=str(tmp_path), data=None)


def test_write_is_private_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "deeper" / "keyring.json"
    keyring = Keyring.generate()
    old_umask = os.umask(0o022)
    try:
        write_keyring_file(keyring, str(path))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert file_is_private(str(path))
    assert os.listdir(path.parent) == ["keyring.json"]
    assert load_keyring(path=str(path), data=None) == keyring


def test_file_is_private_spots_group_or_other_bits(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    path.write_text("{}")
    path.chmod(0o640)
    assert not file_is_private(str(path))


def test_a_failed_write_keeps_the_old_keyring(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "keyring.json"
    old = Keyring.generate()
    write_keyring_file(old, str(path))

    def broken_replace(source: str, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(keyring_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_keyring_file(old.with_new_primary(), str(path))
    assert load_keyring(path=str(path), data=None) == old
    assert os.listdir(tmp_path) == ["keyring.json"]


def test_rotation_may_replace_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    old = Keyring.generate()
    write_keyring_file(old, str(path))
    write_keyring_file(old.with_new_primary(), str(path))
    assert load_keyring(path=str(path), data=None).primary_key_id == 2


def test_replacing_a_keyring_with_one_that_loses_keys_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    write_keyring_file(Keyring.generate(), str(path))
    with pytest.raises(KeyringError, match="lacks or changes keys"):
        write_keyring_file(Keyring.generate(), str(path))
    write_keyring_file(Keyring.generate(), str(path), allow_removing_keys=True)


def test_replacing_the_index_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    old = Keyring.generate()
    write_keyring_file(old, str(path))
    same_keys_new_index = Keyring(
        encryption_keys=old.encryption_keys, primary_key_id=1, index_key=os.urandom(32)
    )
    with pytest.raises(KeyringError, match="changes index_key"):
        write_keyring_file(same_keys_new_index, str(path))
