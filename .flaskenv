# Read by the `flask` command (python-dotenv) when run from the repository root.
# The factory, not wsgi.py, so `flask keys init` works before the keyring exists.
FLASK_APP=registry
