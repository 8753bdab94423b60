"""scripts/bench_import.py keeps working: a small run imports every row with an intact chain."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_benchmark_runs_on_a_small_file() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/bench_import.py", "--rows", "300", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    imported = re.search(r"run 1: (\d+) people, (\d+) households, .* intact: (\w+)", done.stdout)
    assert imported is not None, done.stdout
    assert int(imported[1]) >= 290 and imported[3] == "True"
    assert re.search(r"^\s+total\s+[\d.]+ s", done.stdout, re.M)
