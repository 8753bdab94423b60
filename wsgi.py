"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from registry import create_app
from registry.extensions import keys

app = create_app()
with app.app_context():
    keys.require()  # a server without its keyring must not start
