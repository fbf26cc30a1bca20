"""``kill -9`` at every step of placing, filling and cancelling an order, then a restart.

The API runs in a child process on a real database (a SQLite file; PostgreSQL too when
``NUMATIX_TEST_POSTGRES_URL`` is set) with ``NUMATIX_CRASH_AT`` naming one step of the order
path (see numatix/faults.py). Its market is a local server speaking Binance's stream format,
so the test decides when the book is there and when a print crosses a resting order. The
test drives the step, sees the process die by SIGKILL, starts it again without the fault,
retries what a client would (the same clientOrderId, the same cancel) and checks that
every order is there once in the right state, that balances are the starting balances plus
exactly what the stored fills did (fees included), that no trade id appears twice, and that
an order left resting still rests and still fills.

OCO lists (``POST /api/trading/oco``) and cancel-all are covered too.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import Awaitable
from decimal import Decimal

import httpx
import pytest
from websockets.asyncio.client import connect

from numatix import faults
from numatix.domain.symbols import DEFAULT_SYMBOLS
from tests.support.api_process import HANG_GUARD, ApiProcess
from tests.support.app_server import free_port
from tests.support.binance_stream_server import BinanceStreamServer
from tests.support.database import DATABASES, migrated_database_url

SYMBOL = "BTCUSDT"
BASE, QUOTE = DEFAULT_SYMBOLS[SYMBOL].base_asset, DEFAULT_SYMBOLS[SYMBOL].quote_asset
PASSWORD = "violet-harbour-42"
BOOK = {"lastUpdateId": 1, "bids": [["49999.99", "2.0"], ["49990.00", "5.0"]],
        "asks": [["50000.01", "2.0"], ["50010.00", "5.0"]]}
MARKET_PRICE = "50000.00"
LIMIT_PRICE = "49000.00"  # below the market: rests until a print goes through it
THROUGH_LIMIT = "48990.00"
QUANTITY = "0.01000"
PART = "0.00400"
PRINT_IDS = itertools.count(int(time.time() * 1000))
# A BUY OCO around the market: a LIMIT_MAKER leg at the resting limit price, a STOP_LOSS_LIMIT
# leg above the market; both legs share one lock, the larger of the two (quantity x 51100).
OCO_STOP, OCO_STOP_LIMIT, ABOVE_STOP = "51000.00", "51100.00", "51200.00"


def limit_buy(client_order_id: str) -> dict:
    return {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "quantity": QUANTITY, "price": LIMIT_PRICE,
            "timeInForce": "GTC", "clientOrderId": client_order_id}


def market_buy(client_order_id: str) -> dict:
    return {"symbol": SYMBOL, "side": "BUY", "type": "MARKET", "quantity": QUANTITY,
            "clientOrderId": client_order_id}


class Trading:
    """One user trading on the API process, with the market the test controls."""

    def __init__(self, app: ApiProcess, market: BinanceStreamServer) -> None:
        self.app, self.market = app, market
        self.http = httpx.AsyncClient(base_url=app.base_url, timeout=HANG_GUARD)
        self.token = ""
        self.starting_totals: dict[str, Decimal] = {}

    async def start(self, crash_at: str | None = None) -> None:
        """Start the process, wait for its feed to connect, then give it a book and a price."""
        self.market.connected.clear()
        await self.app.start(crash_at)
        await asyncio.wait_for(self.market.connected.wait(), HANG_GUARD)
        if not self.token:
            await self._sign_up()
        async with self.events() as events:
            await self.market.publish(f"{SYMBOL.lower()}@depth20@100ms", BOOK)
            await self.print_trade(MARKET_PRICE, "0.001")
            await events.until(lambda m: m["type"] == "PRICE_UPDATE" and m["data"]["price"] == MARKET_PRICE)

    async def dies_during(self, request: Awaitable[httpx.Response]) -> None:
        """The request gets no answer: the process killed itself at the crash point."""
        with pytest.raises(httpx.TransportError):
            await request
        await self.crashed()

    async def crashed(self) -> None:
        """The process must have killed itself at the crash point, not failed some other way."""
        killed = await self.app.killed_by_itself()
        assert killed, f"exit code {self.app.process.returncode}:\n{self.app.log_tail()}"

    async def _sign_up(self) -> None:
        email = f"crash-{next(PRINT_IDS)}@example.com"
        response = await self.http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        response.raise_for_status()
        self.token = response.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.starting_totals = {asset: total for asset, (total, _) in (await self.balances()).items()}

    async def print_trade(self, price: str, quantity: str) -> None:
        await self.market.publish(f"{SYMBOL.lower()}@aggTrade", {
            "e": "aggTrade", "E": int(time.time() * 1000), "s": SYMBOL, "a": next(PRINT_IDS), "p": price,
            "q": quantity, "f": 1, "l": 1, "T": int(time.time() * 1000), "m": True, "M": True})

    def events(self) -> "EventSocket":
        return EventSocket(f"ws://127.0.0.1:{self.app.port}/ws/prices?token={self.token}&symbols={SYMBOL}")

    async def place(self, order: dict) -> httpx.Response:
        return await self.http.post("/api/trading/orders", json=order)

    async def place_oco(self, list_client_order_id: str) -> httpx.Response:
        """A BUY OCO, legs ``<id>-limit`` (resting below the market) and ``<id>-stop`` (above it)."""
        return await self.http.post("/api/trading/oco", json={
            "symbol": SYMBOL, "side": "BUY", "quantity": QUANTITY, "price": LIMIT_PRICE, "stopPrice": OCO_STOP,
            "stopLimitPrice": OCO_STOP_LIMIT, "stopLimitTimeInForce": "GTC", "listClientOrderId": list_client_order_id,
            "limitClientOrderId": f"{list_client_order_id}-limit", "stopClientOrderId": f"{list_client_order_id}-stop"})

    async def print_and_wait(self, price: str) -> None:
        """A print the app has certainly handled: its price came back on the event socket."""
        async with self.events() as events:
            await self.print_trade(price, "0.05")
            await events.until(lambda m: m["type"] == "PRICE_UPDATE" and m["data"]["price"] == price)

    async def fill_resting(self, order_id: int) -> None:
        """A print through the limit price: the resting order must fill from it."""
        async with self.events() as events:
            await self.print_trade(THROUGH_LIMIT, "0.05")
            await events.until(lambda m: m["type"] == "ORDER_UPDATE" and m["data"]["orderId"] == order_id
                               and m["data"]["status"] == "FILLED")

    async def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        response = await self.http.get("/api/trading/balance")
        response.raise_for_status()
        rows = response.json()["balances"]
        assert all(Decimal(b["total"]) == Decimal(b["free"]) + Decimal(b["locked"]) for b in rows)
        return {b["asset"]: (Decimal(b["total"]), Decimal(b["locked"])) for b in rows}

    async def assert_consistent(self, expected_statuses: dict[str, str]) -> dict[str, dict]:
        """Every order once, in its state; balances = start + stored fills; funds locked for
        open orders only."""
        orders = (await self.http.get("/api/trading/orders", params={"status": "all"})).json()
        fills = (await self.http.get("/api/trading/trades")).json()
        assert Counter(o["clientOrderId"] for o in orders) == Counter(list(expected_statuses))
        assert {o["clientOrderId"]: o["status"] for o in orders} == expected_statuses
        trade_ids = [f["tradeId"] for f in fills]
        assert len(trade_ids) == len(set(trade_ids)), f"a trade id is stored twice: {trade_ids}"
        for order in orders:
            own = [f for f in fills if f["orderId"] == order["orderId"]]
            assert Decimal(order["executedQty"]) == sum((Decimal(f["quantity"]) for f in own), Decimal(0))
            quote = sum((Decimal(f["quoteQuantity"]) for f in own), Decimal(0))
            assert Decimal(order["cummulativeQuoteQty"]) == quote
        assert {f["orderId"] for f in fills} <= {o["orderId"] for o in orders}
        balances = await self.balances()
        expected = expected_totals(self.starting_totals, fills)
        for asset in set(balances) | set(expected):
            total = balances.get(asset, (0, 0))[0]
            assert total == expected.get(asset, 0), f"{asset}: {balances} != {expected}"
        assert {asset: locked for asset, (_, locked) in balances.items() if locked} == expected_locked(orders)
        return {o["clientOrderId"]: o for o in orders}

    async def close(self) -> None:
        await self.http.aclose()
        await self.app.stop()


def expected_totals(starting: dict[str, Decimal], fills: list[dict]) -> dict[str, Decimal]:
    """What the wallet must hold: the starting amounts moved by each stored fill, fee included."""
    totals = dict(starting)
    for fill in fills:
        sign = 1 if fill["side"] == "BUY" else -1
        totals[BASE] = totals.get(BASE, Decimal(0)) + sign * Decimal(fill["quantity"])
        totals[QUOTE] = totals.get(QUOTE, Decimal(0)) - sign * Decimal(fill["quoteQuantity"])
        asset = fill["commissionAsset"]
        totals[asset] = totals.get(asset, Decimal(0)) - Decimal(fill["commission"])
    return totals


def expected_locked(orders: list[dict]) -> dict[str, Decimal]:
    """Open limit buys lock what the rest of them would cost; the open legs of an OCO share one
    lock, the larger leg's; nothing else here locks funds."""
    locks: dict[tuple[str, int], Decimal] = {}
    for order in orders:
        if order["status"] in ("NEW", "PARTIALLY_FILLED"):
            assert order["side"] == "BUY" and order["type"] in ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT")
            need = (Decimal(order["quantity"]) - Decimal(order["executedQty"])) * Decimal(order["price"])
            key = ("list", order["orderListId"]) if order["orderListId"] >= 0 else ("order", order["orderId"])
            locks[key] = max(locks.get(key, Decimal(0)), need)
    locked = sum(locks.values(), Decimal(0))
    return {QUOTE: locked} if locked else {}


