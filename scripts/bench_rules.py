"""Benchmark: evaluate synthetic person-months with the law engine and print the rate.

Usage: .venv/bin/python scripts/bench_rules.py [--people 100000] [--repeat 5]
Target (issue 3): at least 50,000 person-months per second on one core. Prints the median
of the repeats; never asserts (timings are not tests).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

from registry.eligibility.engine import evaluate, load_law
from registry.eligibility.facts import (
    Area,
    Disability,
    Facts,
    HouseholdFacts,
    MeritFact,
    PersonFacts,
    Poverty,
)


def synthetic(rng: random.Random, count: int) -> list[Facts]:
    """A population shaped like the registry's: mostly adults, many elderly, some groups."""
    people = []
    for _ in range(count):
        born = date(rng.randint(1925, 2026), rng.randint(1, 12), rng.randint(1, 28))
        merit = ()
        if rng.random() < 0.05:
            merit = (
                rng.choice(
                    [
                        MeritFact("martyr_relative", martyrs=rng.randint(1, 3)),
                        MeritFact("war_invalid", injury_rate=rng.randint(15, 100)),
                        MeritFact("agent_orange", injury_rate=rng.randint(21, 100)),
                    ]
                ),
            )
        people.append(
            Facts(
                PersonFacts(
                    birth_date=born,
                    sex=rng.choice(["male", "female"]),
                    disability=rng.choices(list(Disability), [90, 7, 3])[0],
                    has_pension=rng.random() < 0.2,
                    hiv=rng.random() < 0.005,
                    studying=rng.random() < 0.1,
                    without_support=rng.random() < 0.01,
                    single_parent_children=rng.choice([0] * 30 + [1, 2]),
                    no_supporter=rng.random() < 0.05,
                    taken_in_by_carer=rng.random() < 0.005,
                    merit=merit,
                ),
                HouseholdFacts(
                    poverty=rng.choices(list(Poverty), [12, 10, 8, 70])[0],
                    area=rng.choice(list(Area)),
                    especially_difficult_area=rng.random() < 0.1,
                ),
            )
        )
    return people


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--month", default="2026-11")
    args = parser.parse_args()
    year, month_number = map(int, args.month.split("-"))
    month = date(year, month_number, 1)
    people = synthetic(random.Random(3), args.people)
    law = load_law()
    evaluate(people[0], month, law=law)  # resolve the month's law once, as a payment run does
    for explain, what in ((False, "amounts (payment run)"), (True, "with explanations (screens)")):
        rates, total = [], 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            total = 0
            for facts in people:
                total += evaluate(facts, month, law=law, explain=explain).total
            rates.append(len(people) / (time.perf_counter() - start))
        print(
            f"{what}: {len(people)} person-months for {args.month}, {args.repeat} runs: "
            f"median {statistics.median(rates):,.0f} person-months/s "
            f"(min {min(rates):,.0f}, max {max(rates):,.0f}); monthly total {total:,} VND"
        )


if __name__ == "__main__":
    main()
