"""The synthetic market as one process: order flow on a price-time book makes the depth and the tape.

Three kinds of participants act on one ``OrderBook``, each by its own law of arrivals,
sizes and cancels by distance from the fair price (which ``VolatilityProcess`` moves minute
by minute, and ``fair_moves`` inside the minute, only as informed takers trade):

- market makers, several times a second and whenever news comes, pull the quotes the fair
  price has gone through (a bid above it, an ask at or below) and quote the touch again around
  it: whole lots at the best price, in several orders, and a trail of small orders just
  behind; these live seconds, so the trail left by a moving price is the near book;
- patient traders rest limit orders from a few to hundreds of basis points away, more and
  bigger the farther out, living minutes to an hour: the deep book;
- takers arrive in bursts and walk the book from the best price: each resting order they meet
  is one trade at its price, and a level they (or cancels) empty moves the price to the next.
  Some bring news: the fair price moves as they arrive, the makers re-quote around it at
  once, and the informed taker trades at the new touch (after a jump, it first sweeps every
  stale order up to the new price). Between trades the fair price stands still, so the book
  does not drift away from the last print: a person reading depth and tape sees the last
  price at the best bid or ask.

So every print is at the touch and consumes it, and the published depth is the book itself.
Events are simulated lazily in time order (``advance``), so the same seed gives the same
market, print for print, whether it runs live or in a report.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from numatix.domain.symbols import SymbolSpec
from numatix.market.synthetic.book import OrderBook, RestingOrder
from numatix.market.synthetic.draws import Draws
from numatix.market.synthetic.flow import activity, arrivals, fair_moves, taker_sizes
from numatix.market.synthetic.process import VolatilityProcess, rhythm
from numatix.market.synthetic.profiles import MarketProfile

MINUTE, TAKER, REFRESH, PATIENT_ORDER, EXPIRE, NEWS = range(6)
EVENT_NAMES = ("minute", "taker", "refresh", "patient order", "expiry", "news")
REFRESHES_PER_SECOND = 5.0
TOUCH_LOG_SD = 0.5
TOUCH_PARTS = 12.0  # orders in a maker's quote at the touch, on average beyond the first two
PART_LOG_SD = 2.0  # their sizes: many small, a few large
TRAIL_ORDERS = 2.0  # per side and refresh
TRAIL_NOTIONAL_SHARE = 0.03  # of the touch size, median, per trail order
TRAIL_DISTANCE_TICKS = 15.0  # mean
MAKER_LIFETIME_MS = 4_000.0
PATIENT_RANGE_BPS = (2.0, 300.0)
PATIENT_NOTIONAL_SHARE = 0.03  # of a bps of depth, median order near the touch; grows with distance
PATIENT_LIFETIME_MS = 60_000.0  # at 2 bps; grows with distance
TAKER_REACH_BPS = 30.0  # a taker is a marketable limit order this far through the fair price
AGGRESSOR_FOLLOWS_MOVE = 0.75  # an uninformed taker trades in the direction of the last news this often


def spread_widening(minute_sd: float, base_sd: float, jumped: bool) -> int:
    """Extra ticks makers leave each side: none in calm minutes, more when volatile and around jumps."""
    extra = max(0.0, minute_sd / base_sd - 2.5)
    return int(min(4, math.floor(extra / 2) + (1 if jumped else 0)))


@dataclass(frozen=True, slots=True)
class Print:
    trade_id: int
    time_ms: int
    price: int  # ticks
    size: int  # steps
    buyer_is_maker: bool


class MarketSimulation:
    def __init__(
        self,
        profile: MarketProfile,
        spec: SymbolSpec,
        process: VolatilityProcess,
        rng: np.random.Generator,
        price_ticks: int,
        start_ms: int,
        next_trade_id: int,
    ) -> None:
        self.profile, self.spec, self.process, self.rng = profile, spec, process, rng
        self.book = OrderBook()
        self.draws = Draws(rng)
        self.next_trade_id = next_trade_id
        self._tick = float(spec.tick_size)
        self._step = float(spec.step_size)
        self._events: list[tuple[int, int, int, Any]] = []
        self._sequence = itertools.count()
        self._minute_start = start_ms - start_ms % 60_000
        self.fair = float(price_ticks)  # ticks; moves only with news
        self._last_move_up = True
        self._last_price = price_ticks
        self._busy = 1.0
        self.minute_sd = process.base_sd  # this minute's volatility, once a minute has started
        self._widening = 0
        self._touch_steps = self._trail_steps = 0.0
        self._size_units()
        self._seed_book(start_ms)
        self._push(self._minute_start, MINUTE, None)

    # ------------------------------------------------------------------ running
    def next_event(self) -> tuple[int, str]:
        """When the next event happens and what it is (for tests that step one event at a time)."""
        time_ms, _, kind, _ = self._events[0]
        return time_ms, EVENT_NAMES[kind]

    def advance(self, until_ms: int) -> list[Print]:
        """Run every event before ``until_ms``; the trades they made, in order."""
        prints: list[Print] = []
        events = self._events
        while events and events[0][0] < until_ms:
            self._handle(heapq.heappop(events), prints)
        return prints

    def step(self) -> list[Print]:
        """Run the next event alone; the trades it made (for tests that watch every event)."""
        prints: list[Print] = []
        self._handle(heapq.heappop(self._events), prints)
        return prints

    def _handle(self, event: tuple[int, int, int, Any], prints: list[Print]) -> None:
        time_ms, _, kind, payload = event
        if kind == TAKER:
            buyer, size = payload
            self._take(time_ms, buyer, size, prints)
        elif kind == EXPIRE:
            self._expire(time_ms, payload)
        elif kind == REFRESH:
            self._refresh(time_ms)
        elif kind == PATIENT_ORDER:
            self._patient_order(time_ms, *payload)
        elif kind == MINUTE:
            self._start_minute(time_ms)
        elif kind == NEWS:
            fair, sweep = payload
            self._news(time_ms, fair, sweep, prints)

    def _push(self, time_ms: int, kind: int, payload: Any) -> None:
        heapq.heappush(self._events, (time_ms, next(self._sequence), kind, payload))

    # ------------------------------------------------------------------ minutes
    def _start_minute(self, start: int) -> None:
        rng, process = self.rng, self.process
        draw = process.step(start)
        self.minute_sd = draw.sd
        self._minute_start = start
        self._busy = busy = activity(draw.sd, process.base_sd, float(rhythm(np.array([start]))[0]))
        offsets, news = arrivals(rng, self.profile.trades_per_second * busy)
        path, jump_at = fair_moves(rng, int(news.sum()), draw.log_return, draw.sd, draw.jump)
        self._size_units()
        self._schedule_takers(start, offsets, news, self.fair * np.exp(path), jump_at, draw.jump > 0)
        refreshes = np.sort(rng.uniform(0, 60_000, rng.poisson(REFRESHES_PER_SECOND * 60 * math.sqrt(busy))))
        for offset in refreshes.astype(np.int64):
            self._push(start + int(offset), REFRESH, None)
        patient_rate = self._patient_rate() * busy
        self._widening = spread_widening(draw.sd, process.base_sd, bool(draw.jump))
        for is_bid in (True, False):
            count = rng.poisson(patient_rate * 60)
            offsets = rng.uniform(0, 60_000, count).astype(np.int64).tolist()
            for offset, distance in zip(offsets, self._patient_distances(count).tolist()):
                self._push(start + offset, PATIENT_ORDER, (is_bid, distance))
        self._push(start + 60_000, MINUTE, None)

    def _schedule_takers(
        self,
        start: int,
        offsets: np.ndarray,
        news: np.ndarray,
        levels: np.ndarray,
        jump_at: int,
        jump_up: bool,
    ) -> None:
        """Each taker, and before each informed one the news it brings (the fair price it moves to).

        An informed taker trades in the direction of its news; the others follow the last news
        (``AGGRESSOR_FOLLOWS_MOVE``) or go against it, as momentum and contrarian traders do.
        """
        rng = self.rng
        count = len(offsets)
        follows = (rng.random(count) < AGGRESSOR_FOLLOWS_MOVE).tolist()
        coins = (rng.random(count) < 0.5).tolist()
        median_steps = self.profile.median_trade_notional / (self.fair * self._tick) / self._step
        sizes = np.maximum(1, np.rint(taker_sizes(rng, count, median_steps))).astype(np.int64).tolist()
        level, up, index = self.fair, self._last_move_up, 0
        for offset, is_news, follow, coin, size in zip(
            offsets.tolist(), news.tolist(), follows, coins, sizes
        ):
            if is_news:
                new_level = float(levels[index])
                up = coin if new_level == level else new_level > level
                sweep = jump_up if index == jump_at else None
                self._push(start + offset, NEWS, (new_level, sweep))
                level, index = new_level, index + 1
                buyer = up
            else:
                buyer = up if follow else not up
            self._push(start + offset, TAKER, (buyer, size))
        self._last_move_up = up

    # ------------------------------------------------------------------ takers
    def _news(self, time_ms: int, fair: float, sweep: bool | None, prints: list[Print]) -> None:
        """The fair price moves; makers re-quote around it at once. After a jump an informed
        taker first takes everything on the wrong side of the new price."""
        self.fair = fair
        if sweep is not None:
            limit = math.floor(fair) if sweep else math.ceil(fair)
            self._record(time_ms, sweep, self.book.take(sweep, 1 << 62, limit), prints)
        self._refresh(time_ms, news=True)

    def _take(self, time_ms: int, buyer: bool, size: int, prints: list[Print]) -> None:
        fair = self.fair
        reach = fair * TAKER_REACH_BPS / 1e4
        limit = math.floor(fair + reach) if buyer else math.ceil(fair - reach)
        self._record(time_ms, buyer, self.book.take(buyer, size, limit), prints)

    def _record(self, time_ms: int, buyer: bool, executions, prints: list[Print]) -> None:
        for execution in executions:
            self.next_trade_id += 1
            prints.append(Print(self.next_trade_id, time_ms, execution.price, execution.size, not buyer))
        if executions:
            self._last_price = executions[-1].price

    # ------------------------------------------------------------------ makers
    def _refresh(self, time_ms: int, news: bool = False) -> None:
        """Market makers: pull what the fair price went through, quote the touch around it, trail behind.

        In volatile minutes they quote wider than one tick, as Binance's makers do. Without news
        a level takers emptied is not quoted again at once: the makers step in at most a tick
        beyond the last trade, so the price a level's exhaustion moved to stays at the touch.
        """
        fair = self.fair
        book = self.book
        bid_target = math.floor(fair) - self._widening
        ask_target = math.floor(fair) + 1 + self._widening
        if not news:
            bid_target = min(bid_target, self._last_price + 1)
            ask_target = max(ask_target, self._last_price - 1)
        while book.bids.best is not None and book.bids.best > math.floor(fair):
            book.pull(True, book.bids.best)
        while book.asks.best is not None and book.asks.best <= math.floor(fair):
            book.pull(False, book.asks.best)
        for is_bid, touch in ((True, bid_target), (False, ask_target)):
            side = book.side(is_bid)
            if side.best is not None and (side.best > touch if is_bid else side.best < touch):
                touch = side.best  # a better quote still stands inside the wider one: join it
            self._quote_touch(time_ms, is_bid, touch, side.totals.get(touch, 0))
            self._trail(time_ms, is_bid, touch)

    def _quote_touch(self, time_ms: int, is_bid: bool, price: int, shown: int) -> None:
        draws = self.draws
        missing = int(draws.lognormal(self._touch_steps, TOUCH_LOG_SD)) - shown
        if missing <= 0 or price <= 0:
            return
        weights = [draws.lognormal(1.0, PART_LOG_SD) for _ in range(2 + draws.poisson(TOUCH_PARTS))]
        scale = missing / sum(weights)
        parts = [part for part in (int(weight * scale) for weight in weights) if part > 0]
        if parts:
            self._rest(time_ms, is_bid, price, parts, MAKER_LIFETIME_MS)

    def _trail(self, time_ms: int, is_bid: bool, touch: int) -> None:
        draws = self.draws
        for _ in range(draws.poisson(TRAIL_ORDERS)):
            distance = 1 + draws.geometric(TRAIL_DISTANCE_TICKS)
            price = touch - distance if is_bid else touch + distance
            size = int(draws.lognormal(self._trail_steps, 1.2))
            if price > 0 and size > 0:
                self._rest(time_ms, is_bid, price, [size], MAKER_LIFETIME_MS)

    # ------------------------------------------------------------------ patient orders
    def _patient_rate(self) -> float:
        """Orders per second per side that keep ``depth_notional_per_bps`` resting across the range."""
        grid = self._distance_grid()
        return float((self._arrival_density(grid) * (grid[1] - grid[0])).sum())

    @staticmethod
    def _distance_grid() -> np.ndarray:
        return np.linspace(*PATIENT_RANGE_BPS, 600)

    def _arrival_density(self, distance_bps: np.ndarray) -> np.ndarray:
        """Arrivals per second per bps at each distance: depth / (order size × lifetime)."""
        return self.profile.depth_notional_per_bps / (
            self._patient_notional(distance_bps) * self._patient_lifetime_s(distance_bps)
        )

    def _patient_notional(self, distance_bps):
        return self.profile.depth_notional_per_bps * PATIENT_NOTIONAL_SHARE * (1 + distance_bps / 20)

    @staticmethod
    def _patient_lifetime_s(distance_bps):
        return PATIENT_LIFETIME_MS / 1000 * (distance_bps / PATIENT_RANGE_BPS[0]) ** 0.9

    def _patient_distances(self, count: int, resting: bool = False) -> np.ndarray:
        """Distances drawn in proportion to arrivals (or, ``resting``, to the orders resting at once)."""
        grid = self._distance_grid()
        weights = self._arrival_density(grid) * (self._patient_lifetime_s(grid) if resting else 1.0)
        cumulative = np.cumsum(weights) / weights.sum()
        cells = np.searchsorted(cumulative, self.rng.random(count))
        return grid[np.minimum(cells, len(grid) - 1)] + self.rng.random(count) * (grid[1] - grid[0])

    def _patient_order(
        self, time_ms: int, is_bid: bool, distance: float, lifetime_ms: float | None = None
    ) -> None:
        fair = self.fair
        offset = fair * distance / 1e4
        price = math.floor(fair - offset) if is_bid else math.ceil(fair + offset)
        opposite = self.book.side(not is_bid).best
        if price <= 0 or (opposite is not None and (price >= opposite if is_bid else price <= opposite)):
            return
        size = int(self.draws.lognormal(self._notional_steps(self._patient_notional(distance)), 0.8))
        if size > 0:
            life = lifetime_ms if lifetime_ms is not None else self._patient_lifetime_s(distance) * 1000
            self._rest(time_ms, is_bid, price, [size], life)

    def _seed_book(self, start_ms: int) -> None:
        """Start from the book's steady state: the patient orders resting now, and fresh quotes.

        Drawn in bulk (a few thousand orders a symbol), as the feed builds every symbol at start-up.
        """
        rng = self.rng
        self._refresh(start_ms)
        grid = self._distance_grid()
        resting = float(
            (self._arrival_density(grid) * self._patient_lifetime_s(grid)).sum() * (grid[1] - grid[0])
        )
        fair = self.fair
        for is_bid in (True, False):
            distances = self._patient_distances(rng.poisson(resting), resting=True)
            offsets = fair * distances / 1e4
            prices = np.floor(fair - offsets) if is_bid else np.ceil(fair + offsets)
            sizes = self._notional_steps(self._patient_notional(distances)) * np.exp(
                0.8 * rng.standard_normal(len(distances))
            )
            lives = start_ms + 1 + rng.exponential(self._patient_lifetime_s(distances) * 1000)
            for price, size, life in zip(
                prices.astype(np.int64).tolist(),
                sizes.astype(np.int64).tolist(),
                lives.astype(np.int64).tolist(),
            ):
                if price > 0 and size > 0:
                    self._events.append(
                        (life, next(self._sequence), EXPIRE, self.book.place(is_bid, price, [size]))
                    )
        heapq.heapify(self._events)

    # ------------------------------------------------------------------ plumbing
    def _expire(self, time_ms: int, order: RestingOrder) -> None:
        """An order's time is up, unless it is at the best price: there it waits for its fill."""
        if order.size and self.book.side(order.is_bid).best == order.price:
            self._push(time_ms + 1 + int(self.draws.exponential(MAKER_LIFETIME_MS)), EXPIRE, order)
        else:
            self.book.cancel(order)

    def _rest(self, time_ms: int, is_bid: bool, price: int, parts: list[int], lifetime_ms: float) -> None:
        order: RestingOrder = self.book.place(is_bid, price, parts)
        self._push(time_ms + 1 + int(self.draws.exponential(lifetime_ms)), EXPIRE, order)

    def _size_units(self) -> None:
        """Notional sizes in steps at this minute's price."""
        self._touch_steps = self._notional_steps(self.profile.touch_depth_notional)
        self._trail_steps = self._notional_steps(self.profile.touch_depth_notional * TRAIL_NOTIONAL_SHARE)

    def _notional_steps(self, notional: float) -> float:
        return notional / (self.fair * self._tick) / self._step
