from decimal import Decimal as D

from numatix.domain.market import BookLevel, BookSnapshot, TradePrint
from numatix.exchange.paper import FakeClock, InMemoryPaperStore, PaperExchange

SYMBOL = "BTCUSDT"


def book(bids, asks, update_id=1, symbol=SYMBOL):
    return BookSnapshot(
        symbol, update_id, 0,
        tuple(BookLevel(D(p), D(q)) for p, q in bids),
        tuple(BookLevel(D(p), D(q)) for p, q in asks),
    )


STANDARD_BOOK = book(
    bids=[("49999", "0.02"), ("49998", "0.03"), ("49990", "1")],
    asks=[("50001", "0.02"), ("50002", "0.03"), ("50010", "1")],
)


def trade(price, quantity, trade_id=1, buyer_is_maker=False, symbol=SYMBOL):
    return TradePrint(symbol, trade_id, D(price), D(quantity), 0, buyer_is_maker)


def make_exchange(store=None, clock=None, **kwargs):
    exchange = PaperExchange(store or InMemoryPaperStore(), clock=clock or FakeClock(), **kwargs)
    exchange.on_book(STANDARD_BOOK)
    exchange.on_trade(trade("50000", "0.001", trade_id=0))
    return exchange