class EventSocket:
    """The user's ``/ws/prices`` socket: await a message instead of polling for a state."""

    def __init__(self, url: str) -> None:
        self._connecting = connect(url, open_timeout=HANG_GUARD)

    async def __aenter__(self) -> "EventSocket":
        self._socket = await self._connecting.__aenter__()
        await self.until(lambda m: m["type"] == "CONNECTED")
        return self

    async def __aexit__(self, *exc) -> None:
        await self._connecting.__aexit__(*exc)

    async def until(self, wanted, timeout: float = HANG_GUARD) -> dict:
        async def read() -> dict:
            while True:
                received = json.loads(await self._socket.recv())
                if wanted(received):
                    return received
        return await asyncio.wait_for(read(), timeout)


@pytest.fixture(params=DATABASES)
async def trading(request, tmp_path):
    database_urls = migrated_database_url(request.param, tmp_path)
    environment = {
        "NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_DATABASE_URL": next(database_urls),
        "NUMATIX_SECRET_KEY": "crash-recovery-test-secret-key-0123456789",
        "NUMATIX_SYMBOLS": SYMBOL, "NUMATIX_MARKET_DATA": "binance", "NUMATIX_PAPER_LATENCY_MS": "0",
        "NUMATIX_LOG_FORMAT": "text", "NUMATIX_LOG_LEVEL": "warning",
    }
    async with BinanceStreamServer(int(time.time() * 1000)) as market:
        environment.update(NUMATIX_MARKET_REST_URL=market.url, NUMATIX_MARKET_STREAM_URL=market.stream_url)
        session = Trading(ApiProcess(free_port(), environment, tmp_path / "api.log"), market)
        try:
            yield session
        finally:
            await session.close()
            next(database_urls, None)  # drops the PostgreSQL schema


