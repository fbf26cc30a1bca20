"""Placing orders: exact parameters on the wire, and a lost reply resolved by lookup, never resent."""

from __future__ import annotations

from decimal import Decimal as D

import httpx
import pytest

from numatix.domain.enums import ExecutionType, OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.errors import OrderRejected, OutcomeUnknown
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.exchange.binance import BinanceOptions, BinanceVenue
from numatix.exchange.binance.limits import ServerClock
from tests.support.fake_binance import CREDENTIALS, FakeBinance, FakeTime, error, ok
from tests.unit.exchange.test_binance_rules import EXCHANGE_INFO

OPTIONS = BinanceOptions(recv_window_ms=5_000, resolve_attempts=4)


class OrderDesk:
    """Just enough of an order store: POST order keeps the order, GET order finds it."""

    def __init__(self, fake: FakeBinance) -> None:
        self.fake = fake
        self.orders: dict[str, dict] = {}

    def place(self, request: httpx.Request) -> dict:
        params = self.fake.params(request)
        order = {
            "symbol": params["symbol"], "orderId": len(self.orders) + 1, "orderListId": -1,
            "clientOrderId": params["newClientOrderId"], "transactTime": self.fake.server_ms(),
            "price": params.get("price", "0.00000000"), "origQty": params.get("quantity", "0.00100000"),
            "executedQty": "0.00100000", "origQuoteOrderQty": "0.00000000", "cummulativeQuoteQty": "50.00000000",
            "status": "FILLED", "timeInForce": "GTC", "type": params["type"], "side": params["side"],
            "workingTime": self.fake.server_ms(), "selfTradePreventionMode": "EXPIRE_MAKER",
        }
        self.orders[order["clientOrderId"]] = order
        return order

    def full_reply(self, request: httpx.Request) -> httpx.Response:
        order = self.place(request)
        fill = {"price": "50000.00000000", "qty": "0.00100000", "commission": "0", "commissionAsset": "BTC",
                "tradeId": 77}
        return ok({**order, "fills": [fill]})

    def lose_reply(self, failure: Exception | httpx.Response):
        def handle(request: httpx.Request) -> httpx.Response:
            self.place(request)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return handle

    def query(self, request: httpx.Request) -> httpx.Response:
        found = self.orders.get(self.fake.params(request).get("origClientOrderId", ""))
        if found is None:
            return error(400, -2013, "Order does not exist.")
        row = {k: v for k, v in found.items() if k != "transactTime"}
        return ok({**row, "time": found["transactTime"], "updateTime": found["transactTime"], "isWorking": True,
                   "stopPrice": "0.00000000", "icebergQty": "0.00000000"})

    def trades(self, request: httpx.Request) -> httpx.Response:
        order = next(o for o in self.orders.values() if str(o["orderId"]) == self.fake.params(request)["orderId"])
        return ok([{"symbol": "BTCUSDT", "id": 77, "orderId": order["orderId"], "orderListId": -1,
                    "price": "50000.00000000", "qty": "0.00100000", "quoteQty": "50.00000000", "commission": "0",
                    "commissionAsset": "BTC", "time": order["transactTime"], "isBuyer": True, "isMaker": False,
                    "isBestMatch": True}])


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fake(time: FakeTime) -> FakeBinance:
    fake = FakeBinance(time)
    fake.on("GET", "exchangeInfo", then=ok(EXCHANGE_INFO))
    return fake


@pytest.fixture
def desk(fake: FakeBinance) -> OrderDesk:
    desk = OrderDesk(fake)
    fake.on("GET", "order", then=desk.query)
    fake.on("GET", "myTrades", then=desk.trades)
    return desk


@pytest.fixture
async def venue(fake: FakeBinance, time: FakeTime):
    clock = ServerClock(OPTIONS.clock_resync_seconds, wall_ms=time.wall_ms, monotonic=time.monotonic)
    venue = BinanceVenue("https://testnet.binance.vision", "wss://ws-api.testnet.binance.vision/ws-api/v3",
                         ["BTCUSDT"], options=OPTIONS, transport=fake.transport(), clock=clock, sleep=time.sleep,
                         monotonic=time.monotonic)
    yield venue
    await venue.close()


