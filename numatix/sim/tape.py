"""The simulator's memory of the tape: recent prints, their aggregates and one-second bars.

Binance serves ``trades``, ``historicalTrades`` (from a trade id), ``aggTrades`` and ``1s``
klines from its trade database; the hub keeps only the last hundred prints, so the
simulator keeps its own tape of the last ``KEEP_TRADES`` prints per symbol (about an hour
of BTCUSDT at five prints a second). What is older than the tape is not served.

An aggregate trade is Binance's: the prints of one taker order at one price, which here
are the consecutive prints of one moment, one price and one side. A taker's prints all
reach the hub together (the feed publishes a whole step synchronously), so the open
aggregate is closed once the event loop moves on (``flush``); listeners then hear of the
finished aggregates, which is when Binance pushes ``aggTrade``.
"""

from __future__ import annotations

import asyncio
import bisect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from numatix.domain.market import BookSnapshot, Ticker24h, TradePrint

KEEP_TRADES = 20_000
SECOND_MS = 1000


@dataclass(frozen=True, slots=True)
class AggregateTrade:
    agg_id: int
    price: Decimal
    quantity: Decimal
    first_id: int
    last_id: int
    time_ms: int
    buyer_is_maker: bool

    def takes(self, trade: TradePrint) -> bool:
        """Whether ``trade`` belongs to this aggregate: the same taker's next print at this price."""
        return (trade.trade_id == self.last_id + 1 and trade.time_ms == self.time_ms
                and trade.price == self.price and trade.buyer_is_maker == self.buyer_is_maker)


@dataclass(frozen=True, slots=True)
class SecondBar:
    """One ``1s`` kline; an empty second repeats the last close with no volume, as Binance does."""

    open_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trade_count: int
    taker_buy_volume: Decimal
    taker_buy_quote_volume: Decimal
    first_trade_id: int
    last_trade_id: int

    @property
    def close_time_ms(self) -> int:
        return self.open_time_ms + SECOND_MS - 1


AggregateListener = Callable[[str, list[AggregateTrade]], None]


