"""Fault injection: the failures a Binance client must survive, on demand.

Set by CLI flags at start, by ``/sim/admin/...`` at run time, or by tests through
``Simulator.faults``. Each one-shot fault (fail, throttle, lose a reply) is consumed by the
request it hits, so a test can say "the next two requests fail" and check the third.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from numatix.sim import errors
from numatix.sim.errors import SimError

LOSE_MODES = ("error", "hang")
DEFAULT_HOLD_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class LostReply:
    """The next accepted order's reply: answered 5xx -1007 ("error") or held ("hang")."""

    mode: str
    hold_seconds: float


class Faults:
    def __init__(self) -> None:
        self.latency_ms = 0
        self.skew_ms = 0
        self._fail_left = 0
        self._fail_status = 503
        self._throttle_left = 0
        self._retry_after = 1
        self._lost_reply: LostReply | None = None
        self._throttle_status = 429
        self._droppers: list[Callable[[], int]] = []

    # ------------------------------------------------------------ setters
    def set_latency(self, ms: int) -> None:
        """Added before every REST reply and every WebSocket API reply (streams stay live)."""
        if ms < 0:
            raise ValueError("latency must not be negative")
        self.latency_ms = int(ms)

    def fail_next(self, n: int, status: int = 503) -> None:
        """The next ``n`` REST requests answer ``status`` without executing: 500 is -1000
        (unknown error), any other 5xx -1001 (internal error, "try again")."""
        if not 500 <= status <= 599:
            raise ValueError("fail_next needs a 5xx status")
        self._fail_left, self._fail_status = int(n), int(status)

    def throttle_next(self, n: int, retry_after: int = 1, status: int = 429) -> None:
        """The next ``n`` REST requests answer 429 -1003 (or 418, the IP ban that follows
        ignored 429s) with ``Retry-After: retry_after``."""
        if status not in (418, 429):
            raise ValueError("throttle_next needs status 429 or 418")
        self._throttle_left, self._retry_after, self._throttle_status = int(n), int(retry_after), int(status)

    def skew_clock(self, ms: int) -> None:
        """Server time = real time + ``ms``: clients must resync with GET /api/v3/time."""
        self.skew_ms = int(ms)

    def drop_streams(self) -> int:
        """Close every market stream, user stream and WebSocket API connection now;
        returns how many were open."""
        return sum(drop() for drop in self._droppers)

    def lose_next_order_reply(self, mode: str = "error", hold_seconds: float = DEFAULT_HOLD_SECONDS) -> None:
        """The next accepted order (or OCO) executes, but its reply is lost: a 503 -1007 at
        once ("error"), or the same after ``hold_seconds``, past any client's timeout ("hang")."""
        if mode not in LOSE_MODES:
            raise ValueError(f"mode must be one of {', '.join(LOSE_MODES)}")
        self._lost_reply = LostReply(mode, float(hold_seconds))

    def clear(self) -> None:
        self.latency_ms = self.skew_ms = self._fail_left = self._throttle_left = 0
        self._lost_reply = None

    def on_drop(self, dropper: Callable[[], int]) -> None:
        """The server registers how to drop its connections."""
        self._droppers.append(dropper)

    # ------------------------------------------------------------ consumers
    def take_request_fault(self, weight_limit: int) -> SimError | None:
        if self._fail_left > 0:
            self._fail_left -= 1
            if self._fail_status == 500:
                return errors.unknown_error()
            return errors.internal_error(self._fail_status)
        if self._throttle_left > 0:
            self._throttle_left -= 1
            if self._throttle_status == 418:
                return errors.ip_banned(self._retry_after)
            return errors.too_much_weight(weight_limit, self._retry_after)
        return None

    def take_lost_reply(self) -> LostReply | None:
        lost, self._lost_reply = self._lost_reply, None
        return lost

    def state(self) -> dict[str, object]:
        lost = self._lost_reply
        return {
            "latency_ms": self.latency_ms,
            "skew_ms": self.skew_ms,
            "fail_next": self._fail_left,
            "fail_status": self._fail_status,
            "throttle_next": self._throttle_left,
            "retry_after": self._retry_after,
            "throttle_status": self._throttle_status,
            "lose_next_order_reply": None if lost is None else {"mode": lost.mode,
                                                                "hold_seconds": lost.hold_seconds},
        }
