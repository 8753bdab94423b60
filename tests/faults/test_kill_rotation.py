"""A key rotation killed between batches leaves every CCCD and account number readable
(under the old key or the new) and findable, and ``flask keys rotate --resume`` finishes it.

``flask keys rotate`` writes the new keyring first, then re-encrypts in batches, each
committed; the pause point ``rotate-batch`` stops it after the first batch's commit.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from registry.auth.actors import Actor
from registry.extensions import db, keys
from registry.identity.keyring import load_keyring
from registry.identity.services import encrypted_columns
from registry.people.models import Person
from registry.people.queries import find_by_cccd
from tests.faults.conftest import Registry


def _plaintexts(registry: Registry) -> tuple[dict[tuple[str, str], str], Counter]:
    """Every encrypted value decrypted with the registry's keyring, and rows per key id;
    each CCCD is also looked up through the blind index and must find its own person."""
    values: dict[tuple[str, str], str] = {}
    per_key: Counter = Counter()
    with registry.app():
        cipher = keys.cipher
        for column in encrypted_columns():
            rows = db.session.execute(
                select(column.model.id, column.ciphertext).where(column.ciphertext.is_not(None))
            ).all()
            for row_id, blob in rows:
                values[(column.label, str(row_id))] = cipher.decrypt(blob, column.context(row_id))
                per_key[cipher.key_id_of(blob)] += 1
        actor = Actor.system("tests")
        with_cccd = select(Person.id).where(Person.cccd_index.is_not(None))
        for person_id in db.session.scalars(with_cccd):
            cccd = values[("people.cccd", str(person_id))]
            found = find_by_cccd(cccd, actor=actor, cipher=cipher)
            assert found is not None and found.id == person_id
        db.session.rollback()  # the look-ups' audit events
    return values, per_key


def test_a_killed_rotation_leaves_every_value_readable_and_resume_finishes_it(
    registry: Registry,
):
    before, per_key = _plaintexts(registry)
    assert set(per_key) == {1} and sum(per_key.values()) > 150

    registry.start("keys", "rotate", "--batch-size", "40", pause="rotate-batch").kill()
    ring = load_keyring(path=str(registry.keyring), data=None)
    assert ring.primary_key_id == 2 and set(ring.encryption_keys) == {1, 2}
    during, per_key = _plaintexts(registry)
    assert during == before
    assert per_key[2] == 40 and per_key[1] == len(before) - 40  # one batch committed, no more
    registry.integrity()

    status = registry.run("keys", "status").stdout
    assert f"rows not yet under the primary key: {len(before) - 40}" in status
    registry.run("keys", "rotate", "--resume", "--batch-size", "40")
    after, per_key = _plaintexts(registry)
    assert after == before and set(per_key) == {2}
    registry.integrity()