class SymbolTape:
    def __init__(self, keep: int = KEEP_TRADES) -> None:
        self.trades: deque[TradePrint] = deque(maxlen=keep)
        self.aggregates: deque[AggregateTrade] = deque(maxlen=keep)
        self.open_aggregate: AggregateTrade | None = None
        self.unreported: list[AggregateTrade] = []  # closed since the listeners last heard
        self._next_agg_id: int | None = None

    def add(self, trade: TradePrint) -> None:
        self.trades.append(trade)
        current = self.open_aggregate
        if current is not None and current.takes(trade):
            self.open_aggregate = replace(current, quantity=current.quantity + trade.quantity,
                                          last_id=trade.trade_id)
            return
        self.close()
        if self._next_agg_id is None:
            self._next_agg_id = trade.trade_id  # never more aggregates than trades before the tape
        self.open_aggregate = AggregateTrade(self._next_agg_id, trade.price, trade.quantity, trade.trade_id,
                                             trade.trade_id, trade.time_ms, trade.buyer_is_maker)
        self._next_agg_id += 1

    def close(self) -> None:
        finished, self.open_aggregate = self.open_aggregate, None
        if finished is not None:
            self.aggregates.append(finished)
            self.unreported.append(finished)

    # ------------------------------------------------------------------ reads
    def recent(self, limit: int) -> list[TradePrint]:
        return list(self.trades)[-limit:]

    def from_id(self, first_id: int, limit: int) -> list[TradePrint]:
        """Trades with ids from ``first_id`` on (the oldest kept, if it is older than the tape)."""
        # a test's pushed prints (ids far above the feed's) may sit between the feed's: not sorted by id
        return [trade for trade in self.trades if trade.trade_id >= first_id][:limit]

    def aggregate_list(self, from_id: int | None, start_ms: int | None, end_ms: int | None,
                       limit: int) -> list[AggregateTrade]:
        """Binance's selection: from an aggregate id, or within a time range (both ends inclusive),
        else the newest ``limit``."""
        rows = list(self.aggregates)
        if self.open_aggregate is not None:
            rows.append(self.open_aggregate)
        if from_id is not None:
            rows = [row for row in rows if row.agg_id >= from_id]
        if start_ms is not None:
            rows = [row for row in rows if row.time_ms >= start_ms]
        if end_ms is not None:
            rows = [row for row in rows if row.time_ms <= end_ms]
        if from_id is None and start_ms is None:
            return rows[-limit:]  # the newest (before endTime, if sent)
        return rows[:limit]

    def seconds(self, start_ms: int | None, end_ms: int | None, limit: int, now_ms: int) -> list[SecondBar]:
        """``1s`` bars over the tape, every second from the first print kept up to ``now_ms``."""
        trades = list(self.trades)
        if not trades:
            return []
        low = trades[0].time_ms - trades[0].time_ms % SECOND_MS
        if start_ms is not None:
            low = max(low, -(-start_ms // SECOND_MS) * SECOND_MS)  # bars opening at or after startTime
        high = now_ms - now_ms % SECOND_MS
        if end_ms is not None:
            high = min(high, end_ms - end_ms % SECOND_MS)
        if high < low:
            return []
        if start_ms is not None:
            high = min(high, low + (limit - 1) * SECOND_MS)
        else:
            low = max(low, high - (limit - 1) * SECOND_MS)
        times = [trade.time_ms for trade in trades]
        previous_index = bisect.bisect_left(times, low) - 1
        close = trades[previous_index].price if previous_index >= 0 else trades[0].price
        bars = []
        index = previous_index + 1
        for second in range(low, high + SECOND_MS, SECOND_MS):
            end = bisect.bisect_left(times, second + SECOND_MS, lo=index)
            bar = second_bar(second, trades[index:end], close)
            bars.append(bar)
            close, index = bar.close, end
        return bars


def second_bar(open_time_ms: int, trades: list[TradePrint], previous_close: Decimal) -> SecondBar:
    zero = Decimal(0)
    if not trades:
        return SecondBar(open_time_ms, previous_close, previous_close, previous_close, previous_close,
                         zero, zero, 0, zero, zero, -1, -1)
    prices = [trade.price for trade in trades]
    volume = sum((trade.quantity for trade in trades), zero)
    quote = sum((trade.price * trade.quantity for trade in trades), zero)
    bought = [trade for trade in trades if not trade.buyer_is_maker]  # the buyer took liquidity
    return SecondBar(open_time_ms, prices[0], max(prices), min(prices), prices[-1], volume, quote,
                     len(trades),
                     sum((trade.quantity for trade in bought), zero),
                     sum((trade.price * trade.quantity for trade in bought), zero),
                     trades[0].trade_id, trades[-1].trade_id)


class Tape:
    """Every symbol's tape, fed by the hub as a listener."""

    def __init__(self, symbols: tuple[str, ...], keep: int = KEEP_TRADES) -> None:
        self._tapes = {symbol: SymbolTape(keep) for symbol in symbols}
        self._listeners: list[AggregateListener] = []
        self._flush_pending = False

    def of(self, symbol: str) -> SymbolTape:
        return self._tapes[symbol]

    def add_listener(self, listener: AggregateListener) -> None:
        self._listeners.append(listener)

    def on_market_event(self, event: TradePrint | BookSnapshot | Ticker24h) -> None:
        if isinstance(event, TradePrint):
            self.on_trade(event)

    def on_trade(self, trade: TradePrint) -> None:
        tape = self._tapes.get(trade.symbol)
        if tape is None:
            return
        tape.add(trade)
        if not self._flush_pending:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop (a unit test): flush() when the batch is done
            self._flush_pending = True
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """The batch of prints is over: close every open aggregate and tell the listeners."""
        self._flush_pending = False
        for symbol, tape in self._tapes.items():
            tape.close()
            finished, tape.unreported = tape.unreported, []
            if finished:
                for listener in self._listeners:
                    listener(symbol, finished)
