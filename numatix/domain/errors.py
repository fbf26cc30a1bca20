"""Errors grouped by what the caller should do, with Binance's codes and messages.

A caller never inspects message text: it catches the class. ``OrderRejected`` carries the
code and message so that the UI, the API and the Binance-compatible simulator can repeat
them verbatim.
"""

from __future__ import annotations

from typing import Final

from numatix.domain.enums import RejectReason


class VenueError(Exception):
    """Anything a venue (paper or Binance) reports as a failure."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class OrderRejected(VenueError):
    """The venue refused the request as sent: tell the user, do not retry unchanged.

    ``message`` is the venue's words (what the API repeats); ``hint`` the same refusal in
    a trader's words, naming the number they need ("Minimum order is 5 USDT"), when the
    rule that refused it knows that number.
    """

    def __init__(
        self, code: int, message: str, reason: RejectReason = RejectReason.NONE, hint: str = ""
    ) -> None:
        super().__init__(message, code)
        self.reason = reason
        self.hint = hint

    @property
    def words(self) -> str:
        """What to show a person: the hint when there is one, else the venue's words."""
        return self.hint or self.message

    def __repr__(self) -> str:
        return f"OrderRejected(code={self.code}, message={self.message!r})"


class OrderNotFound(OrderRejected):
    """The order is unknown or already closed (-2011 on cancel, -2013 on query)."""


class TransientVenueError(VenueError):
    """Temporary (rate limit, maintenance, network): retry with jittered backoff."""

    def __init__(self, message: str, code: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, code)
        self.retry_after = retry_after


class OutcomeUnknown(VenueError):
    """The request may or may not have executed: look it up by client order id, never resend."""

    def __init__(self, message: str, code: int | None = None, client_order_id: str | None = None) -> None:
        super().__init__(message, code)
        self.client_order_id = client_order_id


class AuthenticationFailed(VenueError):
    """Keys missing, wrong or lacking permission: stop and ask the user for keys."""


class ConfigurationError(VenueError):
    """Our own set-up is wrong (unknown symbol list, bad URL): fix the configuration."""


class IllegalTransition(Exception):
    """A status change the order state table forbids: a bug, never a venue answer."""


# Codes (Binance Spot errors.md).
FILTER_FAILURE: Final = -1013
ILLEGAL_CHARACTERS: Final = -1100
TOO_MUCH_PRECISION: Final = -1111
MANDATORY_PARAMETER: Final = -1102
PARAMETER_NOT_REQUIRED: Final = -1106
INVALID_TIME_IN_FORCE: Final = -1115
INVALID_ORDER_TYPE: Final = -1116
INVALID_SIDE: Final = -1117
INVALID_SYMBOL: Final = -1121
NEW_ORDER_REJECTED: Final = -2010
CANCEL_REJECTED: Final = -2011
NO_SUCH_ORDER: Final = -2013

# Messages, verbatim.
MSG_INSUFFICIENT_BALANCE: Final = "Account has insufficient balance for requested action."
MSG_WOULD_TRIGGER: Final = "Order would trigger immediately."
MSG_WOULD_TAKE: Final = "Order would immediately match and take."
MSG_UNKNOWN_ORDER: Final = "Unknown order sent."
MSG_ORDER_DOES_NOT_EXIST: Final = "Order does not exist."
MSG_DUPLICATE_ORDER: Final = "Duplicate order sent."
MSG_BAD_OCO_PRICES: Final = "The relationship of the prices for the orders is not correct."
MSG_INVALID_SYMBOL: Final = "Invalid symbol."
MSG_INVALID_ORDER_TYPE: Final = "Invalid orderType."
MSG_INVALID_TIME_IN_FORCE: Final = "Invalid timeInForce."
MSG_INVALID_SIDE: Final = "Invalid side."


# What each wire parameter is called on the order form.
FIELD_LABELS: Final = {
    "quantity": "Amount", "quoteOrderQty": "Total", "price": "Price", "stopPrice": "Stop price",
    "timeInForce": "Time in force", "stopLimitPrice": "Stop-limit price",
    "stopLimitTimeInForce": "Time in force",
}


def filter_failure(filter_name: str, hint: str = "") -> OrderRejected:
    return OrderRejected(FILTER_FAILURE, f"Filter failure: {filter_name}", hint=hint)


def mandatory_parameter(name: str) -> OrderRejected:
    label = FIELD_LABELS.get(name, name)
    return OrderRejected(
        MANDATORY_PARAMETER, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
        hint=f"Enter the {label.lower()}" if name != "timeInForce" else "Choose a time in force",
    )


def either_parameter(first: str, second: str) -> OrderRejected:
    return OrderRejected(
        MANDATORY_PARAMETER, f"Param '{first}' or '{second}' must be sent, but both were empty/null!",
        hint=f"Enter the {FIELD_LABELS.get(first, first).lower()} or the "
             f"{FIELD_LABELS.get(second, second).lower()}",
    )


def parameter_not_required(name: str) -> OrderRejected:
    return OrderRejected(PARAMETER_NOT_REQUIRED, f"Parameter '{name}' sent when not required.",
                         hint=f"{FIELD_LABELS.get(name, name)} is not used by this order type")


def too_much_precision(name: str, hint: str = "") -> OrderRejected:
    return OrderRejected(TOO_MUCH_PRECISION, f"Parameter '{name}' has too much precision.", hint=hint)


def insufficient_balance(hint: str = "") -> OrderRejected:
    return OrderRejected(NEW_ORDER_REJECTED, MSG_INSUFFICIENT_BALANCE, RejectReason.INSUFFICIENT_BALANCES,
                         hint)