MARKET = OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quantity=D("0.0010009"), client_order_id="mine-1")


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (MARKET, {"type": "MARKET", "quantity": "0.001"}),
        (OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quote_order_qty=D("25.5")),
         {"type": "MARKET", "quoteOrderQty": "25.5"}),
        (OrderRequest("BTCUSDT", Side.SELL, OrderType.LIMIT, quantity=D("0.00000100") * 100, price=D("1E+5"),
                      time_in_force=TimeInForce.IOC), {"type": "LIMIT", "timeInForce": "IOC", "quantity": "0.0001",
                                                       "price": "100000"}),
        (OrderRequest("BTCUSDT", Side.SELL, OrderType.LIMIT_MAKER, quantity=D("0.01"), price=D("60000.00")),
         {"type": "LIMIT_MAKER", "quantity": "0.01", "price": "60000"}),
        (OrderRequest("BTCUSDT", Side.SELL, OrderType.STOP_LOSS_LIMIT, quantity=D("0.01"), price=D("39990"),
                      stop_price=D("40000"), time_in_force=TimeInForce.GTC),
         {"type": "STOP_LOSS_LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "39990",
          "stopPrice": "40000"}),
    ],
)
async def test_orders_go_out_as_plain_decimal_strings(
    venue: BinanceVenue, fake: FakeBinance, desk: OrderDesk, request_: OrderRequest, expected: dict
) -> None:
    fake.on("POST", "order", desk.full_reply)
    await venue.submit(CREDENTIALS, request_)
    sent = fake.params(fake.calls("POST", "order")[0])
    assert {key: sent[key] for key in expected} == expected
    assert "timeInForce" in sent or expected["type"] in ("MARKET", "LIMIT_MAKER")
    assert not {"timeInForce", "price"} & sent.keys() or expected["type"] != "MARKET"
    assert sent["newOrderRespType"] == "FULL" and sent["newClientOrderId"]


async def test_a_full_reply_becomes_the_orders_latest_report(venue: BinanceVenue, fake: FakeBinance,
                                                             desk: OrderDesk) -> None:
    fake.on("POST", "order", desk.full_reply)
    report = await venue.submit(CREDENTIALS, MARKET)
    assert (report.client_order_id, report.status, report.execution_type) == ("mine-1", OrderStatus.FILLED,
                                                                              ExecutionType.TRADE)
    assert (report.trade_id, report.last_price, report.cumulative_quantity) == (77, D("50000"), D("0.001"))
    assert report.account == CREDENTIALS


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("no reply"), error(400, -1007, "Timeout waiting for response"),
                                     error(400, -1006, "Unexpected response"), error(502, -1001, "Bad gateway")])
async def test_a_lost_reply_is_resolved_by_client_order_id(
    venue: BinanceVenue, fake: FakeBinance, desk: OrderDesk, failure: object
) -> None:
    fake.on("POST", "order", desk.lose_reply(failure))
    report = await venue.submit(CREDENTIALS, MARKET)
    assert len(fake.calls("POST", "order")) == 1  # looked up, never resent
    lookup = fake.params(fake.calls("GET", "order")[0])
    assert lookup["origClientOrderId"] == "mine-1"
    assert (report.client_order_id, report.status, report.trade_id) == ("mine-1", OrderStatus.FILLED, 77)


async def test_a_lost_order_that_never_arrived_is_a_safe_failure_once_its_window_has_passed(
    venue: BinanceVenue, fake: FakeBinance, desk: OrderDesk, time: FakeTime
) -> None:
    fake.on("POST", "order", httpx.ReadTimeout("no reply"))  # nothing stored: it never reached the engine
    with pytest.raises(OrderRejected) as failed:
        await venue.submit(CREDENTIALS, MARKET)
    assert "not placed" in failed.value.message and "safe to send it again" in failed.value.message
    assert len(fake.calls("POST", "order")) == 1
    assert len(fake.calls("GET", "order")) >= 2  # looked again after Binance's window closed
    assert sum(time.sleeps) * 1000 >= OPTIONS.recv_window_ms