PLACING = [faults.PLACE_RECEIVED, faults.PLACE_SENDING, faults.PLACE_STORED, faults.PLACE_ACKNOWLEDGED]


@pytest.mark.parametrize("crash_at", PLACING)
async def test_a_crash_while_placing_leaves_one_order_that_still_rests_and_fills(trading, crash_at):
    await trading.start(crash_at)
    order = limit_buy(f"limit-{crash_at}")
    await trading.dies_during(trading.place(order))

    await trading.start()
    retried = await trading.place(order)  # the client never got an answer: it sends the same order again
    committed = crash_at == faults.PLACE_ACKNOWLEDGED
    assert retried.status_code == (200 if committed else 201), retried.text
    await trading.assert_consistent({order["clientOrderId"]: "NEW"})
    await trading.fill_resting(retried.json()["orderId"])
    await trading.assert_consistent({order["clientOrderId"]: "FILLED"})


@pytest.mark.parametrize("crash_at", [faults.FILL_STORED, faults.FILL_APPLIED])
async def test_a_crash_while_a_market_order_fills_leaves_it_filled_once(trading, crash_at):
    await trading.start(crash_at)
    order = market_buy(f"market-{crash_at}")
    await trading.dies_during(trading.place(order))

    await trading.start()
    retried = await trading.place(order)
    assert retried.status_code == (200 if crash_at == faults.FILL_APPLIED else 201), retried.text
    [stored] = (await trading.assert_consistent({order["clientOrderId"]: "FILLED"})).values()
    assert Decimal(stored["executedQty"]) == Decimal(QUANTITY)


