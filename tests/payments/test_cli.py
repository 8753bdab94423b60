"""``flask payments build`` and ``lock`` from the shell."""

import json

from tests.payments.conftest import NOV


def test_build_prints_json_then_lock_freezes_the_run(app, actor, today, decided):
    runner = app.test_cli_runner()
    built = runner.invoke(
        args=["payments", "build", "--month", "2026-11", "--unit", "46", "--json"]
    )
    assert built.exit_code == 0, built.output
    document = json.loads(built.output)
    assert (document["lines"], document["total"]) == (1, 810_000)
    locked = runner.invoke(args=["payments", "lock", document["id"]])
    assert locked.exit_code == 0 and "810.000 đ" in locked.output
    again = runner.invoke(args=["payments", "build", "--month", "2026-11", "--json"])
    assert again.exit_code != 0 and NOV.strftime("%m/%Y") in again.output


def test_bad_month_unit_or_run_are_refused(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["payments", "build", "--month", "11/2026"]).exit_code != 0
    assert (
        runner.invoke(args=["payments", "build", "--month", "2026-11", "--unit", "99999"]).exit_code
        != 0
    )
    assert runner.invoke(args=["payments", "lock", "not-a-run"]).exit_code != 0


def test_export_writes_the_file_and_needs_the_payer_account(app, decided, tmp_path, monkeypatch):
    runner = app.test_cli_runner()
    run_id = json.loads(
        runner.invoke(args=["payments", "build", "--month", "2026-11", "--json"]).output
    )["id"]
    assert runner.invoke(args=["payments", "lock", run_id]).exit_code == 0
    refused = runner.invoke(
        args=["payments", "export", run_id, "--format", "post-xlsx", "--out", str(tmp_path)]
    )
    assert refused.exit_code != 0 and "REGISTRY_PAYER_ACCOUNT" in refused.output
    for name, value in {
        "REGISTRY_PAYER_NAME": "UBND phuong Thuan Hoa",
        "REGISTRY_PAYER_ACCOUNT": "1234567890",
        "REGISTRY_PAYER_BIN": "970405",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    written = runner.invoke(
        args=["payments", "export", run_id, "--format", "post-xlsx", "--out", str(tmp_path)]
    )
    assert written.exit_code == 0, written.output
    [path] = list(tmp_path.iterdir())
    assert path.name == "chi-tra-2026-11-post-xlsx.xlsx" and "810.000 đ" in written.output
