"""What the REST API answers, as typed models: the OpenAPI document carries every response's
schema, and schemathesis checks each answer against it.

Amounts are decimal strings (never floats), times ISO 8601 UTC, names in the camelCase of the
original platform's contract. Each model is built from the domain or service object it shows
(``Model.of``), so a route only picks the model.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from numatix.domain.balances import LedgerEntry
from numatix.domain.market import Candle
from numatix.domain.orders import Fill, Order
from numatix.domain.symbols import SymbolSpec
from numatix.domain.values import NUMBER_RULE, plain_decimal, without_trailing_zeros
from numatix.services.accounts import SignedIn, UserView
from numatix.services.alerts import AlertView
from numatix.services.portfolio import BalanceView, PositionView
from numatix.services.sessions import SessionView

DecimalText = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", examples=["0.001"],
                                   description="An exact decimal, as a string")]


def _plain_amount(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return plain_decimal(value)
    except ValueError:
        raise PydanticCustomError("decimal_text", f"must be {NUMBER_RULE}") from None


# What the API accepts as an amount: a decimal string (or a JSON number) within Binance's 20 + 20 digits.
AmountIn = Annotated[Decimal, BeforeValidator(_plain_amount),
                     Field(description="A decimal string, e.g. \"0.001\": at most 20 digits before and after "
                                       "the point")]
IsoTime = Annotated[str, Field(examples=["2025-12-23T10:00:00.000Z"], description="ISO 8601, UTC")]


def amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def recorded(value: Decimal | None) -> str | None:
    """An order's or a fill's number without trailing zeros: it reads the same ("0.001")
    whether it came from the engine's memory (rounded to a step: 0.00100) or from the
    database (normalised)."""
    if value is None:
        return None
    return format(without_trailing_zeros(value) if value else Decimal(0), "f")


def iso_time(time_ms: int | None) -> str | None:
    if time_ms is None or time_ms < 0:
        return None
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


class UserOut(BaseModel):
    id: int
    email: str
    venue: str = Field(description="Where orders go: paper or binance-testnet")

    @classmethod
    def of(cls, user: UserView) -> UserOut:
        return cls(id=user.id, email=user.email, venue=user.venue.value)


class SignedInOut(BaseModel):
    token: str = Field(description="Send as Authorization: Bearer <token>")
    user: UserOut

    @classmethod
    def of(cls, signed_in: SignedIn) -> SignedInOut:
        return cls(token=signed_in.token, user=UserOut.of(signed_in.user))


class SessionOut(BaseModel):
    id: str
    device: str = Field(examples=["Chrome on Linux", "Python script"])
    address: str = Field(description="Where it was opened from")
    current: bool = Field(description="The session this request came with")
    createdAt: IsoTime | None
    lastSeenAt: IsoTime | None = Field(description="Last use, to within half a minute")
    expiresAt: IsoTime | None

    @classmethod
    def of(cls, view: SessionView, current_id: str) -> SessionOut:
        return cls(id=view.id, device=view.device, address=view.address, current=view.id == current_id,
                   createdAt=iso_time(view.created_ms), lastSeenAt=iso_time(view.last_seen_ms),
                   expiresAt=iso_time(view.expires_ms))


class SessionEndedOut(BaseModel):
    message: str = Field(examples=["Session ended"])
    sessionId: str


class OrderOut(BaseModel):
    orderId: int
    clientOrderId: str
    symbol: str
    side: str
    type: str
    timeInForce: str
    quantity: DecimalText | None
    price: DecimalText | None
    stopPrice: DecimalText | None
    quoteOrderQty: DecimalText | None
    status: str = Field(examples=["NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"])
    executedQty: DecimalText
    cummulativeQuoteQty: DecimalText
    averagePrice: DecimalText | None
    orderListId: int = Field(description="-1, or the one-cancels-the-other pair the order belongs to")
    createdAt: IsoTime | None
    updatedAt: IsoTime | None

    @classmethod
    def of(cls, o: Order) -> OrderOut:
        return cls(
            orderId=o.venue_order_id, clientOrderId=o.client_order_id, symbol=o.symbol, side=o.side.value,
            type=o.order_type.value, timeInForce=o.time_in_force.value, quantity=recorded(o.quantity),
            price=recorded(o.price), stopPrice=recorded(o.stop_price),
            quoteOrderQty=recorded(o.quote_order_qty),
            status=o.status.value, executedQty=recorded(o.executed_quantity) or "0",
            cummulativeQuoteQty=recorded(o.cumulative_quote) or "0", averagePrice=recorded(o.average_price),
            orderListId=o.order_list_id, createdAt=iso_time(o.created_time_ms),
            updatedAt=iso_time(o.update_time_ms),
        )


class OrderListOut(BaseModel):
    orderListId: int
    orders: list[OrderOut] = Field(description="The limit leg, then the stop leg")


class CancelOut(BaseModel):
    message: str = Field(examples=["Cancel request submitted"])
    orderId: int


class CancelAllOut(BaseModel):
    message: str
    orderIds: list[int]


class FillOut(BaseModel):
    tradeId: int
    orderId: int
    clientOrderId: str
    symbol: str
    side: str
    price: DecimalText
    quantity: DecimalText
    quoteQuantity: DecimalText
    commission: DecimalText
    commissionAsset: str
    isMaker: bool
    time: IsoTime | None

    @classmethod
    def of(cls, f: Fill) -> FillOut:
        return cls(
            tradeId=f.trade_id, orderId=f.venue_order_id, clientOrderId=f.client_order_id, symbol=f.symbol,
            side=f.side.value, price=format(f.price, "f"), quantity=format(f.quantity, "f"),
            quoteQuantity=format(f.quote_quantity, "f"), commission=format(f.commission, "f"),
            commissionAsset=f.commission_asset, isMaker=f.is_maker, time=iso_time(f.time_ms),
        )


class PositionOut(BaseModel):
    symbol: str
    side: str = Field(examples=["BUY"], description="BUY while held, SELL once sold back to flat")
    direction: str = Field(examples=["LONG", "FLAT"])
    quantity: DecimalText
    entryPrice: DecimalText
    currentPrice: DecimalText | None
    pnl: DecimalText | None = Field(description="Unrealized, at the current price")
    pnlPercent: DecimalText | None
    unrealizedPnl: DecimalText | None
    realizedPnl: DecimalText
    feesInQuote: DecimalText

    @classmethod
    def of(cls, p: PositionView) -> PositionOut:
        percent = p.unrealized_pnl_percent
        return cls(
            symbol=p.symbol, side=p.side, direction=p.direction, quantity=format(p.quantity, "f"),
            entryPrice=format(p.average_entry_price, "f"), currentPrice=amount(p.last_price),
            pnl=amount(p.unrealized_pnl),
            pnlPercent=amount(percent.quantize(Decimal("0.01"))) if percent is not None else None,
            unrealizedPnl=amount(p.unrealized_pnl), realizedPnl=format(p.realized_pnl, "f"),
            feesInQuote=format(p.fees_in_quote, "f"),
        )


class BalanceOut(BaseModel):
    asset: str
    free: DecimalText
    locked: DecimalText
    total: DecimalText
    valueUsdt: DecimalText | None

    @classmethod
    def of(cls, b: BalanceView) -> BalanceOut:
        return cls(asset=b.asset, free=format(b.free, "f"), locked=format(b.locked, "f"),
                   total=format(b.total, "f"), valueUsdt=amount(b.value_usdt))


class AccountBalanceOut(BaseModel):
    balances: list[BalanceOut]
    canTrade: bool
    totalValueUsdt: DecimalText


class LedgerEntryOut(BaseModel):
    time: IsoTime | None
    kind: str
    before: dict[str, DecimalText]
    after: dict[str, DecimalText]

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryOut:
        return cls(time=iso_time(entry.time_ms), kind=entry.kind,
                   before={k: format(v, "f") for k, v in entry.balances_before.items()},
                   after={k: format(v, "f") for k, v in entry.balances_after.items()})


class WalletResetOut(BaseModel):
    message: str
    ledger: list[LedgerEntryOut]


class AlertOut(BaseModel):
    id: int
    symbol: str
    direction: str = Field(examples=["above", "below"])
    price: DecimalText
    active: bool
    createdAt: IsoTime | None
    triggeredAt: IsoTime | None
    triggeredPrice: DecimalText | None

    @classmethod
    def of(cls, a: AlertView) -> AlertOut:
        return cls(id=a.id, symbol=a.symbol, direction=a.direction, price=format(a.price, "f"),
                   active=a.active, createdAt=iso_time(a.created_time_ms),
                   triggeredAt=iso_time(a.triggered_time_ms), triggeredPrice=amount(a.triggered_price))


class SymbolOut(BaseModel):
    symbol: str
    baseAsset: str
    quoteAsset: str
    tickSize: DecimalText
    stepSize: DecimalText
    minNotional: DecimalText

    @classmethod
    def of(cls, spec: SymbolSpec) -> SymbolOut:
        return cls(symbol=spec.symbol, baseAsset=spec.base_asset, quoteAsset=spec.quote_asset,
                   tickSize=format(spec.tick_size, "f"), stepSize=format(spec.step_size, "f"),
                   minNotional=format(spec.min_notional, "f"))


class KlineOut(BaseModel):
    openTime: int
    open: DecimalText
    high: DecimalText
    low: DecimalText
    close: DecimalText
    volume: DecimalText
    closeTime: int
    quoteVolume: DecimalText
    trades: int
    closed: bool = Field(description="False for the candle still forming")

    @classmethod
    def of(cls, c: Candle) -> KlineOut:
        return cls(openTime=c.open_time_ms, open=format(c.open, "f"), high=format(c.high, "f"),
                   low=format(c.low, "f"), close=format(c.close, "f"), volume=format(c.volume, "f"),
                   closeTime=c.close_time_ms, quoteVolume=format(c.quote_volume, "f"), trades=c.trade_count,
                   closed=c.closed)


class TickerOut(BaseModel):
    symbol: str
    lastPrice: DecimalText | None
    priceChange: DecimalText | None
    priceChangePercent: DecimalText | None
    highPrice: DecimalText | None
    lowPrice: DecimalText | None
    volume: DecimalText | None
    quoteVolume: DecimalText | None
    time: int | None


class DepthOut(BaseModel):
    symbol: str
    lastUpdateId: int
    bids: list[tuple[DecimalText, DecimalText]] = Field(description="[price, quantity], best first")
    asks: list[tuple[DecimalText, DecimalText]]


class FeedHealth(BaseModel):
    kind: str
    status: str


class VenueHealth(BaseModel):
    kind: str
    status: str


class BinanceHealth(BaseModel):
    rest_url: str
    streams: int


class HealthOut(BaseModel):
    status: str = Field(examples=["ok", "degraded", "starting"])
    database: str | None = None
    feed: FeedHealth | None = None
    venue: VenueHealth | None = None
    binance: BinanceHealth | None = None
    cluster: dict[str, object] | None = Field(default=None, description="With several workers")
