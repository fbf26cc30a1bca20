"""Cancels and key checks: retried where repeating is harmless, explained where it is not."""

from __future__ import annotations

import httpx
import pytest

from numatix.domain.enums import ExecutionType, OrderStatus
from numatix.domain.errors import AuthenticationFailed, OrderNotFound
from numatix.exchange.binance import BinanceOptions, BinanceVenue
from numatix.exchange.binance.limits import ServerClock
from tests.support.fake_binance import CREDENTIALS, FakeBinance, FakeTime, error, ok
from tests.unit.exchange.test_binance_wire import ORDER_QUERY

CANCELED = {**ORDER_QUERY, "symbol": "BTCUSDT", "status": "CANCELED", "updateTime": 1499827319999}


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fake(time: FakeTime) -> FakeBinance:
    return FakeBinance(time)


@pytest.fixture
async def venue(fake: FakeBinance, time: FakeTime):
    options = BinanceOptions()
    clock = ServerClock(options.clock_resync_seconds, wall_ms=time.wall_ms, monotonic=time.monotonic)
    venue = BinanceVenue("https://testnet.binance.vision/api", "wss://ws-api.testnet.binance.vision/ws-api/v3",
                         ["BTCUSDT", "ETHUSDT"], options=options, transport=fake.transport(), clock=clock,
                         sleep=time.sleep, monotonic=time.monotonic)
    yield venue
    await venue.close()


async def test_cancel_reports_the_cancel(venue: BinanceVenue, fake: FakeBinance) -> None:
    fake.on("DELETE", "order", ok({**CANCELED, "clientOrderId": "cxl-1", "origClientOrderId": "myOrder1",
                                   "transactTime": 1}))
    report = await venue.cancel(CREDENTIALS, "BTCUSDT", client_order_id="myOrder1")
    assert (report.execution_type, report.original_client_order_id) == (ExecutionType.CANCELED, "myOrder1")
    assert fake.params(fake.calls("DELETE", "order")[0])["origClientOrderId"] == "myOrder1"


async def test_a_cancel_whose_reply_was_lost_is_retried_and_confirmed(venue: BinanceVenue, fake: FakeBinance) -> None:
    # The first DELETE cancelled the order but its reply was lost; the retry finds nothing to cancel.
    fake.on("DELETE", "order", httpx.ReadTimeout("lost"), error(400, -2011, "Unknown order sent."))
    fake.on("GET", "order", ok(CANCELED))
    report = await venue.cancel(CREDENTIALS, "BTCUSDT", client_order_id="myOrder1")
    assert report.status is OrderStatus.CANCELED and report.client_order_id == "myOrder1"
    assert len(fake.calls("DELETE", "order")) == 2


async def test_a_cancel_that_lost_the_race_to_a_fill_is_not_found(venue: BinanceVenue, fake: FakeBinance) -> None:
    fake.on("DELETE", "order", error(400, -2011, "Unknown order sent."))
    with pytest.raises(OrderNotFound):
        await venue.cancel(CREDENTIALS, "BTCUSDT", client_order_id="myOrder1")
    assert fake.calls("GET", "order") == []  # nothing was lost, nothing to look up


async def test_a_retried_cancel_finding_the_order_filled_is_not_found(venue: BinanceVenue, fake: FakeBinance) -> None:
    fake.on("DELETE", "order", error(503, -1001, "Internal error"), error(400, -2011, "Unknown order sent."))
    fake.on("GET", "order", ok({**CANCELED, "status": "FILLED"}))
    with pytest.raises(OrderNotFound):
        await venue.cancel(CREDENTIALS, "BTCUSDT", client_order_id="myOrder1")


async def test_cancel_all_with_nothing_open_is_empty_and_not_repeated(venue: BinanceVenue, fake: FakeBinance) -> None:
    fake.on("DELETE", "openOrders", error(400, -2011, "Unknown order sent."))
    assert await venue.cancel_all(CREDENTIALS, "BTCUSDT") == []
    assert len(fake.calls("DELETE", "openOrders")) == 1


async def test_order_by_id_asks_each_configured_symbol(venue: BinanceVenue, fake: FakeBinance) -> None:
    fake.on("GET", "order", error(400, -2013, "Order does not exist."),
            ok({**ORDER_QUERY, "symbol": "ETHUSDT", "orderId": 5}))
    order = await venue.order_by_id(CREDENTIALS, 5)
    assert order.symbol == "ETHUSDT"
    assert [fake.params(r)["symbol"] for r in fake.calls("GET", "order")] == ["BTCUSDT", "ETHUSDT"]


async def test_my_trades_carry_their_orders_client_ids(venue: BinanceVenue, fake: FakeBinance) -> None:
    row = {"symbol": "BTCUSDT", "id": 3, "orderId": 1, "orderListId": -1, "price": "1", "qty": "1", "quoteQty": "1",
           "commission": "0", "commissionAsset": "BTC", "time": 5, "isBuyer": True, "isMaker": False}
    fake.on("GET", "myTrades", ok([row]), ok([]))
    fake.on("GET", "allOrders", then=ok([{**ORDER_QUERY, "symbol": "BTCUSDT"}]))
    [fill] = await venue.my_trades(CREDENTIALS)
    assert (fill.trade_id, fill.client_order_id) == (3, "myOrder1")


@pytest.mark.parametrize(("status", "code", "words"), [
    (401, -2015, "IP is not allowed"), (401, -2014, "not in a valid format"), (400, -1022, "does not belong")])
async def test_a_refused_key_is_explained(venue: BinanceVenue, fake: FakeBinance, status: int, code: int,
                                          words: str) -> None:
    fake.on("GET", "account", error(status, code, "refused"))
    with pytest.raises(AuthenticationFailed, match=words) as refused:
        await venue.check_credentials(CREDENTIALS)
    assert refused.value.code == code


async def test_a_key_without_trading_is_refused(venue: BinanceVenue, fake: FakeBinance) -> None:
    fake.on("GET", "account", ok({"canTrade": False, "balances": []}))
    with pytest.raises(AuthenticationFailed, match="cannot trade"):
        await venue.check_credentials(CREDENTIALS)
