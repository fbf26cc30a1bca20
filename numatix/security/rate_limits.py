"""Rate limits with the ``limits`` library: in memory for one process, in Redis when the
app runs several workers, so a limit holds however many workers answer."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Rule:
    name: str
    limit: str


ORDERS = Rule("orders", "20/minute")
LOGIN_BY_EMAIL = Rule("login-email", "5 per 15 minutes")
LOGIN_BY_ADDRESS = Rule("login-address", "5 per 15 minutes")
API_REQUESTS = Rule("api", "100/minute")

LABELS = {"orders": "order requests", "login-email": "log-in attempts", "login-address": "log-in attempts",
          "api": "API requests"}


class RateLimitExceeded(Exception):
    """Refused; ``retry_after_seconds`` feeds the Retry-After header and the user's message."""

    def __init__(self, rule: str, retry_after_seconds: int) -> None:
        self.rule = rule
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"Too many {LABELS.get(rule, rule)}; try again in {retry_after_seconds} s.")


class RateLimiter:
    """One bucket per (rule, identifiers), in a moving window so bursts at a boundary don't double up."""

    def __init__(self, storage_uri: str = "memory://", overrides: dict[str, str] | None = None) -> None:
        """``overrides``: rule name -> limit text, for an operator who tunes a limit."""
        self._storage = storage_from_string(storage_uri)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._overrides = dict(overrides or {})
        self._parsed: dict[Rule, RateLimitItem] = {}

    def _limit(self, rule: Rule) -> RateLimitItem:
        parsed = self._parsed.get(rule)
        if parsed is None:
            parsed = self._parsed[rule] = parse(self._overrides.get(rule.name, rule.limit))
        return parsed

    def hit(self, rule: Rule, *identifiers: str) -> None:
        """Consume one unit; a refused attempt does not count (the window is not extended)."""
        limit = self._limit(rule)
        if not self._limiter.hit(limit, rule.name, *identifiers):
            raise self._exceeded(rule, identifiers)

    def check(self, rule: Rule, *identifiers: str) -> None:
        if not self._limiter.test(self._limit(rule), rule.name, *identifiers):
            raise self._exceeded(rule, identifiers)

    def reset(self, rule: Rule, *identifiers: str) -> None:
        self._limiter.clear(self._limit(rule), rule.name, *identifiers)

    def _exceeded(self, rule: Rule, identifiers: tuple[str, ...]) -> RateLimitExceeded:
        reset_at = self._limiter.get_window_stats(self._limit(rule), rule.name, *identifiers).reset_time
        return RateLimitExceeded(rule.name, max(1, math.ceil(reset_at - time.time())))
