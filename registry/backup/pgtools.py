"""Running pg_dump and pg_restore: finding a version that can read the server, and
connecting without ever putting the password on a command line or in a message."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from registry.backup.manifest import BackupError
from registry.i18n import N_

#: Where Debian and Ubuntu install each PostgreSQL version's client programs.
VERSIONED_BINDIRS = "/usr/lib/postgresql/*/bin"


def masked(url: URL) -> str:
    """The URL as it may be shown: the password replaced by ***."""
    return url.render_as_string(hide_password=True)


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    # URL.set() takes None as "unchanged": _replace really drops the password.
    bare = url._replace(drivername="postgresql", password=None)
    uri = bare.render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return uri, env


def _major(program: str) -> int | None:
    try:
        out = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError:
        return None
    found = re.search(r"\)\s*(\d+)", out) or re.search(r"(\d+)", out)
    return int(found.group(1)) if found else None


def find_program(name: str, server_major: int) -> str:
    """``name`` (pg_dump, pg_restore) at least as new as the server: from PATH, else the
    newest under /usr/lib/postgresql/*/bin. BackupError says what to install otherwise."""
    candidates = [shutil.which(name)]
    versioned = glob.glob(f"{VERSIONED_BINDIRS}/{name}")
    candidates += sorted(versioned, key=lambda p: int(re.sub(r"\D", "", Path(p).parts[-3]) or 0))[
        ::-1
    ]
    seen: list[str] = []
    for program in (c for c in candidates if c and os.access(c, os.X_OK)):
        major = _major(program)
        if major is not None and major >= server_major:
            return program
        seen.append(f"{program} ({major or '?'})")
    raise BackupError(
        N_(
            "%(program)s for PostgreSQL %(version)s or newer was not found (on PATH or under "
            "%(dirs)s; found: %(seen)s). Install the PostgreSQL client of the server's version."
        ),
        program=name,
        version=server_major,
        dirs=VERSIONED_BINDIRS,
        seen=", ".join(seen) or "-",
    )


def run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    """Run a client program; on failure BackupError with the end of its own message."""
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(
            N_("%(what)s failed (exit %(code)s): %(detail)s"),
            what=what,
            code=result.returncode,
            detail=(result.stderr.strip() or result.stdout.strip())[-2000:],
        )
