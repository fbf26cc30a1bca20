"""The Binance connector's tunables and the mainnet guard.

Users trade on the Spot Testnet. Real-money hosts (api.binance.com and its siblings) are
refused unless the operator opted in with ``NUMATIX_ALLOW_MAINNET=true``: a wrong URL in a
``.env`` file must not be able to spend real funds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from numatix.domain.errors import ConfigurationError

# Hosts that reach real funds. Demo mode (demo-api.binance.com, ...) is virtual money.
_MAINNET_DOMAINS = ("binance.com", "binance.us")
_PLAY_MONEY_PREFIXES = ("demo-",)


@dataclass(frozen=True, slots=True)
class BinanceOptions:
    """Timeouts in seconds, windows in milliseconds; defaults suit the real testnet."""

    recv_window_ms: int = 5_000
    request_timeout_seconds: float = 10.0
    clock_resync_seconds: float = 300.0  # keep the server-time offset fresh
    max_retries: int = 3  # for requests safe to repeat
    retry_base_seconds: float = 0.25
    retry_cap_seconds: float = 4.0
    max_retry_after_seconds: float = 5.0  # a read waits out a Retry-After up to this, then fails
    resolve_attempts: int = 6  # lookups of an order whose reply was lost
    exchange_info_ttl_seconds: float = 3_600.0
    stream_backoff_base_seconds: float = 1.0
    stream_backoff_cap_seconds: float = 30.0
    stream_open_timeout_seconds: float = 10.0
    start_timeout_seconds: float = 30.0


def is_mainnet(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if host.startswith(_PLAY_MONEY_PREFIXES):
        return False
    return any(host == domain or host.endswith("." + domain) for domain in _MAINNET_DOMAINS)


def refuse_mainnet(urls: Iterable[str], allow_mainnet: bool) -> None:
    """ConfigurationError if any URL reaches real funds and the operator has not opted in."""
    if allow_mainnet:
        return
    real = [url for url in urls if is_mainnet(url)]
    if real:
        raise ConfigurationError(
            f"{', '.join(real)} is Binance mainnet (real funds); Numatix trades on the Spot Testnet. "
            "Set NUMATIX_ALLOW_MAINNET=true only if you really mean to trade real money."
        )
