"""Binance error codes mapped to our exception classes, as data (after ccxt's table).

The Binance adapter reads every error reply through this table. The simulator
(``numatix.sim``) does not use it: it sends Binance's codes and words verbatim
(``numatix.sim.errors``), as the exchange does; a unit test checks that every code the
simulator can send is in this table, so the two sides cannot drift apart.
"""

from __future__ import annotations

from numatix.domain.errors import (
    AuthenticationFailed,
    ConfigurationError,
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    TransientVenueError,
    VenueError,
)

BINANCE_ERROR_CLASSES: dict[int, type[VenueError]] = {
    -1000: OutcomeUnknown,  # UNKNOWN: execution status unknown
    -1001: TransientVenueError,  # DISCONNECTED
    -1002: AuthenticationFailed,  # UNAUTHORIZED
    -1003: TransientVenueError,  # TOO_MANY_REQUESTS
    -1006: OutcomeUnknown,  # UNEXPECTED_RESP
    -1007: OutcomeUnknown,  # TIMEOUT
    -1008: TransientVenueError,  # SERVER_BUSY
    -1013: OrderRejected,  # filter failures, invalid quantity/price
    -1014: OrderRejected,
    -1015: TransientVenueError,  # TOO_MANY_ORDERS
    -1016: TransientVenueError,  # SERVICE_SHUTTING_DOWN
    -1020: OrderRejected,
    -1021: TransientVenueError,  # INVALID_TIMESTAMP: resync clock, then retry
    -1022: AuthenticationFailed,  # INVALID_SIGNATURE
    -1100: OrderRejected,
    -1101: OrderRejected,
    -1102: OrderRejected,
    -1103: OrderRejected,
    -1104: OrderRejected,
    -1105: OrderRejected,
    -1106: OrderRejected,
    -1111: OrderRejected,
    -1112: OrderRejected,
    -1114: OrderRejected,
    -1115: OrderRejected,
    -1116: OrderRejected,
    -1117: OrderRejected,
    -1118: OrderRejected,
    -1119: OrderRejected,
    -1120: OrderRejected,
    -1121: ConfigurationError,  # Invalid symbol: our symbol list is wrong
    -1125: AuthenticationFailed,  # listenKey does not exist
    -1127: OrderRejected,  # more than 24 hours between startTime and endTime
    -1128: OrderRejected,  # combination of optional parameters invalid
    -1130: OrderRejected,  # data sent for a parameter is not valid
    -1131: OrderRejected,
    -1135: OrderRejected,  # JSON sent for a parameter is not valid
    -1158: OrderRejected,  # order type not supported in OCO
    -2010: OrderRejected,  # NEW_ORDER_REJECTED
    -2011: OrderNotFound,  # CANCEL_REJECTED
    -2013: OrderNotFound,  # NO_SUCH_ORDER
    -2014: AuthenticationFailed,  # API-key format invalid
    -2015: AuthenticationFailed,  # Invalid API-key, IP, or permissions
    -2021: OutcomeUnknown,  # cancel-replace partially failed
    -2022: OrderRejected,
    -2026: OrderNotFound,  # archived order
    -2035: TransientVenueError,  # user data stream subscription not found: subscribe again
}

# HTTP statuses whose meaning does not depend on the code in the body.
HTTP_STATUS_CLASSES: dict[int, type[VenueError]] = {
    401: AuthenticationFailed,
    403: TransientVenueError,  # WAF block
    418: TransientVenueError,  # IP auto-ban
    429: TransientVenueError,
}


def error_from_binance(
    code: int | None,
    message: str,
    http_status: int | None = None,
    retry_after: float | None = None,
    client_order_id: str | None = None,
) -> VenueError:
    """Build the exception a caller should see for a Binance error reply."""
    if http_status is not None and http_status >= 500:
        return OutcomeUnknown(message, code, client_order_id=client_order_id)
    cls = BINANCE_ERROR_CLASSES.get(code) if code is not None else None
    if cls is None and http_status is not None:
        cls = HTTP_STATUS_CLASSES.get(http_status)
    if http_status in (418, 429):
        cls = TransientVenueError
    if cls is None:
        cls = OrderRejected if http_status == 400 else VenueError
    return _instantiate(cls, code, message, retry_after, client_order_id)


def _instantiate(
    cls: type[VenueError],
    code: int | None,
    message: str,
    retry_after: float | None,
    client_order_id: str | None,
) -> VenueError:
    if issubclass(cls, OrderRejected):
        return cls(code if code is not None else 0, message)
    if issubclass(cls, TransientVenueError):
        return cls(message, code, retry_after=retry_after)
    if issubclass(cls, OutcomeUnknown):
        return cls(message, code, client_order_id=client_order_id)
    return cls(message, code)
