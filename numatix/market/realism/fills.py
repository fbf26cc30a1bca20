"""Paper fills on the synthetic market: orders resting at the touch of the real paper exchange.

The exchange sees exactly the synthetic market's prints and published books, as it does
in the app, so its queue model decides when (and whether) each order fills.
"""

from __future__ import annotations

from decimal import Decimal

from numatix.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from numatix.domain.market import BookSnapshot, TradePrint
from numatix.domain.requests import OrderRequest
from numatix.domain.symbols import SymbolSpec
from numatix.exchange.paper import FakeClock, InMemoryPaperStore, PaperExchange

ACCOUNT = 1


class RestingProbe:
    def __init__(self, spec: SymbolSpec, notional: Decimal, patience_ms: int) -> None:
        self.spec = spec
        self._notional = notional
        self._patience_ms = patience_ms
        self._clock = FakeClock(0)
        balances = {spec.base_asset: Decimal(10) ** 6, spec.quote_asset: Decimal(10) ** 12}
        self.exchange = PaperExchange(
            InMemoryPaperStore(), symbols={spec.symbol: spec}, clock=self._clock, starting_balances=balances
        )
        self._book: BookSnapshot | None = None
        self._waiting: dict[str, int] = {}  # client order id -> when it was placed
        self._outcomes: list[int | None] = []  # time to fill, or None if it did not fill in time

    def on_trade(self, trade: TradePrint) -> None:
        self._clock.set(trade.time_ms)
        self.exchange.on_trade(trade)

    def on_book(self, book: BookSnapshot) -> None:
        self._clock.set(book.time_ms)
        self.exchange.on_book(book)
        self._book = book

    async def place(self, now_ms: int, buy: bool) -> None:
        """A limit order joining the best bid (buy) or ask (sell), sized to ``notional``."""
        book = self._book
        if book is None or not book.bids or not book.asks:
            return
        price = book.bids[0].price if buy else book.asks[0].price
        quantity = self.spec.floor_quantity(self._notional / price)
        self._clock.set(now_ms)
        client_id = f"probe-{len(self._waiting) + len(self._outcomes)}"
        request = OrderRequest(
            self.spec.symbol,
            Side.BUY if buy else Side.SELL,
            OrderType.LIMIT,
            quantity=quantity,
            price=price,
            time_in_force=TimeInForce.GTC,
            client_order_id=client_id,
        )
        await self.exchange.submit(ACCOUNT, request)
        self._waiting[client_id] = now_ms

    async def expire(self, now_ms: int) -> None:
        """Orders whose time is up: filled (and how fast), or cancelled unfilled."""
        for client_id, placed in list(self._waiting.items()):
            if now_ms - placed < self._patience_ms:
                continue
            del self._waiting[client_id]
            order = await self.exchange.query_order(ACCOUNT, self.spec.symbol, client_id)
            if order.status is OrderStatus.FILLED:
                self._outcomes.append(order.fill_quality().time_to_fill_ms)
            else:
                if order.is_open:
                    self._clock.set(now_ms)
                    await self.exchange.cancel(ACCOUNT, self.spec.symbol, client_order_id=client_id)
                self._outcomes.append(None)

    def results(self) -> tuple[float, list[int]]:
        """(share filled within the patience, times to fill of those that did)."""
        times = [outcome for outcome in self._outcomes if outcome is not None]
        return (len(times) / len(self._outcomes) if self._outcomes else float("nan")), times
