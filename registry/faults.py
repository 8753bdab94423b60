"""Pause points for the fault tests: a command stops at a named point so a test can kill it.

Long jobs call ``checkpoint("<point>")`` at the moments where a crash matters most (work
written but not yet committed, or half of it committed). Normally that is one dictionary
look-up and nothing else. A test (tests/faults/) starts the real command with

    REGISTRY_FAULT_PAUSE=<point>    the point to stop at
    REGISTRY_FAULT_DIR=<directory>  where the pause is signalled (default: the working dir)

and the command, on reaching that point, writes ``<directory>/<point>.paused`` holding its
pid, then waits until ``<directory>/<point>.resume`` exists. The test then SIGKILLs it (a
crash at exactly that moment) or creates the resume file (to interleave two processes).
The wait gives up after REGISTRY_FAULT_TIMEOUT seconds (default 600), so a forgotten
process ends on its own. Ignored when REGISTRY_ENV is production.

The points:
    import-write      after the first chunk of people is inserted (flask people import)
    build-insert      after the first page of payment lines is inserted (flask payments build)
    rotate-batch      after each re-encrypted batch is committed (flask keys rotate)
    reconcile-update  after the lines' new statuses are flushed (flask payments reconcile)
    export-write      after the file is written to its temp name, before the rename and
                      before the export is recorded (flask payments export)
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_resumed: set[str] = set()


def checkpoint(name: str) -> None:
    """Pause here when REGISTRY_FAULT_PAUSE names this point; otherwise return at once."""
    if os.environ.get("REGISTRY_FAULT_PAUSE") != name:
        return
    if name in _resumed or os.environ.get("REGISTRY_ENV") == "production":
        return
    _pause(name)


def _pause(name: str) -> None:
    directory = Path(os.environ.get("REGISTRY_FAULT_DIR") or ".")
    resume = directory / f"{name}.resume"
    # Written then renamed, so the test never reads an empty pid.
    paused = directory / f"{name}.paused"
    partial = directory / f".{name}.paused.{os.getpid()}"
    partial.write_text(str(os.getpid()), encoding="ascii")
    os.replace(partial, paused)
    deadline = time.monotonic() + float(os.environ.get("REGISTRY_FAULT_TIMEOUT") or 600)
    while not resume.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    _resumed.add(name)
