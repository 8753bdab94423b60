"""People, their dated circumstances and merit records, and payment accounts."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, str_enum, utcnow
from registry.households.models import Household
from registry.identity.types import BlindIndex, Ciphertext
from registry.units.models import AdminUnit


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class Relation(enum.StrEnum):
    """Quan hệ với chủ hộ."""

    HEAD = "head"  # chủ hộ
    WIFE = "wife"  # vợ
    HUSBAND = "husband"  # chồng
    CHILD = "child"  # con
    GRANDCHILD = "grandchild"  # cháu
    FATHER = "father"  # cha
    MOTHER = "mother"  # mẹ
    OLDER_BROTHER = "older_brother"  # anh
    OLDER_SISTER = "older_sister"  # chị
    YOUNGER_SIBLING = "younger_sibling"  # em
    OTHER = "other"  # khác


class Person(Base):
    """A person (cá nhân). ``id`` is a random UUID that every other table joins on.

    The CCCD is stored only as AES-GCM ciphertext bound to this row, plus a keyed
    HMAC blind index used for exact lookup and duplicate detection.
    """

    __tablename__ = "people"
    __table_args__ = (
        # The household, when there is one, is in the person's commune (composite FK).
        ForeignKeyConstraint(
            ["household_id", "commune_id"],
            ["households.id", "households.commune_id"],
            name="fk_people_household_commune",
        ),
        CheckConstraint("birth_year BETWEEN 1880 AND 2200", name="birth_year_range"),
        CheckConstraint(
            "death_on IS NULL OR birth_date IS NULL OR death_on >= birth_date",
            name="death_after_birth",
        ),
        CheckConstraint("(cccd_ciphertext IS NULL) = (cccd_index IS NULL)", name="cccd_pair"),
        CheckConstraint("(cmnd_ciphertext IS NULL) = (cmnd_index IS NULL)", name="cmnd_pair"),
        CheckConstraint(
            "(household_id IS NULL) = (relation IS NULL)", name="relation_with_household"
        ),
        Index("ix_people_commune_sort", "commune_id", "given_name_key", "name_key"),
        # A province-wide search for common words walks the list in its sort order and stops
        # at the page (registry/people/queries.py); merged records are never listed.
        Index(
            "ix_people_search_sort",
            "given_name_key",
            "name_key",
            "id",
            sqlite_where=text("merged_into_id IS NULL"),
            postgresql_where=text("merged_into_id IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    full_name: Mapped[str] = mapped_column(String(200))
    #: Lower-case unaccented name padded with spaces (" nguyen van duc "), for word search.
    name_key: Mapped[str] = mapped_column(String(220), index=True)
    #: Unaccented given name (the last word): offices sort lists by it, then by full name.
    given_name_key: Mapped[str] = mapped_column(String(60))
    birth_date: Mapped[date | None]
    #: Always set; the only birth information for many elderly people (năm sinh).
    birth_year: Mapped[int]
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "sex"))
    death_on: Mapped[date | None]
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    relation: Mapped[Relation | None] = mapped_column(str_enum(Relation, "relation"))
    cccd_ciphertext: Mapped[bytes | None] = mapped_column(Ciphertext())
    cccd_index: Mapped[bytes | None] = mapped_column(BlindIndex(), unique=True)
    cmnd_ciphertext: Mapped[bytes | None] = mapped_column(Ciphertext())
    cmnd_index: Mapped[bytes | None] = mapped_column(BlindIndex(), index=True)
    #: Why a CCCD that contradicts the recorded sex/birth year was accepted anyway.
    cccd_override_reason: Mapped[str | None] = mapped_column(String(300))
    #: The record this duplicate was merged into (gộp hồ sơ trùng); it then stays only as
    #: history, hidden from searches and lists.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), index=True)
    merged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    commune: Mapped[AdminUnit] = relationship(lazy="joined")
    household: Mapped[Household | None] = relationship(
        foreign_keys=[household_id],
        primaryjoin="Household.id == Person.household_id",
    )
    circumstances: Mapped[list[Circumstance]] = relationship(
        back_populates="person", order_by="Circumstance.started_on.desc()"
    )
    merit_records: Mapped[list[MeritRecord]] = relationship(
        back_populates="person", order_by="MeritRecord.id"
    )


class CircumstanceKind(enum.StrEnum):
    """Dated facts the law engine needs (Decree 20/2021/NĐ-CP art. 5)."""

    DISABILITY = "disability"  # khuyết tật, with level and certificate date
    PENSION = "pension"  # lương hưu / trợ cấp BHXH hằng tháng
    HIV = "hiv"  # sensitive: never shown to auditors or posted publicly
    STUDYING = "studying"  # đang học
    SINGLE_PARENT = "single_parent"  # đơn thân nuôi con, with number of children
    NO_SUPPORTER = "no_supporter"  # không có người phụng dưỡng
    TAKEN_IN_BY_CARER = "taken_in_by_carer"  # được nhận chăm sóc tại cộng đồng
    WITHOUT_SUPPORT = "without_support"  # trẻ em không có nguồn nuôi dưỡng
    PREGNANCY = "pregnancy"  # mang thai


SENSITIVE_KINDS = frozenset({CircumstanceKind.HIV})


class DisabilityLevel(enum.StrEnum):
    MILD = "mild"  # nhẹ
    SEVERE = "severe"  # nặng
    ESPECIALLY_SEVERE = "especially_severe"  # đặc biệt nặng


class Circumstance(Base):
    """A circumstance of a person over a period (from ``started_on`` to ``ended_on``)."""

    __tablename__ = "circumstances"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="valid_period"),
        CheckConstraint(
            "(kind = 'disability') = (disability_level IS NOT NULL)", name="disability_needs_level"
        ),
        CheckConstraint(
            "(kind = 'single_parent') = (children_count IS NOT NULL)",
            name="single_parent_needs_children",
        ),
        CheckConstraint("children_count IS NULL OR children_count >= 1", name="children_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[CircumstanceKind] = mapped_column(str_enum(CircumstanceKind, "circumstance_kind"))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    disability_level: Mapped[DisabilityLevel | None] = mapped_column(
        str_enum(DisabilityLevel, "disability_level")
    )
    children_count: Mapped[int | None]
    #: Certificate or decision number (số giấy xác nhận, số quyết định).
    reference: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="circumstances")

    def is_in_force_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


class MeritCategory(enum.StrEnum):
    """Categories of people with meritorious service and relatives (Ordinance 02/2020 art. 3)."""

    PRE1945_REVOLUTIONARY = "pre1945_revolutionary"
    AUG1945_REVOLUTIONARY = "aug1945_revolutionary"
    MARTYR_RELATIVE = "martyr_relative"
    HEROIC_MOTHER = "heroic_mother"
    WARTIME_HERO = "wartime_hero"
    WAR_INVALID = "war_invalid"
    WAR_INVALID_CLASS_B = "war_invalid_class_b"
    SICK_SOLDIER = "sick_soldier"
    AGENT_ORANGE = "agent_orange"
    FORMER_PRISONER = "former_prisoner"
    RESISTANCE_PARTICIPANT = "resistance_participant"
    REVOLUTION_HELPER = "revolution_helper"


#: Categories whose amount depends on the bodily-injury rate (tỷ lệ tổn thương cơ thể).
RATED_CATEGORIES = frozenset(
    {
        MeritCategory.WAR_INVALID,
        MeritCategory.WAR_INVALID_CLASS_B,
        MeritCategory.SICK_SOLDIER,
        MeritCategory.AGENT_ORANGE,
    }
)


class MeritRecord(Base):
    """One merit recognition of a person (hồ sơ người có công)."""

    __tablename__ = "merit_records"
    __table_args__ = (
        CheckConstraint("injury_rate IS NULL OR injury_rate BETWEEN 1 AND 100", name="injury_rate"),
        CheckConstraint("martyrs IS NULL OR martyrs >= 1", name="martyrs_positive"),
        CheckConstraint(
            "(category = 'martyr_relative') = (martyrs IS NOT NULL)", name="relative_needs_martyrs"
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= recognised_on", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    category: Mapped[MeritCategory] = mapped_column(str_enum(MeritCategory, "merit_category"))
    injury_rate: Mapped[int | None]
    martyrs: Mapped[int | None]
    certificate_number: Mapped[str | None] = mapped_column(String(80))
    recognised_on: Mapped[date]
    ended_on: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="merit_records")


class PaymentChannel(enum.StrEnum):
    BANK = "bank"
    POST_OFFICE = "post_office"  # cash at the post office (bưu điện)
    EWALLET = "ewallet"


class PaymentAccount(Base):
    """Where a person's benefits are paid; at most one active account per person."""

    __tablename__ = "payment_accounts"
    __table_args__ = (
        Index(
            "uq_payment_accounts_active_person",
            "person_id",
            unique=True,
            sqlite_where=text("is_active"),
            postgresql_where=text("is_active"),
        ),
        CheckConstraint(
            "channel = 'post_office' OR (account_ciphertext IS NOT NULL AND bank_bin IS NOT NULL)",
            name="account_for_transfers",
        ),
        CheckConstraint(
            "(account_ciphertext IS NULL) = (account_index IS NULL)", name="account_pair"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[PaymentChannel] = mapped_column(str_enum(PaymentChannel, "payment_channel"))
    #: NAPAS member bank identification number (6 digits).
    bank_bin: Mapped[str | None] = mapped_column(String(6))
    account_ciphertext: Mapped[bytes | None] = mapped_column(Ciphertext())
    account_index: Mapped[bytes | None] = mapped_column(BlindIndex(), index=True)
    holder_name: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


#: Byte order, so that a prefix is a range of words on every database.
_WORD = String(220).with_variant(String(220, collation="C"), "postgresql")


class NameWord(Base):
    """One word of one distinct name key in use: the index behind the unaccented name search.

    Kept by database triggers on ``people`` (migration 0012), so every writer (forms, the
    import, set-based loads) keeps it without doing anything. There are far fewer distinct
    names than people, so the words of a query find the names that match in a few
    milliseconds, and the people then come through ``people.name_key``'s index. A name no
    longer used stays (it finds no one) rather than costing every write a check.
    """

    __tablename__ = "name_words"

    word: Mapped[str] = mapped_column(_WORD, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(220), primary_key=True)