async def test_a_lost_order_becomes_outcome_unknown_when_it_cannot_be_looked_up(
    venue: BinanceVenue, fake: FakeBinance, desk: OrderDesk
) -> None:
    fake.on("POST", "order", desk.lose_reply(httpx.ReadTimeout("no reply")))
    fake.on("GET", "order", then=error(503, -1001, "Internal error"))
    with pytest.raises(OutcomeUnknown) as unknown:
        await venue.submit(CREDENTIALS, MARKET)
    assert unknown.value.client_order_id == "mine-1"
    assert len(fake.calls("POST", "order")) == 1


async def test_a_refused_order_is_not_looked_up(venue: BinanceVenue, fake: FakeBinance, desk: OrderDesk) -> None:
    fake.on("POST", "order", error(400, -2010, "Account has insufficient balance for requested action."))
    with pytest.raises(OrderRejected) as refused:
        await venue.submit(CREDENTIALS, MARKET)
    assert refused.value.code == -2010
    assert fake.calls("GET", "order") == []


async def test_a_locally_refused_order_is_never_sent(venue: BinanceVenue, fake: FakeBinance) -> None:
    with pytest.raises(OrderRejected):
        await venue.submit(CREDENTIALS, OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, quantity=D("0.000001")))
    assert fake.calls("POST", "order") == []


async def test_oco_goes_out_with_above_and_below_legs(venue: BinanceVenue, fake: FakeBinance) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        params = fake.params(request)
        legs = [("aboveClientOrderId", "LIMIT_MAKER", "60000.00000000", "0.00000000"),
                ("belowClientOrderId", "STOP_LOSS_LIMIT", "39990.00000000", "40000.00000000")]
        reports = [{"symbol": "BTCUSDT", "orderId": n, "orderListId": 5, "clientOrderId": params[key],
                    "transactTime": 1, "price": price, "origQty": "0.01000000", "executedQty": "0",
                    "cummulativeQuoteQty": "0", "status": "NEW", "timeInForce": "GTC", "type": kind,
                    "side": "SELL", "stopPrice": stop, "workingTime": -1 if stop != "0.00000000" else 1}
                   for n, (key, kind, price, stop) in enumerate(legs, 1)]
        return ok({"orderListId": 5, "contingencyType": "OCO", "listStatusType": "EXEC_STARTED",
                   "listOrderStatus": "EXECUTING", "listClientOrderId": params["listClientOrderId"],
                   "transactionTime": 1, "symbol": "BTCUSDT", "orders": [], "orderReports": reports[::-1]})

    fake.on("POST", "orderList/oco", reply)
    request = OcoRequest("BTCUSDT", Side.SELL, D("0.01"), limit_price=D("60000"), stop_price=D("40000"),
                         stop_limit_price=D("39990"), stop_time_in_force=TimeInForce.GTC)
    limit_leg, stop_leg = await venue.submit_oco(CREDENTIALS, request)
    sent = fake.params(fake.calls("POST", "orderList/oco")[0])
    assert {k: sent[k] for k in ("side", "quantity", "aboveType", "abovePrice", "belowType", "belowPrice",
                                 "belowStopPrice", "belowTimeInForce")} == {
        "side": "SELL", "quantity": "0.01", "aboveType": "LIMIT_MAKER", "abovePrice": "60000",
        "belowType": "STOP_LOSS_LIMIT", "belowPrice": "39990", "belowStopPrice": "40000", "belowTimeInForce": "GTC"}
    assert (limit_leg.order_type, stop_leg.order_type) == (OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT)
    assert limit_leg.order_list_id == stop_leg.order_list_id == 5
    assert not stop_leg.is_working
