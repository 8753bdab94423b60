"""The name-word index and the search paths built on it give exactly what the plain rule gives:
every query word starts a word of the name, accents optional, sorted by given then full name."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import insert, inspect, select, text, update

from registry.extensions import db
from registry.people import queries
from registry.people.models import NameWord, Person
from registry.people.names import fold, given_name_key, name_key
from registry.people.queries import matching_names, search_people
from registry.units.scope import units_under
from tests import factories
from tests.conftest import WARD_A, WARD_B

NAMES = [
    "Nguyễn Văn Đức",
    "Nguyễn Văn Dũng",
    "Nguyễn Thị Dung",
    "Trần Thị Hoa",
    "Trần Thị Hoài",
    "Hoàng Thị Thu Trang",
    "Lê Văn Minh",
    "Lê Minh Văn",
    "Phạm Quốc Đạt",
    "Đặng Thị Vân",
    "Nguyễn Thị Vân Anh",
    "Tôn Nữ Thị Hà",
]
QUERIES = [
    "nguyen van d",
    "Nguyễn",
    "van",
    "thi v",
    "tran thi hoa",
    "hoai tran",
    "d",
    "minh le",
    "ton nu",
    "zz",
    "nguyen thi van anh",
]


@pytest.fixture()
def people(actor, today):
    officer_a, officer_b = actor("commune_a"), actor("commune_b")
    home_a = factories.household(WARD_A, actor=officer_a, today=today)
    home_b = factories.household(WARD_B, actor=officer_b, today=today)
    made = []
    for i, full_name in enumerate(NAMES * 2):
        officer, home = (officer_a, home_a) if i % 3 else (officer_b, home_b)
        made.append(
            factories.person(
                actor=officer,
                today=today,
                household=home,
                full_name=full_name,
                birth_date=date(1950 + i, 1 + i % 12, 1),
            )
        )
    db.session.flush()
    return made


def expected(actor, query: str) -> list[uuid.UUID]:
    """The rule itself, in Python over every person of the actor's area."""
    words = fold(query).split()
    stmt = select(Person).where(Person.merged_into_id.is_(None))
    if actor.unit_id is not None:
        stmt = stmt.where(
            Person.commune_id.in_(list(db.session.scalars(units_under(actor.unit_id))))
        )
    found = [
        p
        for p in db.session.scalars(stmt)
        if all(any(w.startswith(q) for w in fold(p.full_name).split()) for q in words)
    ]
    found.sort(key=lambda p: (p.given_name_key, p.name_key, str(p.id)))
    return [p.id for p in found]


def every_page(actor, query: str, per_page: int = 4) -> tuple[list[uuid.UUID], list[int]]:
    ids, totals, page = [], [], 1
    while True:
        result = search_people(actor=actor, query=query, page=page, per_page=per_page)
        totals.append(result.total)
        ids += [p.id for p in result.people]
        if page >= result.pages:
            return ids, totals
        page += 1


@pytest.mark.parametrize("username", ["labour", "commune_a"])
@pytest.mark.parametrize("dense", [False, True], ids=["names", "common-words"])
@pytest.mark.parametrize("query", QUERIES)
def test_every_path_finds_what_the_rule_finds_in_the_list_order(
    people, actor, monkeypatch, username, dense, query
):
    if dense:
        # Every query as one whose words are too common for the names to narrow them.
        monkeypatch.setattr(queries, "NAMES_AT_MOST", 0)
    officer = actor(username)
    want = expected(officer, query)
    got, totals = every_page(officer, query)
    by_id = {p.id: p for p in people} | {
        p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(got)))
    }
    key = [(by_id[i].given_name_key, by_id[i].name_key) for i in got]
    assert key == sorted(key), "not in the list order"
    assert sorted(map(str, got)) == sorted(map(str, want))
    assert set(totals) == {len(want)}


def test_a_search_past_the_count_cap_says_more_and_still_pages_in_order(people, actor, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_AT_MOST", 3)
    officer = actor("labour")
    want = expected(officer, "nguyen")
    assert len(want) > 4
    first = search_people(actor=officer, query="nguyen", per_page=2)
    assert first.more and first.total == 4
    second = search_people(actor=officer, query="nguyen", page=2, per_page=2)
    names = [p.name_key for p in first.people + second.people]
    assert names == sorted(names, key=lambda n: (n.split()[-1], n))
    assert {p.id for p in first.people + second.people} <= set(want)


def test_a_merged_record_is_never_found(people, actor, today):
    officer = actor("labour")
    kept, merged = people[1], people[1 + len(NAMES)]
    merged.merged_into_id = kept.id
    db.session.flush()
    found = [p.id for p in search_people(actor=officer, query="nguyen van dung").people]
    assert kept.id in found and merged.id not in found


def words_of(key: str) -> set[str]:
    return set(db.session.scalars(select(NameWord.word).where(NameWord.name_key == key)))


def test_the_index_holds_each_word_of_each_name_once(people):
    for full_name in NAMES:
        key = name_key(full_name)
        assert words_of(key) == set(fold(full_name).split())
    assert matching_names(["hoai"]) == [name_key("Trần Thị Hoài")]
    assert matching_names(["zz"]) == []


def test_a_set_based_insert_and_a_rename_are_indexed_by_the_database(people, today):
    """The triggers, not the services: an import's bulk insert and a plain UPDATE."""
    commune = people[1].commune_id
    new_name = "Vi Văn Khánh"
    db.session.execute(
        insert(Person),
        [
            {
                "id": uuid.uuid4(),
                "full_name": new_name,
                "name_key": name_key(new_name),
                "given_name_key": given_name_key(new_name),
                "birth_year": 1970,
                "sex": "male",
                "commune_id": commune,
            }
        ],
    )
    assert words_of(name_key(new_name)) == {"vi", "van", "khanh"}
    renamed = "Hà Thị Ngọc Ánh"
    db.session.execute(
        update(Person)
        .where(Person.id == people[0].id)
        .values(full_name=renamed, name_key=name_key(renamed), given_name_key="anh")
    )
    assert words_of(name_key(renamed)) == {"ha", "thi", "ngoc", "anh"}
    # Other updates leave the index alone (a key rotation rewrites every row).
    before = db.session.scalar(select(text("count(*)")).select_from(NameWord))
    db.session.execute(update(Person).where(Person.id == people[2].id).values(birth_year=1960))
    assert db.session.scalar(select(text("count(*)")).select_from(NameWord)) == before


def test_the_triggers_exist_after_the_migrations(session):
    """A SQLite batch migration that recreates ``people`` drops its triggers silently."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        found = set(
            connection.scalars(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'people'::regclass")
            )
        )
    else:
        found = set(
            connection.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'people'"
                )
            )
        )
    assert {"people_name_words_insert", "people_name_words_update"} <= found
    assert "ix_people_search_sort" in {i["name"] for i in inspect(connection).get_indexes("people")}
