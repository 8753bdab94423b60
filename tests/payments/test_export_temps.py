"""The temp files of killed exports: the next export of the same file removes them, and
nothing else (tests/faults/test_kill_export.py kills the real command)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from registry.payments.exports.files import atomic_output, is_temp_name, remove_stale_temps

NAME = "chi-tra-2026-11-pain001.xml"


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                             capture_output=True, text=True)  # fmt: skip
    return int(process.stdout)


def test_only_the_temp_files_of_dead_writers_of_that_file_are_removed(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = tmp_path / f".{NAME}.{dead}.k2j4h6g8.tmp"
    live = tmp_path / f".{NAME}.{os.getpid()}.a1b2c3d4.tmp"  # a concurrent export's
    final = tmp_path / NAME
    others = [
        tmp_path / f".chi-tra-2026-11-post-xlsx.xlsx.{dead}.zz.tmp",  # another file's
        tmp_path / f".{NAME}.notapid.tmp",  # not named by a writer
        tmp_path / f".{NAME}.{dead}.keep",  # not a temp file
        tmp_path / f"{NAME}.{dead}.x.tmp",  # not hidden
    ]
    for path in (stale, live, final, *others):
        path.write_bytes(b"<Document>")

    assert remove_stale_temps(final) == 1
    assert not stale.exists()
    assert all(p.exists() for p in (live, final, *others))
    assert remove_stale_temps(final) == 0


def test_a_missing_export_directory_has_nothing_to_remove(tmp_path: Path) -> None:
    assert remove_stale_temps(tmp_path / "absent" / NAME) == 0


def test_the_temp_file_is_hidden_named_for_the_file_and_its_writer(tmp_path: Path) -> None:
    """The names remove_stale_temps and is_temp_name recognise are the ones written."""
    final = tmp_path / NAME
    with atomic_output(final) as out:
        out.write(b"<Document/>")
        (temp,) = (p for p in tmp_path.iterdir() if p != final)
        assert is_temp_name(temp.name)
        assert temp.name.startswith(f".{NAME}.{os.getpid()}.")
        assert remove_stale_temps(final) == 0  # its writer is running: kept
    assert sorted(tmp_path.iterdir()) == [final]
    assert final.read_bytes() == b"<Document/>"
