"""Trading on "Binance Spot Testnet" from the browser, against our Binance-compatible simulator.

The app's Binance venue talks to the simulator over real sockets (signed REST and the
WebSocket API user data stream); each test checks the simulator's side too.
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import httpx
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from tests.e2e.conftest import register, sign_in_context


def open_trade_page(page: Page, app_url: str, binance_sim) -> None:
    """The trade page on the testnet's market. The simulator's market is quiet (it prints only
    when a test asks), so the page's first price comes from a print made once its feed listens."""
    page.goto(f"{app_url}/trade/BTCUSDT")
    expect(page.get_by_test_id("symbol-name")).to_have_text("BTCUSDT")
    price = binance_sim.last_price("BTCUSDT")
    for _ in range(40):
        if re.search(r"\d", page.get_by_test_id("last-price").inner_text()):
            return
        binance_sim.push_trade("BTCUSDT", price, Decimal("0.001"))
        page.wait_for_timeout(500)
    expect(page.get_by_test_id("last-price")).to_have_text(re.compile(r"\d"))


def binance_user(context, app_url: str, binance_sim) -> tuple[Page, dict]:
    """A fresh user who saved a simulator key on the settings page and chose Binance Spot Testnet."""
    key = binance_sim.create_key()
    sign_in_context(context, app_url, register(app_url)["token"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{app_url}/settings")
    expect(page.get_by_test_id("venue-badge")).to_have_text("Paper")
    page.get_by_test_id("field-api_key").fill(key.api_key)
    page.get_by_test_id("field-secret").fill(key.secret)
    page.get_by_test_id("save-key").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Key checked and saved")
    page.get_by_test_id("venue-binance").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Binance Spot Testnet")
    expect(page.get_by_test_id("venue-badge")).to_have_text("Binance Testnet")
    return page, key


def sim_orders(binance_sim, api_key: str) -> list[dict]:
    return binance_sim.account(api_key)["orders"]


def sim_balance(binance_sim, api_key: str, asset: str) -> Decimal:
    [balance] = [b for b in binance_sim.account(api_key)["balances"] if b["asset"] == asset]
    return Decimal(balance["free"]) + Decimal(balance["locked"])


def test_a_market_buy_fills_on_the_testnet_and_shows_as_a_trade(context, app_url: str, binance_sim):
    page, key = binance_user(context, app_url, binance_sim)
    btc_before = sim_balance(binance_sim, key.api_key, "BTC")
    open_trade_page(page, app_url, binance_sim)
    expect(page.get_by_test_id("venue-badge")).to_have_text("Binance Testnet")
    page.get_by_test_id("order-type").click()
    page.get_by_role("option", name="Market", exact=True).click()
    page.get_by_test_id("field-quantity").fill("0.001")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_text(re.compile(r"Buy Market BTCUSDT #\d+ filled"))).to_be_visible()

    [order] = sim_orders(binance_sim, key.api_key)
    assert (order["type"], order["status"], order["executedQty"]) == ("MARKET", "FILLED", "0.00100000")
    assert sim_balance(binance_sim, key.api_key, "BTC") > btc_before  # bought, less the BTC fee
    page.get_by_test_id("tab-trades").click()
    expect(page.get_by_test_id("fill-quantity")).to_have_text(re.compile(r"^0\.001"))
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("history-status").first).to_have_text("FILLED")


