"""The column mapping a commune's files use, remembered for the next import of that commune."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class ImportMapping(Base):
    """Their header → our column key (None: ignore the column), one per commune and kind of
    list (a people list and a poverty review list name their columns differently)."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("commune_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    #: The kind of list (registry.imports.kinds): "people" or "poverty".
    kind: Mapped[str] = mapped_column(String(20), default="people", server_default="people")
    #: {"Họ tên chủ hộ/thành viên": "full_name", "Ghi chú": None, …}, headers as written.
    mapping: Mapped[dict[str, str | None]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
