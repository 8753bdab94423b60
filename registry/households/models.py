"""Households and their poverty status per review year."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, str_enum, utcnow
from registry.units.models import AdminUnit

if TYPE_CHECKING:
    from registry.people.models import Person


class PovertyStatus(enum.StrEnum):
    POOR = "poor"  # hộ nghèo
    NEAR_POOR = "near_poor"  # hộ cận nghèo
    AVERAGE = "average"  # hộ có mức sống trung bình
    NONE = "none"


class Area(enum.StrEnum):
    RURAL = "rural"
    URBAN = "urban"


class Household(Base):
    """A household (hộ gia đình) registered in one commune, with a head (chủ hộ)."""

    __tablename__ = "households"
    # (id, commune_id) is unique so people can reference both and always share the commune.
    __table_args__ = (
        UniqueConstraint("id", "commune_id", name="uq_households_id_commune"),
        # A commune's list, in code order (the household list page): without it PostgreSQL
        # walks the province's code index and drops every other commune's households.
        Index("ix_households_commune_code", "commune_id", "code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: Mã hộ: the office's own household code, unique nationally.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    address: Mapped[str] = mapped_column(String(300))
    #: Lower-case unaccented address padded with spaces, so "boi chau" finds "Bội Châu".
    address_key: Mapped[str] = mapped_column(String(320))
    head_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", use_alter=True, name="fk_households_head_id_people")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    commune: Mapped[AdminUnit] = relationship(lazy="joined")
    head: Mapped[Person | None] = relationship(foreign_keys=[head_id], post_update=True)
    members: Mapped[list[Person]] = relationship(
        foreign_keys="Person.household_id",
        primaryjoin="Household.id == Person.household_id",
        order_by="Person.birth_year",
        viewonly=True,
    )
    poverty_statuses: Mapped[list[HouseholdPovertyStatus]] = relationship(
        back_populates="household", order_by="HouseholdPovertyStatus.review_year.desc()"
    )

    def poverty_on(self, day: date) -> HouseholdPovertyStatus | None:
        """The poverty status in force on ``day`` (latest review whose period covers it)."""
        for status in self.poverty_statuses:
            if status.valid_from <= day and (status.valid_to is None or day <= status.valid_to):
                return status
        return None


class HouseholdPovertyStatus(Base):
    """Result of a poverty review (rà soát hộ nghèo, hộ cận nghèo) for one household.

    Decree 07/2021/NĐ-CP (standard 2022–2025, extended through 2026 by Decree 351/2025);
    the yearly review (1/9–14/12) decides the status used for the following year.
    """

    __tablename__ = "household_poverty_statuses"
    __table_args__ = (
        UniqueConstraint("household_id", "review_year"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
        CheckConstraint(
            "income_per_head IS NULL OR income_per_head >= 0", name="income_non_negative"
        ),
        CheckConstraint("review_year BETWEEN 2000 AND 2100", name="review_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    review_year: Mapped[int]
    status: Mapped[PovertyStatus] = mapped_column(str_enum(PovertyStatus, "poverty_status"))
    area: Mapped[Area] = mapped_column(str_enum(Area, "area"))
    #: Xã/thôn đặc biệt khó khăn vùng đồng bào DTTS và miền núi.
    is_especially_difficult_area: Mapped[bool] = mapped_column(default=False)
    #: Thu nhập bình quân đầu người, VND per month.
    income_per_head: Mapped[int | None]
    #: Codes of the deprivation indicators the household is short on (chỉ số thiếu hụt).
    deprivations: Mapped[list[str]] = mapped_column(JSON, default=list)
    decision_number: Mapped[str | None] = mapped_column(String(80))
    decision_on: Mapped[date | None]
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    household: Mapped[Household] = relationship(back_populates="poverty_statuses")
