"""Binance's error replies, as the simulator sends them: ``{"code":-NNNN,"msg":"..."}``
with the HTTP status Binance uses (400 for most, 401 for key problems, 429 for limits,
5xx when the outcome is unknown). Messages are Binance's, verbatim.
"""

from __future__ import annotations

import time

from numatix.domain.errors import OrderRejected

NUMBER_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
INTEGER_RANGE = r"^[0-9]{1,20}$"

MSG_BAD_SIGNATURE = "Signature for this request is not valid."
MSG_TIMESTAMP_AHEAD = "Timestamp for this request was 1000ms ahead of the server's time."
MSG_OUTSIDE_RECV_WINDOW = "Timestamp for this request is outside of the recvWindow."
MSG_API_KEY_FORMAT = "API-key format invalid."
MSG_API_KEY_REJECTED = "Invalid API-key, IP, or permissions for action."
MSG_BACKEND_TIMEOUT = ("Timeout waiting for response from backend server. "
                       "Send status unknown; execution status unknown.")
MSG_INTERNAL = "Internal error; unable to process your request. Please try again."
MSG_UNKNOWN = "An unknown error occurred while processing the request."


class SimError(Exception):
    """A Binance error reply; ``retry_after`` (seconds) becomes the Retry-After header."""

    def __init__(self, code: int, message: str, status: int = 400, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after

    def body(self) -> dict[str, object]:
        return {"code": self.code, "msg": self.message}

    def __repr__(self) -> str:
        return f"SimError(status={self.status}, code={self.code}, message={self.message!r})"


def from_rejection(error: OrderRejected) -> SimError:
    """The engine already speaks Binance: repeat its code and message."""
    return SimError(error.code if error.code is not None else -1013, error.message)


def mandatory(name: str) -> SimError:
    return SimError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def either(first: str, second: str) -> SimError:
    return SimError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def illegal_characters(name: str, legal_range: str = NUMBER_RANGE) -> SimError:
    return SimError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal_range}'.")


def not_required(name: str) -> SimError:
    return SimError(-1106, f"Parameter '{name}' sent when not required.")


def invalid_parameter(name: str) -> SimError:
    return SimError(-1130, f"Data sent for parameter '{name}' is not valid.")


def duplicate_parameter() -> SimError:
    return SimError(-1101, "Duplicate values for a parameter detected.")


def invalid_symbol() -> SimError:
    return SimError(-1121, "Invalid symbol.")


def invalid_interval() -> SimError:
    return SimError(-1120, "Invalid interval.")


def bad_signature() -> SimError:
    return SimError(-1022, MSG_BAD_SIGNATURE)


def timestamp_ahead() -> SimError:
    return SimError(-1021, MSG_TIMESTAMP_AHEAD)


def outside_recv_window() -> SimError:
    return SimError(-1021, MSG_OUTSIDE_RECV_WINDOW)


def api_key_format() -> SimError:
    return SimError(-2014, MSG_API_KEY_FORMAT, status=401)


def api_key_rejected() -> SimError:
    return SimError(-2015, MSG_API_KEY_REJECTED, status=401)


def unknown_listen_key() -> SimError:
    return SimError(-1125, "This listenKey does not exist.")


def unknown_order_on_cancel() -> SimError:
    return SimError(-2011, "Unknown order sent.")


def too_much_weight(limit: int, retry_after: int) -> SimError:
    return SimError(
        -1003,
        f"Too much request weight used; current limit is {limit} request weight per 1 MINUTE. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
        status=429,
        retry_after=retry_after,
    )


def too_many_requests(limit: int, retry_after: int) -> SimError:
    return SimError(
        -1003,
        f"Too many requests; current limit is {limit} requests per 5 MINUTE. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
        status=429,
        retry_after=retry_after,
    )


def ip_banned(retry_after: int) -> SimError:
    """418: what Binance answers a client that kept going after its 429s."""
    until = time.time_ns() // 1_000_000 + retry_after * 1000
    return SimError(-1003, f"Way too much request weight used; IP banned until {until}. "
                    "Please use WebSocket Streams for live updates to avoid bans.", status=418,
                    retry_after=retry_after)


def too_many_orders(limit: int, interval: str, retry_after: int) -> SimError:
    return SimError(-1015, f"Too many new orders; current limit is {limit} orders per {interval}.",
                    status=429, retry_after=retry_after)


def backend_timeout(status: int = 503) -> SimError:
    return SimError(-1007, MSG_BACKEND_TIMEOUT, status=status)


def internal_error(status: int = 503) -> SimError:
    return SimError(-1001, MSG_INTERNAL, status=status)


def unknown_error() -> SimError:
    return SimError(-1000, MSG_UNKNOWN, status=500)


def unsupported_combination() -> SimError:
    return SimError(-1014, "Unsupported order combination.")
