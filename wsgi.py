"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

import gc

from registry import create_app
from registry.extensions import keys

app = create_app()
with app.app_context():
    keys.require()  # a server without its keyring must not start

# What the app holds from start-up (models, law, catalogues, templates) is kept for the
# worker's life: out of the collector's sight, a full collection no longer walks it, which
# cost one page in twenty 60-80 ms at a million people (measured with scripts/bench.py).
gc.freeze()
