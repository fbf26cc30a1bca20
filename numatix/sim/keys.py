"""The simulator's API keys: one account each, kept in a JSON file the server watches.

HMAC keys store their secret (the server needs it to verify). Ed25519 keys store only
the public PEM: the private PEM is shown once, to be pasted into Numatix as the secret.
The file is re-read whenever it changes, so a key made with ``create-key`` while the
server runs works at once. Writes go through a lock file and an atomic rename, so two
``create-key`` runs never lose each other's key. Without a path the store lives in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import string
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from numatix.domain.credentials import SignatureKind
from numatix.exchange.binance.signing import new_ed25519_key_pair, verify_ed25519, verify_hmac

_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 64  # Binance API keys and HMAC secrets are 64 alphanumerics
FILE_VERSION = 1


def random_token(length: int = KEY_LENGTH) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def is_well_formed_api_key(value: str) -> bool:
    return len(value) == KEY_LENGTH and all(character in _ALPHABET for character in value)


@dataclass(frozen=True, slots=True)
class SimKey:
    api_key: str
    kind: SignatureKind
    account: int
    secret: str | None = None  # HMAC only
    public_key_pem: str | None = None  # Ed25519 only
    created_ms: int = 0

    def verify(self, payload: str, signature: str) -> bool:
        if self.kind is SignatureKind.ED25519:
            # A client that forgot to percent-encode sends '+' which a form parser reads as ' '.
            return self.public_key_pem is not None and verify_ed25519(
                self.public_key_pem, payload, signature.replace(" ", "+")
            )
        return self.secret is not None and verify_hmac(self.secret, payload, signature)

    def to_json(self) -> dict[str, object]:
        record = asdict(self)
        record["kind"] = self.kind.value
        return {name: value for name, value in record.items() if value is not None}

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> SimKey:
        return cls(
            api_key=str(record["api_key"]),
            kind=SignatureKind(record["kind"]),
            account=int(record["account"]),
            secret=record.get("secret"),
            public_key_pem=record.get("public_key_pem"),
            created_ms=int(record.get("created_ms", 0)),
        )


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made, with what the user must keep: the HMAC secret or the private PEM."""

    key: SimKey
    secret: str


class KeyStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._keys: dict[str, SimKey] = {}
        self._seen: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._reload_if_changed()

    def lookup(self, api_key: str) -> SimKey | None:
        self._reload_if_changed()
        return self._keys.get(api_key)

    def all(self) -> list[SimKey]:
        self._reload_if_changed()
        return sorted(self._keys.values(), key=lambda key: key.account)

    def create(self, kind: SignatureKind = SignatureKind.HMAC_SHA256) -> NewKey:
        with self._lock, self._file_lock():
            self._reload_if_changed(force=True)
            account = max((key.account for key in self._keys.values()), default=0) + 1
            api_key = random_token()
            if kind is SignatureKind.ED25519:
                private_pem, public_pem = new_ed25519_key_pair()
                key = SimKey(api_key, kind, account, public_key_pem=public_pem, created_ms=_now_ms())
                given = private_pem
            else:
                given = random_token()
                key = SimKey(api_key, kind, account, secret=given, created_ms=_now_ms())
            self._keys[api_key] = key
            self._write()
        return NewKey(key, given)

    def add(self, key: SimKey) -> None:
        """Register a key made elsewhere (e.g. Binance's documented test key, in tests)."""
        with self._lock, self._file_lock():
            self._reload_if_changed(force=True)
            self._keys[key.api_key] = key
            self._write()

    # ------------------------------------------------------------------ file
    def _reload_if_changed(self, force: bool = False) -> None:
        if self.path is None:
            return
        try:
            status = self.path.stat()
        except FileNotFoundError:
            self._keys, self._seen = {}, None
            return
        seen = (status.st_mtime_ns, status.st_size)
        if not force and seen == self._seen:
            return
        records = json.loads(self.path.read_text() or "{}").get("keys", [])
        self._keys = {key.api_key: key for key in map(SimKey.from_json, records)}
        self._seen = seen

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"version": FILE_VERSION, "keys": [key.to_json() for key in self.all_in_memory()]}
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".sim-keys-")
        with os.fdopen(descriptor, "w") as handle:  # mkstemp makes it 0600: the file holds secrets
            json.dump(document, handle, indent=2)
        os.replace(temporary, self.path)
        status = self.path.stat()
        self._seen = (status.st_mtime_ns, status.st_size)

    def all_in_memory(self) -> list[SimKey]:
        return sorted(self._keys.values(), key=lambda key: key.account)

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
