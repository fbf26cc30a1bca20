"""The engine commands workers send to the engine leader, and their replies, as JSON.

A command is a name, its parameters' types and its result's type; the same table encodes
on one side and decodes on the other (``numatix.domain.codec``, never ``pickle``).
Venue errors cross as their class name and fields, so a worker raises exactly what the
engine raised. A command that changes state and gets no reply in time may still have
run: the caller gets ``OutcomeUnknown`` (look it up by client order id), never a resend.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass

from numatix.domain.balances import Balance, LedgerEntry
from numatix.domain.codec import from_plain, to_plain
from numatix.domain.enums import RejectReason
from numatix.domain.errors import (
    AuthenticationFailed,
    ConfigurationError,
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    TransientVenueError,
    VenueError,
)
from numatix.domain.events import AccountUncertain, BalanceUpdate, ExecutionReport, VenueEvent
from numatix.domain.orders import Fill, Order
from numatix.domain.requests import OcoRequest, OrderRequest

NO_REPLY = "The paper exchange did not answer in time; the request may or may not have been carried out."
NO_ENGINE = "The paper exchange is starting or changing hands; try again in a moment."
NO_ANSWER = "The paper exchange did not answer in time; try again in a moment."  # a read: nothing changed


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    parameters: tuple[tuple[str, object], ...]
    result: object  # a type hint; None for no result
    changes_state: bool = False

    def encode_arguments(self, arguments: dict[str, object]) -> dict[str, object]:
        return {name: to_plain(arguments[name]) for name, _ in self.parameters}

    def decode_arguments(self, plain: dict[str, object]) -> dict[str, object]:
        return {name: from_plain(hint, plain.get(name)) for name, hint in self.parameters}

    def timed_out(self, arguments: dict[str, object] | None = None) -> VenueError:
        """Sent, but no reply: what changes state may have run (look it up, never resend)."""
        if self.changes_state:
            return OutcomeUnknown(NO_REPLY, client_order_id=client_order_id_of(arguments or {}))
        return TransientVenueError(NO_ANSWER, retry_after=1.0)


def client_order_id_of(arguments: dict[str, object]) -> str | None:
    """The order a command is about, by client order id, when it names one."""
    named = arguments.get("client_order_id")
    request = arguments.get("request")
    return named if isinstance(named, str) else getattr(request, "client_order_id", None)


ACCOUNT = ("account", Hashable)
SYMBOL = ("symbol", str)
OPTIONAL_SYMBOL = ("symbol", str | None)

SUBMIT = Command("submit", (ACCOUNT, ("request", OrderRequest)), ExecutionReport, changes_state=True)
SUBMIT_OCO = Command("submit_oco", (ACCOUNT, ("request", OcoRequest)),
                     tuple[ExecutionReport, ExecutionReport], changes_state=True)
CANCEL = Command("cancel", (ACCOUNT, SYMBOL, ("client_order_id", str | None), ("venue_order_id", int | None)),
                 ExecutionReport, changes_state=True)
CANCEL_ALL = Command("cancel_all", (ACCOUNT, SYMBOL), list[ExecutionReport], changes_state=True)
RESET_WALLET = Command("reset_wallet", (ACCOUNT,), None, changes_state=True)
QUERY_ORDER = Command("query_order", (ACCOUNT, SYMBOL, ("client_order_id", str)), Order)
OPEN_ORDERS = Command("open_orders", (ACCOUNT, OPTIONAL_SYMBOL), list[Order])
ALL_ORDERS = Command("all_orders", (ACCOUNT, OPTIONAL_SYMBOL, ("limit", int), ("before_order_id", int | None),
                                    ("is_open", bool | None)), list[Order])
ORDER_BY_ID = Command("order_by_id", (ACCOUNT, ("venue_order_id", int)), Order)
MY_TRADES = Command("my_trades", (ACCOUNT, OPTIONAL_SYMBOL), list[Fill])
BALANCES = Command("balances", (ACCOUNT,), dict[str, Balance])
WALLET_LEDGER = Command("wallet_ledger", (ACCOUNT,), list[LedgerEntry])

VENUE_COMMANDS: tuple[Command, ...] = (
    SUBMIT, SUBMIT_OCO, CANCEL, CANCEL_ALL, RESET_WALLET, QUERY_ORDER, OPEN_ORDERS, ALL_ORDERS,
    ORDER_BY_ID, MY_TRADES, BALANCES, WALLET_LEDGER,
)

ERRORS: dict[str, type[VenueError]] = {
    cls.__name__: cls
    for cls in (OrderRejected, OrderNotFound, TransientVenueError, OutcomeUnknown, AuthenticationFailed,
                ConfigurationError, VenueError)
}


def encode_request(request_id: str, reply_to: str, command: Command, arguments: dict[str, object]) -> str:
    return json.dumps({"id": request_id, "reply_to": reply_to, "command": command.name,
                       "arguments": command.encode_arguments(arguments)}, separators=(",", ":"))


def encode_result(request_id: str, result: object) -> str:
    return json.dumps({"id": request_id, "ok": True, "result": to_plain(result)}, separators=(",", ":"))


def encode_refusal(request_id: str) -> str:
    """A server that may not act (its lease may have lapsed) says so: the command did not run there."""
    return json.dumps({"id": request_id, "refused": True}, separators=(",", ":"))


def encode_failure(request_id: str, error: BaseException) -> str:
    return json.dumps({"id": request_id, "ok": False, "error": error_to_plain(error)}, separators=(",", ":"))


def decode_result(command: Command, reply: dict) -> object:
    """The command's result, or the venue error the engine raised, raised here."""
    if reply["ok"]:
        return None if command.result is None else from_plain(command.result, reply["result"])
    raise error_from_plain(reply["error"], command)


def error_to_plain(error: BaseException) -> dict[str, object]:
    if not isinstance(error, VenueError):  # a bug on the engine's side: the caller cannot know more
        return {"type": "internal", "message": f"{type(error).__name__} in the paper exchange"}
    return {
        "type": type(error).__name__ if type(error).__name__ in ERRORS else "VenueError",
        "message": error.message,
        "code": error.code,
        "reason": getattr(error, "reason", RejectReason.NONE).value,
        "retry_after": getattr(error, "retry_after", None),
        "client_order_id": getattr(error, "client_order_id", None),
        "hint": getattr(error, "hint", ""),
    }


def error_from_plain(plain: dict, command: Command) -> VenueError:
    kind = ERRORS.get(plain["type"])
    message, code = plain["message"], plain.get("code")
    if kind is None:
        return command.timed_out() if command.changes_state else TransientVenueError(message)
    if issubclass(kind, OrderRejected):
        return kind(int(code or 0), message, RejectReason(plain.get("reason") or RejectReason.NONE.value),
                    str(plain.get("hint") or ""))
    if issubclass(kind, TransientVenueError):
        return kind(message, code, plain.get("retry_after"))
    if issubclass(kind, OutcomeUnknown):
        return kind(message, code, plain.get("client_order_id"))
    return kind(message, code)


VENUE_EVENTS: dict[str, type] = {cls.__name__: cls
                                 for cls in (ExecutionReport, BalanceUpdate, AccountUncertain)}


def encode_venue_event(event: VenueEvent) -> str:
    return json.dumps({"kind": type(event).__name__, "event": to_plain(event)}, separators=(",", ":"))


def decode_venue_event(text: str | bytes) -> VenueEvent:
    message = json.loads(text)
    return from_plain(VENUE_EVENTS[message["kind"]], message["event"])
