"""Benchmark: register N people through the services, then time name and CCCD search.

Usage: .venv/bin/python scripts/bench_registry.py [--people 20000] [--url sqlite:////tmp/bench.db]
Prints medians of repeated runs; never asserts (timings are not tests).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade

from registry import create_app
from registry.auth.actors import Actor
from registry.extensions import db, keys
from registry.households.services import register_household
from registry.identity.keyring import Keyring, write_keyring_file
from registry.people.models import Relation, Sex
from registry.people.queries import find_by_cccd, search_people
from registry.people.services import register_person
from registry.units.cli import BUNDLED
from registry.units.scope import communes_in_scope
from registry.units.services import load_units

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Hoa",
    "Lan",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Tâm",
    "Vy",
]


def cccd(rng: random.Random, sex: Sex, year: int) -> str:
    digit = ((year // 100) - 19) * 2 + (1 if sex is Sex.FEMALE else 0)
    return f"046{digit}{year % 100:02d}{rng.randrange(10**6):06d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    write_keyring_file(Keyring.generate(), str(tmp / "keyring.json"))
    url = args.url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app(
        {
            "REGISTRY_ENV": "testing",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "REGISTRY_KEYRING": str(tmp / "keyring.json"),
            "REGISTRY_KEYRING_DATA": None,
        }
    )
    rng = random.Random(7)
    today = date(2026, 11, 29)
    actor = Actor.system("bench")
    with app.app_context():
        upgrade()
        load_units((BUNDLED / "46-hue.csv").read_text(encoding="utf-8"), source="hue", actor=actor)
        communes = list(db.session.scalars(communes_in_scope(actor)))
        communes = [c for c in communes if c.is_valid_on(today)]
        numbers: list[str] = []
        used: set[str] = set()
        start = time.perf_counter()
        made = 0
        while made < args.people:
            household = register_household(
                code=None, commune=rng.choice(communes), address="Tổ 1", actor=actor, today=today
            )
            for i in range(min(4, args.people - made)):
                sex = rng.choice(list(Sex))
                year = rng.randint(1930, 2020)
                number = cccd(rng, sex, year)
                while number in used:
                    number = cccd(rng, sex, year)
                used.add(number)
                numbers.append(number)
                name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                register_person(
                    full_name=name,
                    sex=sex,
                    birth_year=year,
                    household=household,
                    relation=Relation.HEAD if i == 0 else Relation.OTHER,
                    cccd=number,
                    actor=actor,
                    today=today,
                    cipher=keys.cipher,
                )
                made += 1
            if made % 2000 < 4:
                db.session.commit()
        db.session.commit()
        elapsed = time.perf_counter() - start
        print(
            f"registered {made} people in {elapsed:.1f} s ({made / elapsed:.0f} people/s, "
            f"each with encryption, blind index and an audit event)"
        )

        def timed(fn) -> float:
            runs = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                fn()
                runs.append((time.perf_counter() - t) * 1000)
            db.session.rollback()
            return statistics.median(runs)

        officer = Actor(user_id=None, username="bench", role=actor.role, unit_id=communes[0].id)
        print(
            f"name search 'nguyen van duc', province scope, first page: "
            f"{timed(lambda: search_people(actor=actor, query='nguyen van duc')):.1f} ms (median)"
        )
        print(
            f"name search 'thi hoa', one ward's scope: "
            f"{timed(lambda: search_people(actor=officer, query='thi hoa')):.1f} ms (median)"
        )

        def lookup() -> None:
            find_by_cccd(rng.choice(numbers), actor=actor, cipher=keys.cipher)

        print(f"CCCD lookup through the blind index (audited): {timed(lookup):.1f} ms (median)")


if __name__ == "__main__":
    main()
