"""Positions against the fills, number by number: the starting wallet and each reset enter at
that moment's price, the entry is the price paid, fees are counted apart."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from numatix.domain.balances import PAPER_STARTING_BALANCES
from numatix.domain.enums import Side
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services.events import EventBus
from numatix.services.portfolio import Opening, PortfolioService
from numatix.services.trading import TradingService
from tests.unit.exchange.helpers import SYMBOL, make_exchange

ALICE = 1
CREATED_MS = 1_000
OPENING_PRICES = {"BTCUSDT": D("40000"), "ETHUSDT": D("2000"), "BNBUSDT": D("300")}
SYMBOLS = {s: DEFAULT_SYMBOLS[s] for s in ("BTCUSDT", "ETHUSDT", "BNBUSDT")}


@pytest.fixture
def world():
    exchange = make_exchange()
    trading = TradingService(exchange, EventBus())
    asked: list[tuple[str, int]] = []

    async def price_at(_user, symbol, time_ms):
        asked.append((symbol, time_ms))
        return OPENING_PRICES[symbol] if time_ms == CREATED_MS else D("60000")

    async def starting_wallet(_user):
        return Opening(CREATED_MS, PAPER_STARTING_BALANCES)

    portfolio = PortfolioService(exchange, {"BTCUSDT": D("50000"), "ETHUSDT": D("3000")}.get, SYMBOLS,
                                 starting_wallet=starting_wallet, price_at=price_at)
    return exchange, trading, portfolio, asked


async def btc_held(portfolio) -> D:
    return {b.asset: b.total for b in await portfolio.balances(ALICE)}["BTC"]


async def test_the_starting_wallet_is_a_position_at_the_price_when_the_account_opened(world):
    _, _, portfolio, asked = world
    positions = {p.symbol: p for p in await portfolio.positions(ALICE)}
    assert {s: (p.quantity, p.average_entry_price) for s, p in positions.items()} == {
        "BTCUSDT": (D("0.1"), D("40000")), "ETHUSDT": (D("1"), D("2000")), "BNBUSDT": (D("10"), D("300"))}
    assert positions["BTCUSDT"].unrealized_pnl == D("0.1") * (D("50000") - D("40000"))
    assert positions["BTCUSDT"].realized_pnl == 0 and positions["BTCUSDT"].fees_in_quote == 0
    await portfolio.positions(ALICE)
    assert len(asked) == 3  # the opening prices are looked up once


async def test_selling_the_starting_coins_realizes_against_their_entry_and_matches_the_wallet(world):
    _, trading, portfolio, _ = world
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "SELL", "MARKET", quantity="0.0996"))
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.02"))
    fills = await trading.fills(ALICE)
    position = next(p for p in await portfolio.positions(ALICE) if p.symbol == SYMBOL)
    assert position.quantity == await btc_held(portfolio)  # the position is what the wallet holds
    sells = [f for f in fills if f.side is Side.SELL]
    buys = [f for f in fills if f.side is Side.BUY]
    assert position.realized_pnl == sum(f.quantity * (f.price - D("40000")) for f in sells)
    held_before = D("0.1") - D("0.0996")
    bought = sum(f.quantity - f.commission for f in buys)
    assert position.average_entry_price == (held_before * D("40000") + sum(
        (f.quantity - f.commission) * f.price for f in buys)) / (held_before + bought)
    assert position.fees_in_quote == sum(f.commission for f in sells) + sum(f.commission * f.price for f in buys)
    assert position.realized_pnl > 0  # sold above the entry: fees do not turn it into a loss


async def test_a_wallet_reset_reopens_every_position_at_the_price_of_the_reset(world):
    exchange, trading, portfolio, asked = world
    await trading.place_order(ALICE, OrderRequest(SYMBOL, "SELL", "MARKET", quantity="0.05"))
    await portfolio.reset_wallet(ALICE)
    [reset] = await portfolio.ledger(ALICE)
    positions = {p.symbol: p for p in await portfolio.positions(ALICE)}
    assert positions["BTCUSDT"].quantity == D("0.1") == await btc_held(portfolio)
    assert positions["BTCUSDT"].average_entry_price == D("60000") and positions["BTCUSDT"].realized_pnl == 0
    assert ("BTCUSDT", reset.time_ms) in asked
