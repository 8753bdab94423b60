"""Locust users for scripts/bench.py: log in, then household list, person page, payment-run page.

Run by bench.py as a separate process (``locust -f … --headless``). What to visit comes from
the JSON file named by BENCH_PAGES_DATA (accounts, password, communes with their page counts,
person ids, the payment run); BENCH_PAGES_WAIT is the think time between pages, "MIN,MAX"
seconds. The statistics start once all BENCH_PAGES_USERS officers are logged in and have been
round the pages once, and the test stops BENCH_PAGES_SECONDS later: the log-ins (argon2id,
deliberately slow) and each gunicorn worker's first pages (templates compiled, the law
loaded) stay out of the figures, as they would in a server that has been up for a while.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any, ClassVar

import gevent
from gevent.event import Event
from locust import HttpUser, SequentialTaskSet, between, task

DATA: dict[str, Any] = json.loads(Path(os.environ["BENCH_PAGES_DATA"]).read_text())
_WAIT = [float(s) for s in os.environ.get("BENCH_PAGES_WAIT", "1,3").split(",")]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_USERS = int(os.environ.get("BENCH_PAGES_USERS", "20"))
_SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "60"))
_everyone_in = Event()
_logged_in = [0]


def household_list(client: Any) -> None:
    commune = random.choice(DATA["communes"])
    page = random.randint(1, max(1, commune["pages"]))
    client.get(f"/households/?commune={commune['id']}&page={page}", name="household list")


def person_page(client: Any) -> None:
    client.get(f"/people/{random.choice(DATA['people'])}", name="person page")


def payment_run_page(client: Any) -> None:
    page = random.randint(1, DATA["run_pages"])
    client.get(f"/payments/{DATA['run_id']}?page={page}", name="payment-run page")


class Pages(SequentialTaskSet):
    """One officer's round: a commune's household list, a person, the month's payment list."""

    @task
    def household_list(self) -> None:
        household_list(self.client)

    @task
    def person_page(self) -> None:
        person_page(self.client)

    @task
    def payment_run_page(self) -> None:
        payment_run_page(self.client)


class Officer(HttpUser):
    """A logged-in officer of one of the bench's accounts, going round the three pages."""

    tasks: ClassVar[list] = [Pages]
    wait_time = between(_WAIT[0], _WAIT[-1])

    def on_start(self) -> None:
        try:
            self._log_in()
            for visit in (household_list, person_page, payment_run_page):
                visit(self.client)
        finally:
            _logged_in[0] += 1
            if _logged_in[0] == _USERS:
                runner = self.environment.runner
                runner.stats.reset_all()
                gevent.spawn_later(_SECONDS, runner.quit)
                _everyone_in.set()
        _everyone_in.wait()

    def _log_in(self) -> None:
        form = self.client.get("/login", name="login form")
        token = _CSRF.search(form.text)
        with self.client.post(
            "/login",
            data={
                "username": random.choice(DATA["users"]),
                "password": DATA["password"],
                "csrf_token": token.group(1) if token else "",
            },
            name="log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (302, 303):
                response.failure(f"log-in refused: HTTP {response.status_code}")
