"""The engine commands between workers: every venue call, its result and its error cross as
JSON and come back as what the engine itself would have returned or raised."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from numatix.domain.enums import OrderType, RejectReason, Side, TimeInForce
from numatix.domain.errors import (
    OrderNotFound,
    OrderRejected,
    OutcomeUnknown,
    TransientVenueError,
    VenueError,
)
from numatix.domain.events import AccountUncertain
from numatix.domain.requests import OrderRequest
from numatix.exchange.cluster import protocol
from tests.unit.exchange.helpers import SYMBOL, make_exchange

REQUEST = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, quantity=D("0.01"), price=D("49000"),
                       time_in_force=TimeInForce.GTC, client_order_id="wire-1")


def sent(command: protocol.Command, arguments: dict) -> dict:
    """What the engine's side decodes from the request a worker published."""
    request = json.loads(protocol.encode_request("r1", "reply-here", command, arguments))
    assert request["command"] == command.name and request["reply_to"] == "reply-here"
    return command.decode_arguments(request["arguments"])


def replied(command: protocol.Command, result: object) -> object:
    return protocol.decode_result(command, json.loads(protocol.encode_result("r1", result)))


def failed(command: protocol.Command, error: BaseException) -> VenueError:
    reply = json.loads(protocol.encode_failure("r1", error))
    with pytest.raises(VenueError) as raised:
        protocol.decode_result(command, reply)
    return raised.value


async def test_every_command_run_on_the_far_side_returns_what_the_engine_returned():
    exchange = make_exchange()
    calls = [
        (protocol.SUBMIT, {"account": 7, "request": REQUEST}),
        (protocol.QUERY_ORDER, {"account": 7, "symbol": SYMBOL, "client_order_id": "wire-1"}),
        (protocol.OPEN_ORDERS, {"account": 7, "symbol": None}),
        (protocol.ALL_ORDERS, {"account": 7, "symbol": SYMBOL, "limit": 10, "before_order_id": None,
                               "is_open": True}),
        (protocol.ORDER_BY_ID, {"account": 7, "venue_order_id": 1}),
        (protocol.BALANCES, {"account": 7}),
        (protocol.CANCEL, {"account": 7, "symbol": SYMBOL, "client_order_id": "wire-1", "venue_order_id": None}),
        (protocol.SUBMIT, {"account": 7, "request": OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET,
                                                                 quantity=D("0.01"))}),
        (protocol.MY_TRADES, {"account": 7, "symbol": None}),
        (protocol.CANCEL_ALL, {"account": 7, "symbol": SYMBOL}),
        (protocol.RESET_WALLET, {"account": 7}),
        (protocol.WALLET_LEDGER, {"account": 7}),
    ]
    assert {command.name for command, _ in calls} >= {c.name for c in protocol.VENUE_COMMANDS} - {"submit_oco"}
    for command, arguments in calls:
        received = sent(command, arguments)
        assert received == arguments
        result = await getattr(exchange, command.name)(**received)
        assert replied(command, result) == result, command.name


def test_venue_errors_arrive_as_the_same_class_with_the_same_fields():
    rejected = failed(protocol.SUBMIT, OrderRejected(-2010, "Account has insufficient balance for requested action.",
                                                     RejectReason.INSUFFICIENT_BALANCES))
    assert type(rejected) is OrderRejected and rejected.code == -2010
    assert rejected.reason is RejectReason.INSUFFICIENT_BALANCES and "insufficient" in rejected.message
    missing = failed(protocol.CANCEL, OrderNotFound(-2011, "Unknown order sent."))
    assert type(missing) is OrderNotFound and missing.code == -2011
    busy = failed(protocol.BALANCES, TransientVenueError("busy", retry_after=2.5))
    assert type(busy) is TransientVenueError and busy.retry_after == 2.5
    unknown = failed(protocol.SUBMIT, OutcomeUnknown("lost", client_order_id="wire-1"))
    assert type(unknown) is OutcomeUnknown and unknown.client_order_id == "wire-1"


def test_a_bug_in_the_engine_is_unknown_for_changes_and_retryable_for_reads():
    crashed = ZeroDivisionError("boom")
    assert type(failed(protocol.SUBMIT, crashed)) is OutcomeUnknown
    read = failed(protocol.BALANCES, crashed)
    assert type(read) is TransientVenueError and "boom" not in read.message


def test_no_reply_means_outcome_unknown_with_the_order_named_only_for_changes():
    lost_submit = protocol.SUBMIT.timed_out({"account": 7, "request": REQUEST})
    assert isinstance(lost_submit, OutcomeUnknown) and lost_submit.client_order_id == "wire-1"
    lost_cancel = protocol.CANCEL.timed_out({"account": 7, "symbol": SYMBOL, "client_order_id": "c-9",
                                             "venue_order_id": None})
    assert isinstance(lost_cancel, OutcomeUnknown) and lost_cancel.client_order_id == "c-9"
    lost_read = protocol.OPEN_ORDERS.timed_out({"account": 7})
    assert isinstance(lost_read, TransientVenueError) and "may or may not" not in lost_read.message
    assert "may or may not" in lost_submit.message


async def test_venue_events_cross_for_report_readers():
    exchange = make_exchange()
    events = []
    exchange.add_listener(events.append)
    await exchange.submit(3, OrderRequest(SYMBOL, Side.SELL, OrderType.MARKET, quantity=D("0.01")))
    assert {type(event).__name__ for event in events} == {"ExecutionReport", "BalanceUpdate"}
    for event in [*events, AccountUncertain(3, 4)]:
        assert protocol.decode_venue_event(protocol.encode_venue_event(event)) == event
