"""The admin_units table: one row per unit and validity period, linked to its parent."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, str_enum


class UnitLevel(enum.StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"  # abolished on 1/7/2025 (two-tier local government)
    COMMUNE = "commune"  # xã, phường, thị trấn, đặc khu


class AdminUnit(Base):
    """An administrative unit with its official code (Decision 124/2004, then 19/2025/QĐ-TTg).

    A code is never reused for another unit, but a merged unit keeps the code of one of
    the units it absorbed, so (code, valid_from) is the natural key and rows are dated.
    """

    __tablename__ = "admin_units"
    __table_args__ = (
        UniqueConstraint("code", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[UnitLevel] = mapped_column(str_enum(UnitLevel, "unit_level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]

    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id])

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        return f"<AdminUnit {self.code} {self.name}>"
