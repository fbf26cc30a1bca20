"""Measure the synthetic market as it is served: its history, its live book and tape, and paper fills on it.

Everything comes from one ``SyntheticFeed`` built as ``make run`` builds it (same seed, same
symbol): the minute history for the return statistics, its hourly layer for the deep past,
then the live simulation continuing from it, whose prints and books also drive a paper
exchange that rests orders at the touch, as a trader would.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.realism import returns as stats
from numatix.market.realism.fitting import garch_fit, student_t_degrees_of_freedom
from numatix.market.synthetic.feed import SyntheticFeed
from numatix.market.synthetic.history import HistoryDepth

STEP_MS = 100
SAMPLE_MS = 5_000  # live volatility is measured on 5-second returns: twelve samples a minute
FILL_ORDER_NOTIONAL = Decimal(5000)  # ≈ 0.05 BTC
FILL_EVERY_MS = 20_000
FILL_PATIENCE_MS = 60_000
DEEP_HOURS_DAYS = 365  # a year of the hourly layer, to compare with the minutes
GARCH_DAYS = 30  # the fit's cost grows with its sample; a month is plenty for α and β
MOMENTS_SEED = 16  # where inside each 100-ms step the last price is read: random, but the same every run


def history_statistics(feed: SyntheticFeed, symbol: str, days: int) -> dict[str, float]:
    bars = feed.bars(symbol)
    minutes = bars.minutes.columns()
    closes = np.log(minutes["close"].astype(float))
    opens = np.log(minutes["open"].astype(float))
    returns = np.diff(np.r_[opens[0], closes])[: days * stats.MINUTES_PER_DAY]
    volumes = minutes["volume"][: len(returns)]
    day_sd = stats.daily_minute_sd_bps(returns)
    daily = stats.daily_returns(returns)
    garch = garch_fit(returns[: GARCH_DAYS * stats.MINUTES_PER_DAY])
    deep_hourly = np.diff(np.log(bars.layers[1].columns()["close"].astype(float)))
    recent_hourly = returns[: len(returns) // 60 * 60].reshape(-1, 60).sum(axis=1)
    return {
        "minute_sd_bps": float(returns.std() * stats.BPS),
        "day_sd_p10_bps": float(np.percentile(day_sd, 10)),
        "day_sd_p90_bps": float(np.percentile(day_sd, 90)),
        "days_below_5bps": float((day_sd < 5).mean()),
        "t_nu": student_t_degrees_of_freedom(returns),
        "excess_kurtosis": stats.excess_kurtosis(returns),
        "acf_r_1": stats.autocorrelation(returns, 1),
        "acf_r_5": stats.autocorrelation(returns, 5),
        "acf_abs_1": stats.autocorrelation(np.abs(returns), 1),
        "acf_abs_60": stats.autocorrelation(np.abs(returns), 60),
        "acf_abs_1440": stats.autocorrelation(np.abs(returns), 1440),
        "garch_alpha": garch.alpha,
        "garch_beta": garch.beta,
        "garch_persistence": garch.persistence,
        "hour_ratio": stats.hour_of_day_ratio(returns),
        "volume_abs_r_corr": stats.volume_volatility_correlation(returns, volumes),
        "daily_sd_pct": float(daily.std() * 100),
        "largest_day_pct": float(np.abs(np.expm1(daily)).max() * 100),
        "deep_history_ratio": float(deep_hourly.std() / recent_hourly.std()),
    }


@dataclass
class _Tape:
    spreads: list[int] = field(default_factory=list)
    touch: list[float] = field(default_factory=list)
    depth: list[float] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    prices: list[int] = field(default_factory=list)
    notionals: list[float] = field(default_factory=list)
    closes: dict[int, int] = field(default_factory=dict)  # last print of each 5-second bucket
    last_at_touch: list[bool] = field(default_factory=list)  # at random moments
    prints_at_touch: list[bool] = field(default_factory=list)  # against the book published with them
    process_sds: list[float] = field(default_factory=list)


def live_statistics(feed: SyntheticFeed, symbol: str, minutes: int, start_ms: int) -> dict[str, float]:
    """Run the live market ``minutes`` long (as fast as it computes) and measure it, paper fills included."""
    return asyncio.run(_live(feed, symbol, minutes, start_ms))


async def _live(feed: SyntheticFeed, symbol: str, minutes: int, start_ms: int) -> dict[str, float]:
    from numatix.market.realism.fills import RestingProbe  # the paper engine: a tool may reach across

    stream = feed.stream(symbol)
    simulation, spec = stream.simulation, DEFAULT_SYMBOLS[symbol]
    probe = RestingProbe(spec, FILL_ORDER_NOTIONAL, FILL_PATIENCE_MS)
    tape = _Tape()
    tick = float(spec.tick_size)
    steps = minutes * 60_000 // STEP_MS
    moments = np.random.default_rng(MOMENTS_SEED).integers(1, STEP_MS, steps).tolist()
    shown = _touch(simulation.book)
    for step in range(1, steps + 1):
        now = start_ms + step * STEP_MS
        looked = now - STEP_MS + moments[step - 1]
        early = simulation.advance(looked)
        _note_moment(tape, early[-1].price if early else stream.last_price_ticks, simulation.book)
        prints = early + simulation.advance(now)
        for item in prints:
            trade = stream.trade(item)
            _note_print(tape, item.price, float(trade.price * trade.quantity), item.time_ms)
            probe.on_trade(trade)
        shown = _note_published(tape, prints, shown, simulation.book)
        book = stream.book_if_changed(now)
        if book is not None:
            probe.on_book(book)
        _note_book(tape, simulation.book, step, tick)
        if step % (FILL_EVERY_MS // STEP_MS) == 0:
            await probe.place(now, buy=(step // (FILL_EVERY_MS // STEP_MS)) % 2 == 0)
        await probe.expire(now)
        if step % 600 == 0:
            tape.process_sds.append(simulation.minute_sd)
    return _summarise(tape, probe, tick, minutes)


def _note_print(tape: _Tape, price: int, notional: float, time_ms: int) -> None:
    tape.prices.append(price)
    tape.notionals.append(notional)
    tape.closes[time_ms // SAMPLE_MS] = price


def _touch(book) -> tuple[int, int] | None:
    bid, ask = book.bids.best, book.asks.best
    return None if bid is None or ask is None else (bid, ask)


def _near(price: int, touch: tuple[int, int] | None) -> bool:
    return touch is not None and touch[0] - 1 <= price <= touch[1] + 1


def _note_moment(tape: _Tape, last: int, book) -> None:
    """What a person reading depth and ticker at this moment sees: is the last price at the touch?"""
    touch = _touch(book)
    if touch is not None:
        tape.last_at_touch.append(_near(last, touch))


def _note_published(tape: _Tape, prints, shown: tuple[int, int] | None, book) -> tuple[int, int] | None:
    """A 100-ms update of the tape beside the depth: is each print at the touch shown just before it
    or in the same update (news can move the book between a print and the end of its update)?"""
    touch = _touch(book)
    tape.prints_at_touch.extend(_near(item.price, shown) or _near(item.price, touch) for item in prints)
    return touch


def _note_book(tape: _Tape, book, step: int, tick: float) -> None:
    bid, ask = book.bids.best, book.asks.best
    if bid is None or ask is None:
        return
    tape.spreads.append(ask - bid)
    if step % 10:
        return
    tape.touch.append((book.bids.totals[bid] * bid + book.asks.totals[ask] * ask) / 2)
    reach = int((bid + ask) / 2 * 10 / 1e4)
    tape.depth.append(
        (book.bids.size_within(bid - reach) * bid + book.asks.size_within(ask + reach) * ask) / 2
    )
    tape.levels.append(min(len(book.bids), len(book.asks)))


def _summarise(tape: _Tape, probe, tick: float, minutes: int) -> dict[str, float]:
    unit = tick * float(probe.spec.step_size)  # size (steps) × price (ticks) → quote
    spreads = np.array(tape.spreads)
    steps = np.abs(np.diff(np.array(tape.prices)))
    closes = np.array([tape.closes[key] for key in sorted(tape.closes)], dtype=float)
    per_minute = math.sqrt(60_000 / SAMPLE_MS)
    live_sd = float(np.diff(np.log(closes)).std()) * per_minute if len(closes) > 2 else math.nan
    filled, times = probe.results()
    return {
        "spread_median_ticks": float(np.median(spreads)),
        "spread_one_tick": float((spreads == 1).mean()),
        "same_price": float((steps == 0).mean()),
        "within_one_tick": float((steps <= 1).mean()),
        "last_at_touch": float(np.mean(tape.last_at_touch)),
        "prints_at_touch": float(np.mean(tape.prints_at_touch)),
        "touch_notional": float(np.median(tape.touch)) * unit,
        "depth_10bps_notional": float(np.median(tape.depth)) * unit,
        "levels_per_side": float(np.median(tape.levels)),
        "print_median_notional": float(np.median(tape.notionals)),
        "print_mean_notional": float(np.mean(tape.notionals)),
        "prints_per_second": len(tape.prices) / (minutes * 60),
        "live_sd_ratio": live_sd / float(np.sqrt(np.mean(np.square(tape.process_sds)))),  # RMS of the minutes
        "fill_rate": filled,
        "fill_seconds": float(np.median(times)) / 1000 if times else math.nan,
    }


def measure(symbol: str, seed: int, days: int, minutes: int, now_ms: int) -> dict[str, float]:
    depth = HistoryDepth(minute_days=days, hour_days=DEEP_HOURS_DAYS, day_days=30)
    feed = SyntheticFeed((symbol,), seed=seed, clock=lambda: now_ms, depth=depth)
    live_minute = now_ms - now_ms % 60_000
    measured = history_statistics(feed, symbol, days)
    measured.update(live_statistics(feed, symbol, minutes, live_minute))
    return measured
