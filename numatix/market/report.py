"""``python -m numatix.market.report``: the synthetic market beside Binance, statistic by statistic.

    python -m numatix.market.report [--seed 7] [--days 60] [--minutes 30] [--symbol BTCUSDT]
                                    [--start 2026-12-01T00:00:00Z]

Builds the market ``make run`` builds (same seed), measures its history over ``--days`` days
of minutes and its live book and tape over ``--minutes`` minutes (with paper orders resting
at the touch), and prints each statistic beside Binance's reference range and whether it is
inside. The exit status is 1 if any statistic is outside. ``--start`` fixes the moment the
market starts (history ends there), so a report can be reproduced exactly.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.market.realism.measure import measure
from numatix.market.realism.reference import REFERENCES, Reference
from numatix.market.synthetic.profiles import PROFILES

DEFAULT_START = "2026-12-01T00:00:00Z"


@dataclass(frozen=True, slots=True)
class Row:
    reference: Reference
    value: float

    @property
    def inside(self) -> bool:
        return self.reference.holds(self.value)


def run(
    seed: int = 7, days: int = 60, minutes: int = 30, symbol: str = "BTCUSDT", start: str = DEFAULT_START
) -> list[Row]:
    measured = measure(symbol, seed, days, minutes, parse_start(start))
    return [Row(reference, measured.get(reference.key, math.nan)) for reference in REFERENCES]


def parse_start(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def format_rows(rows: list[Row]) -> str:
    width = max(len(row.reference.label) for row in rows)
    lines = [f"{'statistic':<{width}}  {'value':>14}  {'Binance':>24}  inside  source"]
    for row in rows:
        reference = row.reference
        value = "n/a" if math.isnan(row.value) else f"{row.value:,.{reference.digits + 1}f}"
        lines.append(
            f"{reference.label:<{width}}  {value:>14}  {reference.describe():>24}  "
            f"{'yes' if row.inside else 'NO':<6}  {reference.source}"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(
        prog="python -m numatix.market.report", description=(__doc__ or "").split("\n")[0]
    )
    arguments.add_argument("--seed", type=int, default=7, help="the market's seed (make run's default is 7)")
    arguments.add_argument("--days", type=int, default=60, help="days of one-minute history to measure (≥ 2)")
    arguments.add_argument("--minutes", type=int, default=30, help="minutes of live market to run (≥ 2)")
    arguments.add_argument("--symbol", default="BTCUSDT", choices=sorted(DEFAULT_SYMBOLS))
    arguments.add_argument("--start", default=DEFAULT_START, help="when the market starts (ISO 8601, UTC)")
    return arguments


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    if options.days < 2 or options.minutes < 2:
        print("--days and --minutes must be at least 2", file=sys.stderr)
        return 2
    began = time.monotonic()
    rows = run(options.seed, options.days, options.minutes, options.symbol, options.start)
    outside = [row for row in rows if not row.inside]
    print(
        f"Synthetic {options.symbol}, seed {options.seed}, from {options.start}: {options.days} days of "
        f"minutes, {options.minutes} live minutes ({time.monotonic() - began:.1f} s)\n"
    )
    if options.symbol != "BTCUSDT":
        print(f"Ranges are Binance's BTCUSDT's: {options.symbol} is meant to move "
              f"{PROFILES[options.symbol].volatility_scale:g}× as much as BTC and to trade a thinner book, "
              "so its volatility and sizes may fall outside them.\n")
    print(format_rows(rows))
    print(
        f"\n{len(rows) - len(outside)} of {len(rows)} statistics inside Binance's range"
        + (f"; outside: {', '.join(row.reference.key for row in outside)}" if outside else ".")
    )
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
