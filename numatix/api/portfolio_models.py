"""What the portfolio and order-details routes answer: the account-value curve, daily P&L,
per-symbol performance, execution quality and one order's details (``api/models.py``'s style:
decimal strings, ISO times, each model built from the service's object with ``of``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from numatix.api.models import DecimalText, FillOut, IsoTime, OrderOut, amount, iso_time
from numatix.domain.account_value import DailyPnl, ValuePoint
from numatix.domain.execution_quality import ExecutionSummary, OrderExecution
from numatix.domain.performance import RoundTrip
from numatix.domain.timeline import TimelineEntry
from numatix.services.performance import OrderDetails, Performance, SymbolPerformance


class ValuePointOut(BaseModel):
    time: IsoTime | None
    value: DecimalText = Field(description="The whole wallet in USDT (assets without a USDT price left out)")
    kind: str = Field(examples=["fill", "sample", "reset", "live"],
                      description="After a fill, a regular sample, right after a wallet reset, or now")

    @classmethod
    def of(cls, point: ValuePoint) -> ValuePointOut:
        return cls(time=iso_time(point.time_ms), value=format(point.value, "f"), kind=point.kind.value)


class ValueSeriesOut(BaseModel):
    currency: str = Field(examples=["USDT"])
    sampleSeconds: int = Field(description="How often a point is sampled besides the one after each fill")
    points: list[ValuePointOut] = Field(description="Oldest first")


class DailyPnlOut(BaseModel):
    day: str = Field(examples=["2025-12-23"], description="The UTC day")
    pnl: DecimalText = Field(description="Change of the account value that day, wallet resets left out")
    endValue: DecimalText

    @classmethod
    def of(cls, bar: DailyPnl) -> DailyPnlOut:
        return cls(day=(iso_time(bar.day_start_ms) or "")[:10], pnl=format(bar.pnl, "f"),
                   endValue=format(bar.end_value, "f"))


class DailyPnlListOut(BaseModel):
    currency: str = Field(examples=["USDT"])
    days: list[DailyPnlOut] = Field(description="Oldest first; a day without any point has no entry")


class RoundTripOut(BaseModel):
    symbol: str
    openedAt: IsoTime | None
    closedAt: IsoTime | None
    realizedPnl: DecimalText = Field(description="Against the average entry, fees aside")
    fees: DecimalText = Field(description="Fees paid in the base or quote asset, in the quote asset")
    netPnl: DecimalText
    won: bool

    @classmethod
    def of(cls, trip: RoundTrip) -> RoundTripOut:
        return cls(symbol=trip.symbol, openedAt=iso_time(trip.opened_ms), closedAt=iso_time(trip.closed_ms),
                   realizedPnl=format(trip.realized_pnl, "f"), fees=format(trip.fees_in_quote, "f"),
                   netPnl=format(trip.net_pnl, "f"), won=trip.won)


class SymbolPerformanceOut(BaseModel):
    symbol: str = Field(examples=["BTCUSDT", "ALL"])
    fills: int
    buys: int
    sells: int
    volumeQuote: DecimalText
    roundTrips: int = Field(description="Closed: bought from flat, sold back to flat")
    wins: int
    losses: int
    winRate: DecimalText | None = Field(
        description="Percent of closed round trips that made money after fees")
    roundTripPnl: DecimalText = Field(description="What the closed round trips made after fees")
    realizedPnl: DecimalText = Field(description="As the positions show it: fees aside")
    unrealizedPnl: DecimalText | None
    feesInQuote: DecimalText
    netRealizedPnl: DecimalText = Field(description="Realized P&L after fees")

    @classmethod
    def of(cls, row: SymbolPerformance) -> SymbolPerformanceOut:
        a = row.activity
        return cls(symbol=row.symbol, fills=a.fills, buys=a.buys, sells=a.sells,
                   volumeQuote=format(a.volume_quote, "f"), roundTrips=len(a.round_trips), wins=a.wins,
                   losses=a.losses, winRate=amount(a.win_rate), roundTripPnl=format(a.round_trip_pnl, "f"),
                   realizedPnl=format(row.realized_pnl, "f"), unrealizedPnl=amount(row.unrealized_pnl),
                   feesInQuote=format(row.fees_in_quote, "f"), netRealizedPnl=format(row.net_pnl, "f"))


class PerformanceOut(BaseModel):
    symbols: list[SymbolPerformanceOut]
    total: SymbolPerformanceOut
    roundTrips: list[RoundTripOut] = Field(description="Every closed round trip, by closing time")

    @classmethod
    def of(cls, performance: Performance) -> PerformanceOut:
        return cls(symbols=[SymbolPerformanceOut.of(row) for row in performance.symbols],
                   total=SymbolPerformanceOut.of(performance.total),
                   roundTrips=[RoundTripOut.of(trip) for trip in performance.total.activity.round_trips])


class FeeOut(BaseModel):
    asset: str
    amount: DecimalText


def fees_out(fees: tuple[tuple[str, Decimal], ...]) -> list[FeeOut]:
    return [FeeOut(asset=asset, amount=format(value, "f")) for asset, value in fees]


class OrderExecutionOut(BaseModel):
    orderId: int
    symbol: str
    side: str
    type: str
    status: str
    placedAt: IsoTime | None
    arrivalPrice: DecimalText | None = Field(
        description="Best opposite quote when the order reached the book (paper venue)")
    averagePrice: DecimalText | None
    slippageBps: DecimalText | None = Field(description="Against the arrival price; positive is worse")
    timeToFirstFillMs: int | None
    timeToFillMs: int | None = Field(description="To the last fill, for a FILLED order")
    fillRatio: DecimalText = Field(description="Executed / ordered, 0 to 1")
    makerSharePercent: DecimalText | None = Field(description="Of the traded value, the part that rested")
    quoteVolume: DecimalText
    fills: int
    fees: list[FeeOut]

    @classmethod
    def of(cls, r: OrderExecution) -> OrderExecutionOut:
        return cls(orderId=r.venue_order_id, symbol=r.symbol, side=r.side.value, type=r.order_type.value,
                   status=r.status.value, placedAt=iso_time(r.created_ms),
                   arrivalPrice=amount(r.arrival_price),
                   averagePrice=amount(r.average_price), slippageBps=amount(r.slippage_bps_shown),
                   timeToFirstFillMs=r.time_to_first_fill_ms, timeToFillMs=r.time_to_fill_ms,
                   fillRatio=format(r.fill_ratio, "f"), makerSharePercent=amount(r.maker_share),
                   quoteVolume=format(r.quote_volume, "f"), fills=r.fills, fees=fees_out(r.fees))


class ExecutionSummaryOut(BaseModel):
    orders: int = Field(description="Orders with at least one fill")
    fills: int
    quoteVolume: DecimalText
    averageSlippageBps: DecimalText | None = Field(description="Weighted by traded value")
    medianTimeToFillMs: int | None
    makerSharePercent: DecimalText | None = Field(description="Of the traded value")
    averageFillRatioPercent: DecimalText | None

    @classmethod
    def of(cls, s: ExecutionSummary) -> ExecutionSummaryOut:
        return cls(orders=s.orders, fills=s.fills, quoteVolume=format(s.quote_volume, "f"),
                   averageSlippageBps=amount(s.average_slippage_bps),
                   medianTimeToFillMs=s.median_time_to_fill_ms, makerSharePercent=amount(s.maker_share),
                   averageFillRatioPercent=amount(s.average_fill_ratio))


class ExecutionsOut(BaseModel):
    summary: ExecutionSummaryOut
    orders: list[OrderExecutionOut] = Field(description="Newest first")


class TimelineEntryOut(BaseModel):
    step: str = Field(examples=["PLACED", "TRIGGERED", "FILL", "FILLED", "CANCELED", "EXPIRED", "REJECTED"])
    time: IsoTime | None
    status: str = Field(description="The order's status right after this step")
    executedQty: DecimalText
    fill: FillOut | None = Field(description="For a FILL step")
    reason: str | None = Field(description="Why it expired, when it did")

    @classmethod
    def of(cls, entry: TimelineEntry) -> TimelineEntryOut:
        return cls(step=entry.step.value, time=iso_time(entry.time_ms), status=entry.status.value,
                   executedQty=format(entry.executed_quantity, "f"),
                   fill=FillOut.of(entry.fill) if entry.fill else None,
                   reason=entry.reason.value if entry.reason else None)


class OrderDetailsOut(BaseModel):
    order: OrderOut
    fills: list[FillOut] = Field(description="Oldest first")
    fees: list[FeeOut]
    timeline: list[TimelineEntryOut]
    execution: OrderExecutionOut

    @classmethod
    def of(cls, d: OrderDetails) -> OrderDetailsOut:
        return cls(order=OrderOut.of(d.order), fills=[FillOut.of(f) for f in d.fills], fees=fees_out(d.fees),
                   timeline=[TimelineEntryOut.of(e) for e in d.timeline],
                   execution=OrderExecutionOut.of(d.execution))