@pytest.mark.parametrize("crash_at", [faults.FILL_STORED, faults.FILL_APPLIED])
async def test_a_crash_while_a_resting_order_fills_neither_loses_nor_repeats_the_fill(trading, crash_at):
    await trading.start(crash_at)
    order = limit_buy(f"resting-{crash_at}")
    placed = await trading.place(order)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["orderId"]
    await trading.print_trade(THROUGH_LIMIT, PART)  # the market moves through the limit: part of it fills
    await trading.crashed()

    await trading.start()
    committed = crash_at == faults.FILL_APPLIED  # else the fill was never committed: the order rests
    status = "PARTIALLY_FILLED" if committed else "NEW"
    orders = await trading.assert_consistent({order["clientOrderId"]: status})
    assert Decimal(orders[order["clientOrderId"]]["executedQty"]) == (Decimal(PART) if committed else 0)
    retried = await trading.place(order)  # a client unsure of the first reply: still the same order
    assert retried.status_code == 200 and retried.json()["orderId"] == order_id
    await trading.fill_resting(order_id)  # the rest (or all of it) fills from the next print...
    await trading.print_and_wait("48980.00")  # ...and a later print cannot fill it again
    orders = await trading.assert_consistent({order["clientOrderId"]: "FILLED"})
    assert Decimal(orders[order["clientOrderId"]]["executedQty"]) == Decimal(QUANTITY)


@pytest.mark.parametrize("crash_at", [faults.CANCEL_STORED, faults.CANCEL_ACKNOWLEDGED])
async def test_a_crash_while_cancelling_ends_canceled_with_the_funds_back(trading, crash_at):
    await trading.start(crash_at)
    order = limit_buy(f"cancel-{crash_at}")
    placed = await trading.place(order)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["orderId"]
    await trading.dies_during(trading.http.delete(f"/api/trading/orders/{order_id}"))

    await trading.start()
    if crash_at == faults.CANCEL_STORED:  # the cancel never happened: the order still rests
        await trading.assert_consistent({order["clientOrderId"]: "NEW"})
    retried = await trading.http.delete(f"/api/trading/orders/{order_id}")
    if crash_at == faults.CANCEL_STORED:
        assert retried.status_code == 200, retried.text
    else:  # already canceled before the crash: Binance's answer to a second cancel
        assert retried.status_code == 404 and retried.json()["error"]["code"] == -2011, retried.text
    await trading.assert_consistent({order["clientOrderId"]: "CANCELED"})
    await trading.print_and_wait(THROUGH_LIMIT)  # a canceled order never fills
    await trading.assert_consistent({order["clientOrderId"]: "CANCELED"})


