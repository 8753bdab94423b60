"""The kinds of list the web import takes: what each file is, its columns, template and rights.

One flow (upload, mapping, preview, check, import) serves every kind; what differs is here.
No Flask and no database: the edge and the import job read these facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from registry.auth.permissions import Permission
from registry.errors import NotFoundError
from registry.i18n import N_
from registry.imports.columns import PEOPLE_COLUMNS, ColumnSet
from registry.imports.poverty_columns import POVERTY_COLUMNS


def _people_template() -> bytes:
    from registry.imports.template import write_template
    from registry.people.accounts import napas_banks

    return write_template(napas_banks())


def _poverty_template() -> bytes:
    from registry.imports.poverty_template import write_poverty_template

    return write_poverty_template()


@dataclass(frozen=True)
class ImportKind:
    """One kind of list an officer can import."""

    #: Stored with uploads, mappings and jobs ("people", "poverty").
    key: str
    #: What the officer calls the file (a message id, shown translated).
    label: str
    #: What one row of such a file is (a message id).
    hint: str
    columns: ColumnSet
    #: The kind of the background job that checks and imports such a file.
    job_kind: str
    #: What the officer must be allowed to do to import it.
    permission: Permission
    template: Callable[[], bytes]
    template_name: str
    #: Rows carry a commune code, filled with the chosen commune where a row gives none.
    fills_commune: bool
    #: The officer chooses what to do with a row whose CCCD is registered already.
    asks_on_duplicate: bool


PEOPLE = ImportKind(
    key="people",
    label=N_("List of household members"),
    hint=N_("One row per person; the rows with the same household code form one household."),
    columns=PEOPLE_COLUMNS,
    job_kind="people_import",
    permission=Permission.PERSON_WRITE,
    template=_people_template,
    template_name="mau-nhap-danh-sach.xlsx",
    fills_commune=True,
    asks_on_duplicate=True,
)
POVERTY = ImportKind(
    key="poverty",
    label=N_("Poor and near-poor household review list"),
    hint=N_(
        "One row per registered household: its result of the year's review (poor, near-poor…),"
        " which applies to the whole next year."
    ),
    columns=POVERTY_COLUMNS,
    job_kind="poverty_import",
    permission=Permission.POVERTY_WRITE,
    template=_poverty_template,
    template_name="mau-ra-soat-ho-ngheo.xlsx",
    fills_commune=False,
    asks_on_duplicate=False,
)

KINDS: dict[str, ImportKind] = {k.key: k for k in (PEOPLE, POVERTY)}
BY_JOB_KIND: dict[str, ImportKind] = {k.job_kind: k for k in KINDS.values()}


def import_kind(key: str | None) -> ImportKind:
    """The kind named ``key`` (None: the people list, as before kinds existed); else 404."""
    found = KINDS.get(key or PEOPLE.key)
    if found is None:
        raise NotFoundError()
    return found
