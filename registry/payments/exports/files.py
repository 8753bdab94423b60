"""Writing an export to disk atomically: the file is complete and new, or the old one stays.

A file is written under a hidden temporary name in the same directory,
``.<final name>.<writer's pid>.<random>.tmp``, then fsynced and renamed in one step, so the
final name only ever holds a complete file. A process killed mid-write (SIGKILL, power
loss) cannot clean up: it leaves such a hidden ``.tmp`` file and never a partial file under
the final name. Anything that lists an export directory ignores dot-files ending in
``.tmp``; the next export of the same file removes the leftovers of writers that are no
longer running (``remove_stale_temps``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """The start of every temporary name used for ``path``."""
    return f".{Path(path).name}."


def is_temp_name(name: str) -> bool:
    """Whether a directory entry is an export's temporary file (to be ignored)."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temps(path: Path) -> int:
    """Remove temporary files for ``path`` left by writers that are no longer running;
    returns how many. A temp file of a live writer (a concurrent export) is left alone."""
    path = Path(path)
    prefix, removed = temp_prefix(path), 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(path.parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
                continue
            pid = entry.name[len(prefix) :].split(".", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary file (readable too, for hashing) that becomes ``path`` when the block ends
    without error: flushed, fsynced, renamed over any previous file. On any error, or if
    the block raises to refuse the result, the temp file is removed and ``path`` keeps its
    previous content (or stays absent)."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f"{temp_prefix(path)}{os.getpid()}.", suffix=TEMP_SUFFIX
    )
    try:
        with os.fdopen(fd, "w+b") as tmp:
            yield tmp
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _sync_directory(path.parent)


def file_sha256(file: IO[bytes]) -> str:
    """The SHA-256 of everything written to ``file`` so far (read back from the start)."""
    file.flush()
    file.seek(0)
    digest = hashlib.file_digest(file, "sha256").hexdigest()  # type: ignore[arg-type]
    file.seek(0, os.SEEK_END)
    return digest


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temp file in the same directory, fsync, rename.

    On any error the temp file is removed and ``path`` keeps its previous content (or stays
    absent); the error propagates.
    """
    with atomic_output(path) as tmp:
        tmp.write(content)


def _sync_directory(directory: Path) -> None:
    # Persist the rename itself; not every platform lets a directory be opened.
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
