"""The keyring bound to each app: loaded (or, in development, created) at start-up."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from registry.identity.crypto import FieldCipher
from registry.identity.keyring import Keyring, file_is_private, load_keyring, write_keyring_file

log = logging.getLogger(__name__)


@dataclass
class _KeyState:
    path: str | None
    keyring: Keyring
    cipher: FieldCipher
    mtime: int | None


class Keys:
    """Gives the current app's keyring and field cipher; reloads the file after a rotation.

    State lives in ``app.extensions``, so two apps in one process (tests, scripts) never
    share keys.
    """

    def init_app(self, app: Flask) -> None:
        path = app.config.get("REGISTRY_KEYRING")
        data = app.config.get("REGISTRY_KEYRING_DATA")
        creatable = not data and path and app.config.get("REGISTRY_KEYRING_CREATE")
        if creatable and not Path(path).exists():
            write_keyring_file(Keyring.generate(), path)
            log.warning("created a development keyring at %s", path)
        if path and not data and Path(path).exists() and not file_is_private(path):
            log.warning("keyring file %s is readable by other users; chmod 600 it", path)
        app.extensions["registry.keys"] = self._load(None if data else path, data)

    @staticmethod
    def _load(path: str | None, data: str | None = None) -> _KeyState:
        keyring = load_keyring(path=path, data=data)
        mtime = os.stat(path).st_mtime_ns if path else None
        return _KeyState(path, keyring, FieldCipher(keyring), mtime)

    def _state(self) -> _KeyState:
        state: _KeyState = current_app.extensions["registry.keys"]
        # Another process (flask keys rotate) may have replaced the file: every worker must
        # pick up the new primary key, or it could not read rows re-encrypted under it.
        if state.path is not None:
            try:
                mtime = os.stat(state.path).st_mtime_ns
            except OSError:
                return state
            if mtime != state.mtime:
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
        return self._state().keyring

    @property
    def cipher(self) -> FieldCipher:
        return self._state().cipher
