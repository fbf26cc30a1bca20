"""After a reconnect: missed fills replayed from REST, each exactly once, in order, asking only
where something may have happened."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import httpx
import pytest

from numatix.domain.enums import ExecutionType, OrderStatus
from numatix.domain.events import BalanceUpdate, ExecutionReport
from numatix.exchange.binance import wire
from numatix.exchange.binance.accounts import AccountSession
from numatix.exchange.binance.endpoints import BinanceEndpoints
from numatix.exchange.binance.ledger import AccountLedger
from numatix.exchange.binance.reconcile import HEARD_MARGIN_MS, Reconciler, Snapshot
from tests.support.fake_binance import CREDENTIALS, FakeBinance, FakeTime, error, ok

SYMBOLS = ["BTCUSDT", "ETHUSDT", *(f"C{n}USDT" for n in range(18))]  # 20, as the app configures
BASES = {symbol: symbol.removesuffix("USDT") for symbol in SYMBOLS}

ORDER = {"symbol": "BTCUSDT", "orderId": 11, "orderListId": -1, "clientOrderId": "buy-11", "price": "50000.00",
         "origQty": "0.30000000", "executedQty": "0.10000000", "cummulativeQuoteQty": "5000.00", "status": "NEW",
         "timeInForce": "GTC", "type": "LIMIT", "side": "BUY", "stopPrice": "0", "icebergQty": "0", "time": 1000,
         "updateTime": 1000, "isWorking": True, "workingTime": 1000, "origQuoteOrderQty": "0"}


def trade_row(trade_id: int, qty: str, time_ms: int) -> dict:
    return {"symbol": "BTCUSDT", "id": trade_id, "orderId": 11, "orderListId": -1, "price": "50000.00",
            "qty": qty, "quoteQty": str(D(qty) * 50000), "commission": "0", "commissionAsset": "BTC", "time": time_ms,
            "isBuyer": True, "isMaker": True, "isBestMatch": True}


def stream_report(trade_id: int, status: str, last: str, cumulative: str) -> ExecutionReport:
    return wire.parse_execution_report(CREDENTIALS, {
        "e": "executionReport", "E": 2000 + trade_id, "s": "BTCUSDT", "c": "buy-11", "S": "BUY", "o": "LIMIT",
        "f": "GTC", "q": "0.3", "p": "50000", "x": "TRADE", "X": status, "i": 11, "l": last, "L": "50000",
        "Y": str(D(last) * 50000), "z": cumulative, "Z": str(D(cumulative) * 50000), "t": trade_id, "w": False,
        "m": True, "T": 2000 + trade_id, "O": 1000, "W": 1000})


@pytest.fixture
def fake() -> FakeBinance:
    return FakeBinance(FakeTime())


async def catch_up(reconciler: Reconciler, ledger: AccountLedger, heard_until_ms: int | None = None) -> list:
    snapshot = await reconciler.snapshot(CREDENTIALS)
    return await reconciler.catch_up(CREDENTIALS, ledger, snapshot, base_assets=BASES,
                                     heard_until_ms=heard_until_ms)


def serve_filled_order(fake: FakeBinance) -> None:
    """The order got two more fills (trades 6 and 7) while we were away and is now FILLED."""
    filled = {**ORDER, "executedQty": "0.30000000", "cummulativeQuoteQty": "15000.00", "status": "FILLED",
              "updateTime": 3000}
    fake.on("GET", "openOrders", then=ok([]))

    def my_trades(request: httpx.Request) -> httpx.Response:
        from_id = int(fake.params(request).get("fromId", 0))
        rows = [trade_row(5, "0.1", 1500), trade_row(6, "0.15", 2500), trade_row(7, "0.05", 3000)]
        return ok([row for row in rows if row["id"] >= from_id])

    fake.on("GET", "myTrades", then=my_trades)
    fake.on("GET", "order", then=lambda request: ok(filled) if fake.params(request).get("orderId") == "11"
            else error(400, -2013, "Order does not exist."))
    fake.on("GET", "account", then=ok({"updateTime": 3000, "balances": [
        {"asset": "BTC", "free": "0.3", "locked": "0"}, {"asset": "USDT", "free": "85000", "locked": "0"}]}))


async def test_missed_fills_are_replayed_once_with_running_totals(fake: FakeBinance) -> None:
    serve_filled_order(fake)
    client = fake.client()
    session = AccountSession(CREDENTIALS, [])
    delivered: list = []
    subscription = session.subscribe()
    session._listeners.append(delivered.append)
    # Before the drop we heard the order's first fill (trade 5) on the stream.
    session.deliver(stream_report(5, "PARTIALLY_FILLED", "0.1", "0.1"))
    reconciler = Reconciler(BinanceEndpoints(client), ["BTCUSDT"])

    for event in await catch_up(reconciler, session.ledger):
        session.deliver(event)
    trades = [e for e in delivered if isinstance(e, ExecutionReport)][1:]
    assert [(t.trade_id, t.status, t.last_quantity, t.cumulative_quantity) for t in trades] == [
        (6, OrderStatus.PARTIALLY_FILLED, D("0.15"), D("0.25")), (7, OrderStatus.FILLED, D("0.05"), D("0.3"))]
    assert trades[-1].cumulative_quote == D("15000")
    assert isinstance(delivered[-1], BalanceUpdate)
    assert fake.params(fake.calls("GET", "myTrades")[0])["fromId"] == "6"

    # The same fills then arrive from the stream's buffer, and a second reconcile finds them again.
    count = len(delivered)
    session.deliver(stream_report(6, "PARTIALLY_FILLED", "0.15", "0.25"))
    session.deliver(stream_report(7, "FILLED", "0.05", "0.3"))
    for event in await catch_up(reconciler, session.ledger):
        session.deliver(event)
    assert [e for e in delivered[count:] if isinstance(e, ExecutionReport)] == []
    assert subscription.queue.qsize() == len(delivered)  # subscribers and listeners see the same events
    await client.aclose()


async def test_an_order_we_never_heard_of_gets_its_new_before_its_fills(fake: FakeBinance) -> None:
    serve_filled_order(fake)
    client = fake.client()
    ledger = AccountLedger()
    ledger.last_trade_ids["BTCUSDT"] = 4
    events = await catch_up(Reconciler(BinanceEndpoints(client), ["BTCUSDT"]), ledger)  # BTC moved
    reports = [e for e in events if isinstance(e, ExecutionReport)]
    assert [(r.execution_type, r.status, r.trade_id) for r in reports] == [
        (ExecutionType.NEW, OrderStatus.NEW, -1), (ExecutionType.TRADE, OrderStatus.PARTIALLY_FILLED, 5),
        (ExecutionType.TRADE, OrderStatus.PARTIALLY_FILLED, 6), (ExecutionType.TRADE, OrderStatus.FILLED, 7)]
    assert [r.cumulative_quantity for r in reports] == [D("0"), D("0.1"), D("0.25"), D("0.3")]
    await client.aclose()


async def test_an_order_cancelled_while_away_is_reported_cancelled(fake: FakeBinance) -> None:
    canceled = {**ORDER, "status": "CANCELED", "updateTime": 4000}
    fake.on("GET", "openOrders", then=ok([]))
    fake.on("GET", "myTrades", then=ok([]))
    fake.on("GET", "order", then=ok(canceled))
    fake.on("GET", "account", then=ok({"updateTime": 4000, "balances": []}))
    client = fake.client()
    session = AccountSession(CREDENTIALS, [])
    session.ledger.note_order(wire.parse_order(ORDER))  # known as open before the drop
    delivered: list = []
    session._listeners.append(delivered.append)
    for event in await catch_up(Reconciler(BinanceEndpoints(client), ["BTCUSDT"]), session.ledger):
        session.deliver(event)
    assert [(e.execution_type, e.status) for e in delivered if isinstance(e, ExecutionReport)] == [
        (ExecutionType.CANCELED, OrderStatus.CANCELED)]
    assert fake.calls("GET", "myTrades") == []  # it executed nothing more than we were told: no trades to read
    session.deliver(wire.parse_execution_report(CREDENTIALS, {  # the stream's copy of the same cancel
        "e": "executionReport", "E": 4000, "s": "BTCUSDT", "c": "x", "C": "buy-11", "S": "BUY", "o": "LIMIT",
        "q": "0.3", "p": "50000", "x": "CANCELED", "X": "CANCELED", "i": 11, "z": "0.1", "Z": "5000", "t": -1}))
    assert len([e for e in delivered if isinstance(e, ExecutionReport)]) == 1
    await client.aclose()


def test_ledger_tells_each_state_once_and_nothing_after_the_end() -> None:
    ledger = AccountLedger()
    first = stream_report(5, "PARTIALLY_FILLED", "0.1", "0.1")
    assert ledger.admit(first) and not ledger.admit(first)
    final = stream_report(6, "FILLED", "0.2", "0.3")
    assert ledger.admit(final)
    late_new = wire.parse_execution_report(CREDENTIALS, {
        "e": "executionReport", "E": 1, "s": "BTCUSDT", "c": "buy-11", "S": "BUY", "o": "LIMIT", "q": "0.3",
        "p": "50000", "x": "NEW", "X": "NEW", "i": 11, "z": "0", "Z": "0", "t": -1, "w": True})
    assert not ledger.admit(late_new)
    assert ledger.last_trade_ids == {"BTCUSDT": 6}


async def test_a_reconnect_with_nothing_to_catch_up_reads_no_symbols_trades(fake: FakeBinance) -> None:
    """One request for every symbol's open orders (80 weight, not 20 x 6) and the account; the
    balances are as last told and no order was open: no symbol can have traded."""
    balances = {"updateTime": 3000, "balances": [{"asset": "USDT", "free": "100", "locked": "0"}]}
    fake.on("GET", "openOrders", then=ok([]))
    fake.on("GET", "account", then=ok(balances))
    client = fake.client()
    ledger = AccountLedger()
    reconciler = Reconciler(BinanceEndpoints(client), SYMBOLS)
    reconciler.baseline(ledger, await reconciler.snapshot(CREDENTIALS))
    assert await catch_up(reconciler, ledger, heard_until_ms=2000) == []
    assert [fake.params(call).get("symbol") for call in fake.calls("GET", "openOrders")] == [None, None]
    assert fake.calls("GET", "myTrades") == [] and fake.calls("GET", "order") == []
    await client.aclose()


async def test_an_order_placed_elsewhere_and_filled_while_away_is_found_by_its_moved_base_asset(
        fake: FakeBinance) -> None:
    """No trade was ever heard on BTCUSDT, so its trades are read by time, from shortly before
    the stream last heard anything; ETH did not move, so ETHUSDT is not read at all."""
    fake.on("GET", "openOrders", then=ok([]))
    fake.on("GET", "account", ok({"updateTime": 1000, "balances": [
        {"asset": "ETH", "free": "2", "locked": "0"}, {"asset": "USDT", "free": "100000", "locked": "0"}]}),
        then=ok({"updateTime": 3000, "balances": [{"asset": "BTC", "free": "0.3", "locked": "0"},
                                                  {"asset": "ETH", "free": "2", "locked": "0"},
                                                  {"asset": "USDT", "free": "85000", "locked": "0"}]}))
    filled = {**ORDER, "executedQty": "0.30000000", "cummulativeQuoteQty": "15000.00", "status": "FILLED"}
    heard_until = fake.server_ms() - 60_000
    rows = [trade_row(4, "0.1", heard_until - 2 * HEARD_MARGIN_MS),  # before we stopped hearing: not missed
            trade_row(5, "0.1", heard_until + 2500), trade_row(6, "0.2", heard_until + 2600)]
    fake.on("GET", "myTrades", then=lambda request: ok(
        [row for row in rows if int(fake.params(request)["startTime"]) <= row["time"]
         <= int(fake.params(request)["endTime"])]))
    fake.on("GET", "order", then=ok(filled))
    client = fake.client()
    ledger = AccountLedger()
    reconciler = Reconciler(BinanceEndpoints(client), SYMBOLS)
    reconciler.baseline(ledger, await reconciler.snapshot(CREDENTIALS))
    events = await catch_up(reconciler, ledger, heard_until_ms=heard_until)
    reports = [e for e in events if isinstance(e, ExecutionReport)]
    assert [(r.execution_type, r.status, r.trade_id) for r in reports] == [
        (ExecutionType.NEW, OrderStatus.NEW, -1), (ExecutionType.TRADE, OrderStatus.PARTIALLY_FILLED, 5),
        (ExecutionType.TRADE, OrderStatus.FILLED, 6)]
    assert isinstance(events[-1], BalanceUpdate)
    [trades_read] = fake.calls("GET", "myTrades")
    params = fake.params(trades_read)
    assert (params["symbol"], int(params["startTime"])) == ("BTCUSDT", heard_until - HEARD_MARGIN_MS)
    await client.aclose()


async def test_an_order_placed_here_and_never_heard_of_is_looked_up(fake: FakeBinance) -> None:
    """Its reports were lost with the connection; the balances say nothing (it left them as
    they were told), but we know we placed it."""
    canceled = {**ORDER, "executedQty": "0", "cummulativeQuoteQty": "0", "status": "CANCELED"}
    fake.on("GET", "openOrders", then=ok([]))
    fake.on("GET", "account", then=ok({"updateTime": 1000, "balances": []}))
    fake.on("GET", "order", then=ok(canceled))
    client = fake.client()
    ledger = AccountLedger()
    reconciler = Reconciler(BinanceEndpoints(client), ["BTCUSDT"])
    snapshot = await reconciler.snapshot(CREDENTIALS)
    reconciler.baseline(ledger, snapshot)
    events = await reconciler.catch_up(CREDENTIALS, ledger, snapshot, base_assets=BASES, heard_until_ms=1000,
                                       placed={("BTCUSDT", 11)})
    assert [(e.execution_type, e.status) for e in events if isinstance(e, ExecutionReport)] == [
        (ExecutionType.NEW, OrderStatus.NEW), (ExecutionType.CANCELED, OrderStatus.CANCELED)]
    assert fake.calls("GET", "myTrades") == []
    await client.aclose()


class StreamUp:
    """What the session asks of its stream: up on connection ``connections``."""

    def __init__(self) -> None:
        self.ready, self.failure, self.connections = asyncio.Event(), None, 1
        self.ready.set()


async def test_the_snapshot_answers_one_first_read_of_each_while_nothing_happened_since() -> None:
    now = [0.0]
    session = AccountSession(CREDENTIALS, [], monotonic=lambda: now[0])
    session.stream, session.task = StreamUp(), asyncio.get_running_loop().create_future()
    snapshot = Snapshot((wire.parse_order(ORDER),), {"balances": []})

    session.hand_over(snapshot, session.delivered)
    assert session.take("open_orders") is snapshot and session.take("balances") is snapshot
    assert session.take("open_orders") is None  # once: later reads are the caller's to keep

    session.hand_over(snapshot, session.delivered)
    session.deliver(stream_report(5, "PARTIALLY_FILLED", "0.1", "0.1"))
    assert session.take("open_orders") is None  # something happened since it was taken

    session.hand_over(snapshot, session.delivered)
    session.stream.connections += 1  # reconnected
    assert session.take("open_orders") is None

    session.hand_over(snapshot, session.delivered)
    now[0] += 60
    assert session.take("balances") is None  # not an answer to keep for long
