"""A user's exchange key pair, as the Binance venue needs it to sign requests."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class SignatureKind(str, enum.Enum):
    HMAC_SHA256 = "HMAC_SHA256"
    ED25519 = "ED25519"


class VenueChoice(str, enum.Enum):
    PAPER = "paper"
    BINANCE_TESTNET = "binance-testnet"


@dataclass(frozen=True, slots=True)
class ExchangeCredentials:
    """Hashable, so a venue can key per-account state by it; the secret never prints."""

    user_id: int
    api_key: str
    secret: str = field(repr=False)
    signature: SignatureKind = SignatureKind.HMAC_SHA256

    @property
    def hint(self) -> str:
        """Enough of the API key to recognise it, never enough to use it."""
        return mask(self.api_key)


def mask(value: str) -> str:
    if len(value) <= 8:
        return "•" * len(value)
    return f"{value[:4]}…{value[-4:]}"
