"""Secrets at rest (users' exchange keys): AES-256-GCM, a fresh nonce per secret, the owner
and field bound in as associated data, and the sealing key's id kept with the text so the
master key can rotate without losing anything sealed under the old one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32


class VaultError(Exception):
    """A sealed secret cannot be opened: unknown key, damaged text, or not this owner's."""


def derive_key(master_secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=b"numatix-vault-v1",
                info=b"api-secrets").derive(
        master_secret.encode()
    )


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


class Vault:
    """Seals secrets under the current key; opens them under the current or a previous one."""

    def __init__(self, current_key: bytes, previous_keys: Sequence[bytes] = ()) -> None:
        if any(len(key) != KEY_BYTES for key in (current_key, *previous_keys)):
            raise VaultError(f"vault keys must be {KEY_BYTES} bytes (AES-256); use derive_key()")
        self._current_id = key_id(current_key)
        self._keys = {key_id(key): AESGCM(key) for key in (*previous_keys, current_key)}

    @classmethod
    def from_secrets(cls, current: str, previous: Sequence[str] = ()) -> Vault:
        return cls(derive_key(current), [derive_key(secret) for secret in previous])

    @property
    def current_key_id(self) -> str:
        return self._current_id

    def encrypt(self, plaintext: str, user_id: int, field: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self._current_id].encrypt(nonce, plaintext.encode(), _associated(user_id, field))
        return f"{VERSION}:{self._current_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, sealed: str, user_id: int, field: str) -> str:
        _version, sealing_key_id, payload = _parts(sealed)
        cipher = self._keys.get(sealing_key_id)
        if cipher is None:
            raise VaultError(f"secret sealed under key {sealing_key_id}, which this server does not have")
        try:
            raw = base64.urlsafe_b64decode(payload.encode())
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(user_id, field)).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise VaultError("secret is damaged or belongs to another user or field") from None

    @staticmethod
    def key_id_of(sealed: str) -> str:
        return _parts(sealed)[1]

    def needs_rotation(self, sealed: str) -> bool:
        return self.key_id_of(sealed) != self._current_id

    def reseal(self, sealed: str, user_id: int, field: str) -> str:
        return self.encrypt(self.decrypt(sealed, user_id, field), user_id, field)


def _associated(user_id: int, field: str) -> bytes:
    return f"{user_id}:{field}".encode()


def _parts(sealed: str) -> tuple[str, str, str]:
    parts = sealed.split(":", 2) if isinstance(sealed, str) else []
    if len(parts) != 3 or parts[0] != VERSION:
        raise VaultError("not a sealed secret")
    return parts[0], parts[1], parts[2]
