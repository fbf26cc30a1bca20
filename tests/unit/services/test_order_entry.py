from decimal import Decimal as D

import pytest

from numatix.domain.enums import Side
from numatix.domain.estimates import fee_for, walk_visible_book
from numatix.domain.market import BookLevel
from numatix.domain.requests import OrderRequest
from numatix.market.hub import MarketHub
from numatix.services.market_data import MarketDataService
from numatix.services.order_entry import OrderEntryService
from tests.unit.exchange.helpers import STANDARD_BOOK, trade

ASKS = (BookLevel(D("100"), D("1")), BookLevel(D("101"), D("2")))


def test_walking_the_visible_book_by_quantity_and_by_quote():
    by_quantity = walk_visible_book(ASKS, quantity=D("2"))
    assert (by_quantity.quantity, by_quantity.quote, by_quantity.complete) == (D("2"), D("201"), True)
    assert by_quantity.average_price == D("100.5")
    by_quote = walk_visible_book(ASKS, quote=D("150"))
    assert by_quote.quote == D("150") and by_quote.quantity == 1 + D("50") / D("101")
    thin = walk_visible_book(ASKS, quantity=D("5"))
    assert thin.quantity == D("3") and not thin.complete
    assert fee_for(Side.BUY, D("2"), D("201"), D("0.001")) == (D("0.002"), "base")
    assert fee_for(Side.SELL, D("2"), D("201"), D("0.001")) == (D("0.201"), "quote")


class HandFeed:
    """No upstream: the test feeds the hub itself."""

    symbols = ("BTCUSDT",)
    kind = None


@pytest.fixture
def entry():
    hub = MarketHub(HandFeed())
    hub.on_book(STANDARD_BOOK)
    hub.on_trade(trade("50000", "0.01"))
    return OrderEntryService(MarketDataService(hub))


def test_preview_uses_the_venues_words_and_estimates_a_market_buy(entry):
    assert entry.preview(OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.0000001")).error == \
        "Filter failure: LOT_SIZE"
    assert "timeInForce" in entry.preview(OrderRequest("BTCUSDT", "BUY", "LIMIT", quantity="0.01",
                                                       price="50000")).error
    preview = entry.preview(OrderRequest("BTCUSDT", "BUY", "MARKET", quantity="0.04"))
    assert preview.error == "" and preview.cost == D("2000.06") and preview.average_price == D("50001.5")
    assert (preview.fee, preview.fee_asset) == (D("0.00004"), "BTC")
    limit = entry.preview(OrderRequest("BTCUSDT", "SELL", "LIMIT", quantity="0.01", price="51000",
                                       time_in_force="GTC"))
    assert (limit.cost, limit.fee, limit.fee_asset) == (D("510"), D("0.51"), "USDT")