async def test_a_crash_while_placing_an_oco_leaves_neither_leg_and_a_retry_makes_one_list(trading):
    await trading.start(faults.PLACE_STORED)
    oco = "oco-place"
    await trading.dies_during(trading.place_oco(oco))  # killed with both legs written, nothing committed

    await trading.start()
    await trading.assert_consistent({})  # neither leg, nothing locked
    placed = await trading.place_oco(oco)  # the client retries the same list with the same leg ids
    assert placed.status_code == 201, placed.text
    again = await trading.place_oco(oco)  # and, unsure, once more: the same pair, never a second
    assert again.status_code == 200 and again.json() == placed.json(), again.text
    legs = {f"{oco}-limit": "NEW", f"{oco}-stop": "NEW"}
    orders = await trading.assert_consistent(legs)
    placed_ids = [leg["orderId"] for leg in placed.json()["orders"]]
    assert [orders[leg]["orderId"] for leg in legs] == placed_ids
    assert orders[f"{oco}-limit"]["orderListId"] == orders[f"{oco}-stop"]["orderListId"] >= 0
    await trading.fill_resting(placed_ids[0])  # one leg fills...
    await trading.print_and_wait(ABOVE_STOP)  # ...and the other is gone: a print through it does nothing
    await trading.assert_consistent({f"{oco}-limit": "FILLED", f"{oco}-stop": "EXPIRED"})


@pytest.mark.parametrize("crash_at", [faults.FILL_STORED, faults.FILL_APPLIED])
async def test_a_crash_while_an_oco_leg_fills_leaves_one_leg_filled_and_the_other_expired(trading, crash_at):
    await trading.start(crash_at)
    oco = f"oco-{crash_at}"
    placed = await trading.place_oco(oco)
    assert placed.status_code == 201, placed.text
    limit_id = placed.json()["orders"][0]["orderId"]
    limit, stop = f"{oco}-limit", f"{oco}-stop"
    await trading.assert_consistent({limit: "NEW", stop: "NEW"})
    await trading.print_trade(THROUGH_LIMIT, PART)  # part of the limit leg fills: the stop leg must expire
    await trading.crashed()

    await trading.start()
    committed = crash_at == faults.FILL_APPLIED  # else neither the fill nor the expiry was committed
    expected = {limit: "PARTIALLY_FILLED", stop: "EXPIRED"} if committed else {limit: "NEW", stop: "NEW"}
    orders = await trading.assert_consistent(expected)
    assert Decimal(orders[limit]["executedQty"]) == (Decimal(PART) if committed else 0)
    await trading.fill_resting(limit_id)  # the rest (or all of it) fills from the next print...
    await trading.print_and_wait(ABOVE_STOP)  # ...and the stop leg never triggers: never both legs filled
    orders = await trading.assert_consistent({limit: "FILLED", stop: "EXPIRED"})
    assert Decimal(orders[limit]["executedQty"]) == Decimal(QUANTITY)
    assert Decimal(orders[stop]["executedQty"]) == 0


async def test_a_crash_while_cancelling_all_ends_with_each_order_canceled_once_and_the_funds_back(trading):
    await trading.start(faults.CANCEL_STORED)
    orders = [limit_buy("all-1"), {**limit_buy("all-2"), "price": "48500.00"}]
    order_ids = []
    for order in orders:
        placed = await trading.place(order)
        assert placed.status_code == 201, placed.text
        order_ids.append(placed.json()["orderId"])
    await trading.dies_during(trading.http.delete("/api/trading/orders", params={"symbol": SYMBOL}))

    await trading.start()
    await trading.assert_consistent({"all-1": "NEW", "all-2": "NEW"})  # no cancel was committed
    retried = await trading.http.delete("/api/trading/orders", params={"symbol": SYMBOL})
    assert retried.status_code == 200, retried.text
    assert sorted(retried.json()["orderIds"]) == sorted(order_ids)  # both, each once
    again = await trading.http.delete("/api/trading/orders", params={"symbol": SYMBOL})
    assert again.status_code == 200 and again.json()["orderIds"] == [], again.text  # nothing canceled twice
    await trading.assert_consistent({"all-1": "CANCELED", "all-2": "CANCELED"})
    await trading.print_and_wait("48400.00")  # through both prices: a canceled order never fills
    await trading.assert_consistent({"all-1": "CANCELED", "all-2": "CANCELED"})
