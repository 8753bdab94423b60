"""The keyring bound to each app: loaded (or, in development, created) at start-up."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from registry.identity.crypto import FieldCipher
from registry.identity.keyring import (
    Keyring,
    KeyringError,
    file_is_private,
    load_keyring,
    write_keyring_file,
)

log = logging.getLogger(__name__)


@dataclass
class _KeyState:
    path: str | None
    keyring: Keyring | None
    cipher: FieldCipher | None
    mtime: int | None
    error: KeyringError | None = None


class Keys:
    """Gives the current app's keyring and field cipher; reloads the file after a rotation.

    State lives in ``app.extensions``, so two apps in one process (tests, scripts) never
    share keys.
    """

    def init_app(self, app: Flask) -> None:
        path = app.config.get("REGISTRY_KEYRING")
        data = app.config.get("REGISTRY_KEYRING_DATA")
        development = app.config.get("REGISTRY_ENV") == "development"
        if not data and path and development and not Path(path).exists():
            write_keyring_file(Keyring.generate(), path)
            log.warning("created a development keyring at %s", path)
        if path and not data and Path(path).exists() and not file_is_private(path):
            log.warning("keyring file %s is readable by other users; chmod 600 it", path)
        try:
            state = self._load(None if data else path, data)
        except KeyringError as error:
            # Let the app start so `flask keys init` can create the file; any use of the
            # keys, and the WSGI entry point (see require), fail with this message instead.
            state = _KeyState(path, None, None, None, error)
        app.extensions["registry.keys"] = state

    def require(self) -> None:
        """Stop start-up when the keyring cannot be loaded (called by wsgi.py)."""
        self._ready()

    @staticmethod
    def _load(path: str | None, data: str | None = None) -> _KeyState:
        keyring = load_keyring(path=path, data=data)
        mtime = os.stat(path).st_mtime_ns if path else None
        return _KeyState(path, keyring, FieldCipher(keyring), mtime)

    def _ready(self) -> _KeyState:
        state = self._state()
        if state.error is not None:
            raise KeyringError(
                "%(error)s. Create it with 'flask keys init' or set REGISTRY_KEYRING(_DATA).",
                error=state.error.render(),
            )
        return state

    def _state(self) -> _KeyState:
        state: _KeyState = current_app.extensions["registry.keys"]
        # Another process (flask keys rotate) may have replaced the file: every worker must
        # pick up the new primary key, or it could not read rows re-encrypted under it.
        if state.path is not None:
            try:
                mtime = os.stat(state.path).st_mtime_ns
            except OSError:
                return state
            if mtime != state.mtime or state.error is not None:
                state = current_app.extensions["registry.keys"] = self._load(state.path)
        return state

    def replace(self, keyring: Keyring) -> None:
        """Install a new keyring (after rotation) in the current app."""
        state = self._state()
        mtime = os.stat(state.path).st_mtime_ns if state.path else None
        current_app.extensions["registry.keys"] = _KeyState(
            state.path, keyring, FieldCipher(keyring), mtime
        )

    @property
    def path(self) -> str | None:
        return self._state().path

    @property
    def keyring(self) -> Keyring:
        keyring = self._ready().keyring
        assert keyring is not None
        return keyring

    @property
    def cipher(self) -> FieldCipher:
        cipher = self._ready().cipher
        assert cipher is not None
        return cipher
