"""The portfolio's tables as CSV: the same columns for the page's download and the API.

Amounts are exact decimal strings, times ISO 8601 UTC, so a spreadsheet or a script reads
exactly what the service computed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from numatix.domain.account_value import DailyPnl, ValuePoint
from numatix.domain.execution_quality import OrderExecution
from numatix.services.performance import Performance


def iso_utc(time_ms: int | None) -> str:
    if time_ms is None or time_ms < 0:
        return ""
    moment = datetime.fromtimestamp(time_ms / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def text(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def value_series_csv(points: Iterable[ValuePoint]) -> str:
    return _csv(["time_utc", "value_usdt", "kind"],
                ([iso_utc(p.time_ms), text(p.value), p.kind.value] for p in points))


def daily_pnl_csv(bars: Iterable[DailyPnl]) -> str:
    return _csv(["day_utc", "pnl_usdt", "end_value_usdt"],
                ([iso_utc(b.day_start_ms)[:10], text(b.pnl), text(b.end_value)] for b in bars))


def performance_csv(performance: Performance) -> str:
    header = ["symbol", "fills", "buys", "sells", "volume_quote", "round_trips", "wins", "losses",
              "win_rate_percent", "round_trip_pnl", "realized_pnl", "unrealized_pnl", "fees_in_quote",
              "net_realized_pnl"]
    rows = []
    for row in [*performance.symbols, performance.total]:
        a = row.activity
        rows.append([row.symbol, text(a.fills), text(a.buys), text(a.sells), text(a.volume_quote),
                     text(len(a.round_trips)), text(a.wins), text(a.losses), text(a.win_rate),
                     text(a.round_trip_pnl), text(row.realized_pnl), text(row.unrealized_pnl),
                     text(row.fees_in_quote), text(row.net_pnl)])
    return _csv(header, rows)


def executions_csv(rows: Iterable[OrderExecution]) -> str:
    header = ["order_id", "symbol", "side", "type", "status", "placed_utc", "arrival_price", "average_price",
              "slippage_bps", "time_to_first_fill_ms", "time_to_fill_ms", "fill_ratio", "maker_share_percent",
              "quote_volume", "fees"]
    return _csv(header, ([
        text(r.venue_order_id), r.symbol, r.side.value, r.order_type.value, r.status.value,
        iso_utc(r.created_ms), text(r.arrival_price), text(r.average_price), text(r.slippage_bps_shown),
        text(r.time_to_first_fill_ms), text(r.time_to_fill_ms), text(r.fill_ratio), text(r.maker_share),
        text(r.quote_volume),
        " ".join(f"{text(amount)} {asset}" for asset, amount in r.fees),
    ] for r in rows))