def test_a_resting_limit_fills_from_the_user_data_stream_and_another_cancels(
    context, app_url: str, binance_sim
):
    page, key = binance_user(context, app_url, binance_sim)
    open_trade_page(page, app_url, binance_sim)
    below = (binance_sim.last_price("BTCUSDT") * Decimal("0.95")).quantize(Decimal("0.01"))
    page.get_by_test_id("tab-open").click()
    for placed, price in enumerate((below, below - 100), start=1):
        page.get_by_test_id("side-buy").click()
        page.get_by_test_id("field-price").fill(str(price))
        page.get_by_test_id("field-quantity").fill("0.002")
        page.get_by_test_id("place-order").click()
        expect(page.get_by_test_id("open-orders-row")).to_have_count(placed)
    assert sorted(o["status"] for o in binance_sim.account(key.api_key)["openOrders"]) == ["NEW", "NEW"]

    # The market trades down through the higher limit on the venue: only the user data
    # stream can tell the app, since nobody asks.
    binance_sim.push_trade("BTCUSDT", below - 50, Decimal("1"))
    expect(page.get_by_text(re.compile(r"Buy Limit BTCUSDT #\d+ filled"))).to_be_visible()
    expect(page.get_by_test_id("open-orders-row")).to_have_count(1)
    page.get_by_test_id("cancel-order").click()
    expect(page.get_by_test_id("open-orders-empty")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Buy Limit BTCUSDT #\d+ canceled"))).to_be_visible()

    statuses = sorted((o["price"], o["status"]) for o in sim_orders(binance_sim, key.api_key))
    assert [status for _, status in statuses] == ["CANCELED", "FILLED"]
    assert binance_sim.account(key.api_key)["openOrders"] == []


def test_a_testnet_trader_sees_the_testnets_prices_and_alerts_on_them(context, app_url: str, binance_sim):
    """The testnet's market is its own: a Binance user's ticker and alerts follow it, not the app's feed."""
    page, _ = binance_user(context, app_url, binance_sim)
    open_trade_page(page, app_url, binance_sim)
    expect(page.get_by_test_id("feed-badge")).to_have_text("Binance")  # the app's own feed is synthetic here
    price = (binance_sim.last_price("BTCUSDT") * Decimal("0.9731")).quantize(Decimal("0.01"))
    binance_sim.push_trade("BTCUSDT", price, Decimal("0.01"))
    expect(page.get_by_test_id("last-price")).to_have_text(f"{price:,.2f}")

    # Price alerts watch the same market: a print on the testnet fires this user's alert.
    level = (price * Decimal("1.01")).quantize(Decimal("0.01"))
    page.get_by_test_id("tab-alerts").click()
    page.get_by_test_id("alert-direction").click()
    page.get_by_role("option", name="above", exact=True).click()
    page.get_by_test_id("alert-price").fill(str(level))
    page.get_by_test_id("create-alert").click()
    expect(page.get_by_test_id("alert-state")).to_have_text("active")
    binance_sim.push_trade("BTCUSDT", level + 1, Decimal("0.01"))
    expect(page.get_by_text(re.compile(r"^Alert: BTCUSDT traded above")).first).to_be_visible()


def test_the_page_the_rest_market_data_and_the_event_socket_show_the_same_testnet_price(
        context, app_url: str, binance_sim):
    """One answer to "which market for this user", whoever asks: the page, /api/market/* and
    /ws/prices all follow the testnet's prints for a Binance Testnet user."""
    page, _ = binance_user(context, app_url, binance_sim)
    open_trade_page(page, app_url, binance_sim)
    [token] = [c["value"] for c in context.cookies() if c["name"] == "numatix_session"]
    socket_url = app_url.replace("http://", "ws://") + f"/ws/prices?token={token}&symbols=BTCUSDT"
    with connect(socket_url) as socket:
        price = (binance_sim.last_price("BTCUSDT") * Decimal("1.0137")).quantize(Decimal("0.01"))
        binance_sim.push_trade("BTCUSDT", price, Decimal("0.01"))
        expect(page.get_by_test_id("last-price")).to_have_text(f"{price:,.2f}")
        deadline, heard = time.monotonic() + 20, None
        while heard != price and time.monotonic() < deadline:
            message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message["type"] == "PRICE_UPDATE":
                heard = Decimal(message["data"]["price"])
        assert heard == price
    headers = {"Authorization": f"Bearer {token}"}
    ticker = page.request.get(f"{app_url}/api/market/ticker?symbol=BTCUSDT", headers=headers).json()
    assert Decimal(ticker["lastPrice"]) == price
    [top_bid] = page.request.get(f"{app_url}/api/market/depth?symbol=BTCUSDT&limit=1",
                                 headers=headers).json()["bids"]
    assert price - 1 < Decimal(top_bid[0]) < price  # the simulator's book, re-centred on its print
    anonymous = httpx.get(f"{app_url}/api/market/ticker", params={"symbol": "BTCUSDT"}).json()
    assert Decimal(anonymous["lastPrice"]) != price  # signed out: the app's own feed


def test_a_testnet_wallet_cannot_be_reset_from_here(context, app_url: str, binance_sim):
    page, _ = binance_user(context, app_url, binance_sim)
    page.get_by_test_id("reset-wallet").click()
    page.get_by_test_id("confirm-reset").click()
    expect(page.get_by_test_id("settings-error")).to_contain_text("only a paper wallet can be reset")


def test_when_the_exchange_stops_answering_the_page_says_so_and_recovers(context, app_url: str, binance_sim):
    page, _ = binance_user(context, app_url, binance_sim)
    open_trade_page(page, app_url, binance_sim)
    page.get_by_test_id("tab-balances").click()
    expect(page.get_by_test_id("balances-row").first).to_be_visible()
    binance_sim.set_faults(fail_next=100_000, fail_status=503)
    try:
        page.get_by_test_id("order-type").click()
        page.get_by_role("option", name="Market", exact=True).click()
        page.get_by_test_id("field-quantity").fill("0.001")
        page.get_by_test_id("place-order").click()
        expect(page.get_by_test_id("venue-problem")).to_contain_text("The exchange did not answer", timeout=45_000)
        expect(page.get_by_test_id("balances-row").first).to_be_visible()  # the last picture stays
    finally:
        binance_sim.set_faults(clear=True)
    expect(page.get_by_test_id("venue-problem")).to_have_count(0, timeout=30_000)
