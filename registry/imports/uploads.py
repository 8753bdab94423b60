"""Files uploaded for a web import: stored under a random name with who may use them, the
first rows read for the mapping page and the preview, and removal of what is left over.

No Flask here: the folder (REGISTRY_IMPORT_DIR) is passed in by the edge.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path, PurePath
from typing import Any

from registry.db import utcnow
from registry.errors import NotFoundError, Problem, ValidationError
from registry.i18n import N_
from registry.imports.columns import BY_KEY
from registry.imports.kinds import PEOPLE, ImportKind
from registry.imports.reading import HEADER_SEARCH_ROWS, Sheet, SourceRow, _locate

SUFFIXES = (".xlsx", ".csv")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
#: Uploads never imported, and error workbooks never downloaded, are removed after this.
KEEP_FOR = timedelta(days=1)
#: Rows read for the mapping page and the preview: title rows, the header and 10 data rows.
HEAD_ROWS = HEADER_SEARCH_ROWS + 12


@dataclass(frozen=True)
class Upload:
    """An uploaded file waiting for its mapping, check and import."""

    token: str
    #: The file's name as the officer's computer gave it (shown, and the import's source).
    filename: str
    suffix: str
    user_id: int
    commune_id: int
    on_duplicate: str
    uploaded_at: str
    #: The mapping the officer confirmed for this file (their header → our key or None).
    mapping: dict[str, str | None] | None = None
    #: What the file is (registry.imports.kinds): "people" or "poverty".
    kind: str = PEOPLE.key

    def path(self, folder: str | Path) -> Path:
        return Path(folder) / f"{self.token}{self.suffix}"


def _refused(message: str, **params: Any) -> ValidationError:
    return ValidationError([Problem("file", message, params)])


def store_upload(
    folder: str | Path,
    filename: str,
    save: Callable[[Path], None],
    *,
    user_id: int,
    commune_id: int,
    on_duplicate: str,
    kind: str = PEOPLE.key,
) -> Upload:
    """Save an uploaded file (``save(path)`` writes it) under a random name, with its owner
    and what it is (``kind``).

    Raises ValidationError for a file that is neither .xlsx nor .csv, or is empty.
    """
    name = PurePath(filename.replace("\\", "/")).name
    suffix = PurePath(name).suffix.lower()
    if not name:
        raise _refused(N_("Choose the file to import."))
    if suffix not in SUFFIXES:
        raise _refused(N_("Import an Excel workbook (.xlsx) or a CSV file (.csv)."))
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    upload = Upload(
        token=secrets.token_urlsafe(18),
        filename=name[:200],
        suffix=suffix,
        user_id=user_id,
        commune_id=commune_id,
        on_duplicate=on_duplicate,
        uploaded_at=utcnow().isoformat(),
        kind=kind,
    )
    path = upload.path(root)
    save(path)
    if path.stat().st_size == 0:
        path.unlink()
        raise _refused(N_("The file is empty."))
    _write_json(root / f"{upload.token}.json", asdict(upload))
    return upload


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, path)


def load_upload(folder: str | Path, token: str, *, user_id: int) -> Upload:
    """The upload named ``token`` if ``user_id`` uploaded it and its file is still there."""
    if not _TOKEN.match(token or ""):
        raise NotFoundError()
    meta = Path(folder) / f"{token}.json"
    try:
        upload = Upload(**json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise NotFoundError() from None
    if upload.user_id != user_id or not upload.path(folder).is_file():
        raise NotFoundError()
    return upload


def set_mapping(folder: str | Path, upload: Upload, mapping: dict[str, str | None]) -> Upload:
    """Keep the confirmed mapping with the upload, so the check reads with exactly it."""
    changed = replace(upload, mapping=dict(mapping))
    _write_json(Path(folder) / f"{upload.token}.json", asdict(changed))
    return changed


def remove_upload(folder: str | Path, token: str) -> None:
    for path in (Path(folder) / f"{token}.json", *Path(folder).glob(f"{token}.*")):
        path.unlink(missing_ok=True)


def sweep(folder: str | Path, now: datetime | None = None) -> int:
    """Remove uploads and error workbooks older than KEEP_FOR; returns how many files went."""
    root = Path(folder)
    if not root.is_dir():
        return 0
    limit = (now or utcnow()).timestamp() - KEEP_FOR.total_seconds()
    removed = 0
    for path in root.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue  # removed meanwhile by another process
    return removed


# --- the first rows, for the mapping page and the preview --------------------------------


def head_rows(path: Path, limit: int = HEAD_ROWS) -> list[tuple[Any, ...]]:
    """The first ``limit`` rows of the file, without reading the rest (a large file stays fast)."""
    if path.suffix == ".xlsx":
        return _xlsx_head(path, limit)
    return _csv_head(path, limit)


def _xlsx_head(path: Path, limit: int) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise _refused(
            N_("The file cannot be read as an Excel workbook (.xlsx); save it again in Excel.")
        ) from None
    try:
        return [tuple(r) for r in islice(book.worksheets[0].iter_rows(values_only=True), limit)]
    finally:
        book.close()


def _csv_head(path: Path, limit: int) -> list[tuple[Any, ...]]:
    with path.open("rb") as fh:
        data = fh.read(1024 * 1024)  # far more than the head of any list
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        content = data.decode(encoding)
    except UnicodeDecodeError as error:
        if error.start < len(data) - 4:  # not just a character cut at the 1 MB boundary
            raise _refused(
                N_("The CSV file is not in UTF-8: in Excel choose Save As “CSV UTF-8”.")
            ) from None
        content = data[: error.start].decode(encoding)
    first = next((line for line in content.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return [
            tuple(r) for r in islice(csv.reader(io.StringIO(content), delimiter=delimiter), limit)
        ]
    except csv.Error:
        raise _refused(N_("The CSV file cannot be read: check its quotes.")) from None


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def header_index(rows: list[tuple[Any, ...]]) -> int:
    """Where the header row probably is: the first of the widest rows of text cells, so a
    title row ("DANH SÁCH HỘ NGHÈO…") above it is passed over."""
    widths = [
        sum(1 for c in row if not _blank(c)) if all(isinstance(c, str | None) for c in row) else 0
        for row in rows[:HEADER_SEARCH_ROWS]
    ]
    widest = max(widths, default=0)
    if widest == 0:
        return 0
    return next(
        i for i, width in enumerate(widths) if width >= max(3, widest * 2 // 3) or width == widest
    )


def header_cells(rows: list[tuple[Any, ...]]) -> tuple[int, list[str]]:
    """The header row's position and its cells as text ("" for a blank cell)."""
    at = header_index(rows)
    header = rows[at] if rows else ()
    return at, ["" if _blank(c) else str(c).strip() for c in header]


