"""scripts/bench.py keeps working: a tiny province, every measurement but the page load,
one JSON object with each target and whether it was met (the figures are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARGS = (
    "--people 1500 --only lookup,search,eligibility,import,payments --repeat 1"
    " --lookups 50 --searches 20 --import-rows 200"
)


def test_the_province_benchmark_prints_one_json_object_with_each_target():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), *ARGS.split()],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads(result.stdout)
    measured = document.get("measurements", document)
    for name in ("lookup", "search", "eligibility", "import", "payments"):
        found = _find(measured, name)
        assert "target" in found and isinstance(found["met"], bool), name


def _find(document: dict, name: str) -> dict:
    if name in document and isinstance(document[name], dict):
        return document[name]
    for value in document.values():
        if isinstance(value, dict) and name in value:
            return value[name]
    raise AssertionError(f"no {name!r} measurement in {sorted(document)}")
