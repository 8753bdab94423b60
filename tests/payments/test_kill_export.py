"""An export killed mid-write leaves no partial file, and exporting again completes it.

The export writes ``.<name>.<pid>.<random>.tmp`` and renames it to the final name only when
it is complete (registry/payments/exports/files.py): a SIGKILL in between leaves that hidden
temp file, which any listing ignores and the next export of the same file removes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from registry.payments.exports.files import is_temp_name

ROOT = Path(__file__).absolute().parents[2]

CHILD = r"""
import sys, time
from datetime import UTC, datetime
from pathlib import Path

root, mode, url, keyring = sys.argv[1:5]
sys.path[:0] = [root, root + "/scripts"]
import bench_payments as bench
from registry.extensions import db, keys

app = bench.make_app(url, Path(keyring))
with app.app_context():
    from registry.auth.actors import Actor
    from registry.payments.services import build_run, get_run, lock_run

    actor = Actor.system("tests")
    if mode == "setup":
        from flask_migrate import upgrade
        from registry.units.cli import BUNDLED
        from registry.units.services import find_unit, load_units

        upgrade()
        load_units((BUNDLED / "46-hue.csv").read_text(encoding="utf-8"), source="hue", actor=actor)
        db.session.commit()
        bench.generate(40)
        from registry.eligibility.engine import load_law

        run = build_run(bench.MONTH, unit=find_unit("46", on=bench.TODAY), actor=actor,
                        today=bench.TODAY, law=load_law())
        lock_run(run, actor=actor)
        db.session.commit()
        print(run.id)
    else:
        import registry.payments.exporting as exporting

        out, run_id, slow = sys.argv[5], sys.argv[6], mode == "slow"
        real = exporting.stream_pain001

        class Slow:
            # The first write reaches the disk, then the writer stalls until it is killed.
            def __init__(self, file):
                self.file, self.writes = file, 0

            def write(self, data):
                self.file.write(data)
                self.file.flush()
                self.writes += 1
                if self.writes == 1:
                    print("WRITING", flush=True)
                    time.sleep(120)

            def __getattr__(self, name):
                return getattr(self.file, name)

        if slow:
            exporting.stream_pain001 = lambda header, lines, file: real(header, lines, Slow(file))
        import uuid
        from registry.payments.exporting import Payer, export_run

        stored, path = export_run(
            get_run(uuid.UUID(run_id), actor=actor), fmt="pain001", out_dir=Path(out),
            payer=Payer("PHONG LDTBXH", "3761000123456", "970405"), actor=actor,
            cipher=keys.cipher, now=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
        )
        db.session.commit()
        print(stored.sha256, path.name)
"""


def child(*args: str) -> list[str]:
    return [sys.executable, "-c", CHILD, str(ROOT), *args]


def test_a_killed_export_leaves_no_partial_file_and_the_rerun_gives_the_complete_one(tmp_path):
    from registry.identity.keyring import Keyring, write_keyring_file

    keyring = tmp_path / "keyring.json"
    write_keyring_file(Keyring.generate(), str(keyring))
    url, out = f"sqlite:///{tmp_path / 'kill.db'}", tmp_path / "out"
    out.mkdir()
    setup = subprocess.run(
        child("setup", url, str(keyring)), capture_output=True, text=True, timeout=120
    )
    assert setup.returncode == 0, setup.stderr[-2000:]
    run_id = setup.stdout.split()[-1]

    slow = subprocess.Popen(
        child("slow", url, str(keyring), str(out), run_id), stdout=subprocess.PIPE, text=True
    )
    try:
        assert slow.stdout is not None and slow.stdout.readline().strip() == "WRITING"
        os.kill(slow.pid, signal.SIGKILL)
    finally:
        slow.wait(timeout=30)
    left = sorted(p.name for p in out.iterdir())
    assert len(left) == 1 and is_temp_name(left[0])  # only the hidden temp file, no export
    partial = (out / left[0]).read_bytes()
    assert partial

    done = subprocess.run(
        child("export", url, str(keyring), str(out), run_id),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sha256, name = done.stdout.split()[-2:]
    assert sorted(p.name for p in out.iterdir()) == [name]  # the dead writer's temp is gone
    content = (out / name).read_bytes()
    assert hashlib.sha256(content).hexdigest() == sha256
    assert content.startswith(partial) and len(content) > len(partial)

    again = subprocess.run(
        child("export", url, str(keyring), str(out), run_id),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.split()[-2:] == [sha256, name]