def preview(
    rows: list[tuple[Any, ...]],
    mapping: dict[str, str | None],
    commune_code: str,
    kind: ImportKind = PEOPLE,
) -> Sheet:
    """The first rows read exactly as the import of ``kind`` will read them, with this mapping.

    Raises ValidationError for problems of the file as a whole (a required column missing…).
    """
    # reading's own header search, so the preview cannot disagree with the import.
    return in_commune(_locate(rows, mapping, kind.columns), commune_code, kind)


def in_commune(sheet: Sheet, commune_code: str, kind: ImportKind = PEOPLE) -> Sheet:
    """The sheet as imported into the chosen commune: for a kind whose rows name their
    commune, blanks filled with it (with_commune); others are limited to it by the job."""
    return with_commune(sheet, commune_code) if kind.fills_commune else sheet


def with_commune(sheet: Sheet, commune_code: str) -> Sheet:
    """The sheet with the commune of the import where a row gives none: commune files rarely
    carry the official code, and a web import is always into one chosen commune."""
    if "commune_code" in sheet.columns:
        index = sheet.columns["commune_code"]
        rows = tuple(SourceRow(r.line, _filled(r.cells, index, commune_code)) for r in sheet.rows)
        return Sheet(sheet.header_rows, sheet.columns, rows)
    width = max([len(r) for r in sheet.header_rows] + [len(r.cells) for r in sheet.rows])
    labels = (BY_KEY["commune_code"].header, "commune_code")
    headers = tuple(
        (*_padded(row, width), labels[min(i, 1)]) for i, row in enumerate(sheet.header_rows)
    )
    rows = tuple(SourceRow(r.line, (*_padded(r.cells, width), commune_code)) for r in sheet.rows)
    return Sheet(headers, {**sheet.columns, "commune_code": width}, rows)


def _padded(cells: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    return tuple(cells) + (None,) * (width - len(cells))


def _filled(cells: tuple[Any, ...], index: int, value: str) -> tuple[Any, ...]:
    cells = _padded(cells, index + 1)
    return cells if not _blank(cells[index]) else (*cells[:index], value, *cells[index + 1 :])
