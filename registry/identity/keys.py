"""The keyring bound to the app: loaded (or, in development, created) at start-up."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from registry.identity.crypto import FieldCipher
from registry.identity.keyring import Keyring, file_is_private, load_keyring, write_keyring_file

log = logging.getLogger(__name__)


class Keys:
    """Holds the keyring and the field cipher for the app; reloadable after rotation."""

    def __init__(self) -> None:
        self._cipher: FieldCipher | None = None
        self._keyring: Keyring | None = None
        self.path: str | None = None
        self._mtime: int | None = None

    def init_app(self, app: Any) -> None:
        self.path = app.config.get("REGISTRY_KEYRING")
        data = app.config.get("REGISTRY_KEYRING_DATA")
        creatable = not data and self.path and app.config.get("REGISTRY_KEYRING_CREATE")
        if creatable and not Path(self.path).exists():
            write_keyring_file(Keyring.generate(), self.path)
            log.warning("created a development keyring at %s", self.path)
        if self.path and not data and Path(self.path).exists() and not file_is_private(self.path):
            log.warning("keyring file %s is readable by other users; chmod 600 it", self.path)
        self.load(self.path if not data else None, data)
        app.extensions["registry.keys"] = self

    def load(self, path: str | None, data: str | None = None) -> None:
        self._keyring = load_keyring(path=path, data=data)
        self._cipher = FieldCipher(self._keyring)
        self._mtime = os.stat(path).st_mtime_ns if path else None

    def _reload_if_rotated(self) -> None:
        # Another process (flask keys rotate) may have replaced the file: every worker must
        # pick up the new primary key, or it could not read rows re-encrypted under it.
        if self._mtime is None or self.path is None:
            return
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except OSError:
            return
        if mtime != self._mtime:
            self.load(self.path)

    def replace(self, keyring: Keyring) -> None:
        """Install a new keyring (after rotation) in this process."""
        self._keyring = keyring
        self._cipher = FieldCipher(keyring)
        if self.path and os.path.exists(self.path):
            self._mtime = os.stat(self.path).st_mtime_ns

    @property
    def keyring(self) -> Keyring:
        self._reload_if_rotated()
        assert self._keyring is not None, "keys.init_app was not called"
        return self._keyring

    @property
    def cipher(self) -> FieldCipher:
        self._reload_if_rotated()
        assert self._cipher is not None, "keys.init_app was not called"
        return self._cipher
