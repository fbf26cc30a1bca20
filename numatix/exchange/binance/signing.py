"""Binance request signing, shared by our connector (signs) and our simulator (verifies).

REST: the payload is the query string exactly as sent (no ``?``) with the form body
appended directly, both already percent-encoded. WebSocket API: every parameter except
``signature``, sorted by name, as ``k=v&..`` with raw UTF-8 values. HMAC gives a hex
digest (compared case-insensitively); Ed25519 gives base64 (case-sensitive), which is
percent-encoded like any other value when it goes into a query string.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from numatix.domain.credentials import ExchangeCredentials, SignatureKind

# Binance leaves these unescaped in its examples (RFC 3986 unreserved characters).
_SAFE = "-_.~"


def encode_params(params: Iterable[tuple[str, object]]) -> str:
    """``k=v&..`` in the given order, percent-encoded the way Binance signs it."""
    return "&".join(f"{quote(str(name), safe=_SAFE)}={quote(_text(value), safe=_SAFE)}"
                    for name, value in params)


def rest_payload(query: str, body: str = "") -> str:
    return query + body


def ws_payload(params: Mapping[str, object]) -> str:
    return "&".join(f"{name}={_text(params[name])}" for name in sorted(params) if name != "signature")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise TypeError("floats are never sent to Binance: use Decimal or str")
    return str(value)


class Signer:
    kind: SignatureKind

    def sign(self, payload: str) -> str:
        raise NotImplementedError


class HmacSigner(Signer):
    kind = SignatureKind.HMAC_SHA256

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()


class Ed25519Signer(Signer):
    """The secret is the PEM (PKCS#8) private key whose public half was registered."""

    kind = SignatureKind.ED25519

    def __init__(self, private_key_pem: str) -> None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            # A ValueError like every other unusable key, which is what the callers catch.
            raise ValueError("not an Ed25519 private key")  # noqa: TRY004
        self._key = key

    def sign(self, payload: str) -> str:
        return base64.b64encode(self._key.sign(payload.encode())).decode()


def signer_for(credentials: ExchangeCredentials) -> Signer:
    if credentials.signature is SignatureKind.ED25519:
        return Ed25519Signer(credentials.secret)
    return HmacSigner(credentials.secret)


def verify_hmac(secret: str, payload: str, signature: str) -> bool:
    expected = HmacSigner(secret).sign(payload)
    return hmac.compare_digest(expected, signature.lower())


def verify_ed25519(public_key_pem: str, payload: str, signature: str) -> bool:
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(signature, validate=True), payload.encode())
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def new_ed25519_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM): what a user generates before registering a key."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private_pem, public_pem
