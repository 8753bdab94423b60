"""scripts/bench_payments.py in its small mode: it runs, and its figures add up (no timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).absolute().parents[2] / "scripts" / "bench_payments.py"


def test_the_payment_benchmark_prints_one_json_object_whose_files_add_up_to_the_run():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--decisions", "200", "--repeat", "1", "--post-office"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["database"] == "sqlite"
    assert report["data"]["decisions"] >= 200
    assert set(report["seconds_median"]) == {
        "build",
        "lock",
        "export_pain001",
        "export_bank-xlsx",
        "export_post-xlsx",
    }
    assert report["total_counts"] == ["build", "lock", "export_pain001", "export_bank-xlsx"]
    assert report["peak_rss_mb_median"] > 0 and report["setup_seconds"] > 0
    run, files = report["run"], report["files"]
    transfers = report["transfer_lines"]
    assert run["lines"] > 0
    for fmt in ("pain001", "bank-xlsx"):
        assert files[fmt]["lines"] == transfers["lines"]
        assert files[fmt]["total"] == transfers["total"]
    cash = files["post-xlsx"]
    assert files["pain001"]["lines"] + cash["lines"] == run["lines"]
    assert files["pain001"]["total"] + cash["total"] == run["total"]
