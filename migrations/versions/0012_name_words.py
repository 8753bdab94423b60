"""The name-word index behind the unaccented name search, kept by triggers on ``people``.

``name_words`` holds each word of each distinct ``people.name_key``: a query word is a prefix,
so a range of words, and the names found then reach the people through ``people.name_key``'s
index. Triggers fill it for every writer (forms, imports, set-based loads):

- SQLite: row triggers after INSERT and after UPDATE OF name_key, skipped by their WHEN
  clause when the name is already known (one index probe), splitting the key with json_each
  (the key is folded to ``[a-z0-9 ]``, so it is safe inside a JSON string);
- PostgreSQL: a statement trigger with a transition table after INSERT, so an import's
  multi-row inserts add their new names set-based, and a row trigger after a rename.

A batch migration that recreates ``people`` on SQLite drops its triggers: recreate them
there (tests/people/test_name_index.py checks they exist and work after ``upgrade``).

Also the partial index ``ix_people_search_sort`` over the list order, which a search for very
common words walks until the page is full.

Revision ID: 0012_name_words
Revises: 0011_backup_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_name_words"
down_revision = "0011_backup_audit"
branch_labels = None
depends_on = None

# The first word of a key: with the key, one primary-key probe tells whether it is known.
_SQLITE_FIRST = "substr(trim({k}), 1, instr(trim({k}) || ' ', ' ') - 1)"
_SQLITE_WORDS = "json_each('[\"' || replace(trim({k}), ' ', '\",\"') || '\"]')"

_SQLITE_UNKNOWN = f"""NOT EXISTS (
        SELECT 1 FROM name_words
        WHERE word = {_SQLITE_FIRST.format(k="NEW.name_key")} AND name_key = NEW.name_key
    )"""
_SQLITE_ADD = f"""
        INSERT OR IGNORE INTO name_words (word, name_key)
        SELECT value, NEW.name_key FROM {_SQLITE_WORDS.format(k="NEW.name_key")}
        WHERE value <> '';"""

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER people_name_words_insert AFTER INSERT ON people
    WHEN {_SQLITE_UNKNOWN}
    BEGIN{_SQLITE_ADD}
    END
    """,
    # A rename only: updates of other columns (a key rotation rewrites every row) skip it.
    f"""
    CREATE TRIGGER people_name_words_update AFTER UPDATE OF name_key ON people
    WHEN NEW.name_key IS NOT OLD.name_key AND {_SQLITE_UNKNOWN}
    BEGIN{_SQLITE_ADD}
    END
    """,
]

POSTGRESQL_FUNCTION = """
CREATE FUNCTION name_words_from_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO name_words (word, name_key)
    SELECT DISTINCT w.word, n.name_key
    FROM (SELECT DISTINCT name_key FROM changed_people) AS n
    CROSS JOIN LATERAL unnest(string_to_array(btrim(n.name_key), ' ')) AS w(word)
    WHERE w.word <> ''
      AND NOT EXISTS (
        SELECT 1 FROM name_words k
        WHERE k.word = split_part(btrim(n.name_key), ' ', 1) AND k.name_key = n.name_key
      )
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""

# Renames are rare and come one row at a time; a row trigger limited to the column (which a
# transition table does not allow) leaves the other updates, a key rotation's included, alone.
POSTGRESQL_RENAME_FUNCTION = """
CREATE FUNCTION name_words_from_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO name_words (word, name_key)
    SELECT DISTINCT w.word, NEW.name_key
    FROM unnest(string_to_array(btrim(NEW.name_key), ' ')) AS w(word)
    WHERE w.word <> ''
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""

POSTGRESQL_TRIGGERS = [
    """
    CREATE TRIGGER people_name_words_insert AFTER INSERT ON people
    REFERENCING NEW TABLE AS changed_people
    FOR EACH STATEMENT EXECUTE FUNCTION name_words_from_people()
    """,
    """
    CREATE TRIGGER people_name_words_update AFTER UPDATE OF name_key ON people
    FOR EACH ROW WHEN (OLD.name_key IS DISTINCT FROM NEW.name_key)
    EXECUTE FUNCTION name_words_from_person()
    """,
]


def upgrade() -> None:
    word = sa.String(220).with_variant(sa.String(220, collation="C"), "postgresql")
    op.create_table(
        "name_words",
        sa.Column("word", word, nullable=False),
        sa.Column("name_key", sa.String(220), nullable=False),
        sa.PrimaryKeyConstraint("word", "name_key", name=op.f("pk_name_words")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_people_search_sort",
        "people",
        ["given_name_key", "name_key", "id"],
        sqlite_where=sa.text("merged_into_id IS NULL"),
        postgresql_where=sa.text("merged_into_id IS NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            INSERT INTO name_words (word, name_key)
            SELECT DISTINCT w.word, n.name_key
            FROM (SELECT DISTINCT name_key FROM people) AS n
            CROSS JOIN LATERAL unnest(string_to_array(btrim(n.name_key), ' ')) AS w(word)
            WHERE w.word <> ''
            """
        )
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_RENAME_FUNCTION)
        for trigger in POSTGRESQL_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(
            f"""
            INSERT OR IGNORE INTO name_words (word, name_key)
            SELECT j.value, n.name_key
            FROM (SELECT DISTINCT name_key FROM people) AS n,
                 {_SQLITE_WORDS.format(k="n.name_key")} AS j
            WHERE j.value <> ''
            """
        )
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    for event in ("insert", "update"):
        op.execute(
            f"DROP TRIGGER IF EXISTS people_name_words_{event}"
            + (" ON people" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS name_words_from_people()")
        op.execute("DROP FUNCTION IF EXISTS name_words_from_person()")
    op.drop_index("ix_people_search_sort", table_name="people")
    op.drop_table("name_words")
