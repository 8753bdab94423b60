"""Benchmark: generate N realistic import rows, then time `import_people` on a fresh database.

Usage: .venv/bin/python scripts/bench_import.py [--rows 100000] [--repeat 3]
       [--url postgresql+psycopg://postgres@127.0.0.1:5432/bench] [--xlsx]
Each run starts from an empty migrated database (SQLite file, or the PostgreSQL database's
schema dropped and rebuilt), imports the whole file in one transaction and commits. Prints
the median of the runs per stage; never asserts (timings are not tests).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from registry import create_app
from registry.audit.services import verify_chain
from registry.auth.actors import Actor
from registry.extensions import db, keys
from registry.identity.keyring import Keyring, write_keyring_file
from registry.imports.columns import COLUMNS, KEYS
from registry.imports.reading import read_sheet
from registry.imports.services import import_people
from registry.people.accounts import napas_banks
from registry.people.models import Person
from registry.units.cli import BUNDLED
from registry.units.services import load_units

TODAY = date(2026, 11, 29)
COMMUNES = [
    "19789",
    "19753",
    "19774",
    "19777",
    "19804",
    "19813",
    "19815",
    "19909",
    "19819",
    "19945",
]
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Tuấn",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngọc",
    "Nhung",
    "Thảo",
    "Trang",
    "Vy",
]
MERIT = [
    ("Thương binh", True),
    ("Bệnh binh", True),
    ("Thân nhân liệt sĩ", False),
    ("Nhiễm chất độc hóa học", True),
]


def generate(rows: int, seed: int = 5) -> list[list[str]]:
    """Rows as a commune would type them: ~3 people per household, consistent CCCDs."""
    rng = random.Random(seed)
    banks = sorted(napas_banks())
    used: set[str] = set()
    out: list[list[str]] = []
    serial = 0

    def person(
        household: str, commune: str, address: str, relation: str, sex: str, year: int, family: str
    ) -> dict:
        female = sex == "Nữ"
        middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
        name = f"{family} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"
        row = {
            "household_code": household,
            "commune_code": commune,
            "address": address,
            "full_name": name,
            "relation_to_head": relation,
            "sex": sex,
        }
        row["birth_date"] = (
            str(year)
            if year < 1950 and rng.random() < 0.5
            else f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
        )
        if year < 2012 or rng.random() < 0.5:
            digit = (year // 100 - 19) * 2 + (1 if female else 0)
            while True:
                number = f"046{digit}{year % 100:02d}{rng.randrange(10**6):06d}"
                if number not in used:
                    used.add(number)
                    break
            row["cccd"] = number
        if rng.random() < 0.04:
            row["disability"] = rng.choice(["Đặc biệt nặng", "Nặng", "Nhẹ"])
        if year < 1966 and rng.random() < 0.3:
            row["has_pension"] = "Có"
        if year < 1960 and rng.random() < 0.08:
            category, rated = rng.choice(MERIT)
            row["merit_category"] = category
            if rated:
                row["injury_rate"] = str(rng.choice([21, 41, 61, 81]))
            else:
                row["martyrs"] = str(rng.randint(1, 2))
        if year < 2008 and rng.random() < 0.2:
            row["bank_bin"] = rng.choice(banks)
            row["account_number"] = "".join(
                rng.choice("0123456789") for _ in range(rng.randint(9, 14))
            )
        return row

    while len(out) < rows:
        serial += 1
        commune = rng.choice(COMMUNES)
        household = f"{commune}-B{serial:06d}"
        address = f"Tổ {rng.randint(1, 40)}, số {rng.randint(1, 300)}"
        family = rng.choice(FAMILY)
        head_year = rng.randint(1935, 1995)
        members = [
            person(
                household, commune, address, "Chủ hộ", rng.choice(["Nam", "Nữ"]), head_year, family
            )
        ]
        roll = rng.random()
        if roll < 0.12:
            members[0]["poverty_status"], members[0]["poverty_year"] = "Nghèo", "2025"
        elif roll < 0.2:
            members[0]["poverty_status"], members[0]["poverty_year"] = "Cận nghèo", "2025"
        size = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6])
        if size > 1:
            spouse = "Nữ" if members[0]["sex"] == "Nam" else "Nam"
            members.append(
                person(
                    household,
                    "",
                    "",
                    "Vợ" if spouse == "Nữ" else "Chồng",
                    spouse,
                    min(2008, head_year + rng.randint(-4, 6)),
                    rng.choice(FAMILY),
                )
            )
        for _ in range(size - 2):
            members.append(
                person(
                    household,
                    "",
                    "",
                    "Con",
                    rng.choice(["Nam", "Nữ"]),
                    min(2025, head_year + rng.randint(20, 35)),
                    family,
                )
            )
        for member in members:
            out.append([member.get(key, "") for key in KEYS])
    return _trim(out, rows) if len(out) > rows else out


def _trim(rows: list[list[str]], limit: int) -> list[list[str]]:
    # Never cut a household in half: stop before the household that crosses the limit.
    cut = limit
    while cut > 0 and rows[cut - 1][0] == rows[cut][0]:
        cut -= 1
    return rows[:cut]


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list[str]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [c.header for c in COLUMNS])
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value != "":
                sheet.write_string(index, column, value)
    book.close()
    return out.getvalue()


def fresh_app(url: str | None, tmp: Path, run: int):
    database = url or f"sqlite:///{tmp / f'bench-{run}.db'}"
    if database.startswith("postgresql"):
        engine = create_engine(database)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database,
            "REGISTRY_KEYRING": str(tmp / "keyring.json"),
            "REGISTRY_KEYRING_DATA": None,
        }
    )
    with app.app_context():
        upgrade()
        load_units(
            (BUNDLED / "46-hue.csv").read_text(encoding="utf-8"),
            source="hue",
            actor=Actor.system("bench"),
        )
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", default=None)
    parser.add_argument("--xlsx", action="store_true", help="Also time reading the rows as .xlsx.")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    write_keyring_file(Keyring.generate(), str(tmp / "keyring.json"))
    started = time.perf_counter()
    rows = generate(args.rows)
    data = to_csv(rows)
    print(
        f"generated {len(rows)} rows ({len({r[0] for r in rows})} households)"
        f" in {time.perf_counter() - started:.1f} s"
    )
    if args.xlsx:
        workbook = to_xlsx(rows)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            read_sheet(workbook, "bench.xlsx")
            times.append(time.perf_counter() - start)
        print(f"read .xlsx ({len(workbook) / 1e6:.1f} MB): median {statistics.median(times):.2f} s")
    stages: dict[str, list[float]] = {
        "read csv": [],
        "import (check+encrypt+dedup+write)": [],
        "commit": [],
        "total": [],
    }
    for run in range(args.repeat):
        app = fresh_app(args.url, tmp, run)
        with app.app_context():
            start = time.perf_counter()
            sheet = read_sheet(data, "bench.csv")
            read = time.perf_counter()
            report = import_people(
                sheet,
                actor=Actor.system("bench"),
                today=TODAY,
                cipher=keys.cipher,
                source="bench.csv",
            )
            imported = time.perf_counter()
            db.session.commit()
            done = time.perf_counter()
            assert report.written and not report.problems, report.problems[:5]
            stages["read csv"].append(read - start)
            stages["import (check+encrypt+dedup+write)"].append(imported - read)
            stages["commit"].append(done - imported)
            stages["total"].append(done - start)
            people = db.session.scalar(select(func.count()).select_from(Person))
            if run == 0:
                checked, broken = verify_chain()
                print(
                    f"run 1: {people} people, {report.households_created} households,"
                    f" audit chain of {checked} events intact: {broken is None}"
                )
            db.session.remove()
            db.engine.dispose()
    backend = "PostgreSQL" if (args.url or "").startswith("postgresql") else "SQLite"
    print(f"{backend}, {len(rows)} rows, median of {args.repeat} runs:")
    for stage, times in stages.items():
        print(
            f"  {stage:38s} {statistics.median(times):6.2f} s"
            f"   (runs: {', '.join(f'{t:.2f}' for t in times)})"
        )


if __name__ == "__main__":
    main()
