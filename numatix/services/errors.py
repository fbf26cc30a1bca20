"""Errors a use case raises, by what the caller (a page or an API route) should do with them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis

from numatix.security.rate_limits import RateLimitExceeded
from numatix.store.db import DATABASE_UNREACHABLE

# A service the app stands on did not answer (the database, Redis): nothing was decided,
# try again shortly. The edge answers these with 503 and Retry-After.
BACKEND_UNREACHABLE: tuple[type[Exception], ...] = (
    *DATABASE_UNREACHABLE, redis.ConnectionError, redis.TimeoutError,
)
BACKEND_RETRY_SECONDS = 2


class ServiceError(Exception):
    """Base: carries a message meant for the user and, where it applies, the field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(ServiceError):
    """The input breaks a rule; the message names the field and the rule."""


class AuthenticationRequired(ServiceError):
    """No valid session: log in (again)."""


class NotFound(ServiceError, LookupError):
    """The thing does not exist for this user (or at all)."""


class Conflict(ServiceError):
    """It already exists."""


class ServiceUnavailable(ServiceError):
    """Briefly unable to serve (shutting down, restarting): try again shortly."""


class VenueUnreachable(ServiceUnavailable):
    """The venue did not answer (network down, Binance busy): nothing was changed; try again later."""


class WalletResetUnavailable(ServiceError):
    """The venue keeps real balances (Binance testnet): there is nothing to reset to."""


class RateLimited(ServiceError):
    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


def wait_words(seconds: int) -> str:
    return f"{seconds} s" if seconds < 90 else f"{(seconds + 59) // 60} min"


@contextmanager
def limited(what: str) -> Iterator[None]:
    """Turn the limiter's refusal into a RateLimited that says what and how long to wait."""
    try:
        yield
    except RateLimitExceeded as exceeded:
        seconds = exceeded.retry_after_seconds
        raise RateLimited(f"{what}. Try again in {wait_words(seconds)}.", seconds) from None
