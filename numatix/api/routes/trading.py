"""Orders, trades, positions and balances: the contract's paths, thin over the services."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from numatix.api import models
from numatix.api.deps import CurrentUser, Services
from numatix.api.models import (
    AccountBalanceOut,
    AmountIn,
    BalanceOut,
    CancelAllOut,
    CancelOut,
    FillOut,
    LedgerEntryOut,
    OrderListOut,
    OrderOut,
    PositionOut,
    WalletResetOut,
)
from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.errors import OrderRejected
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.services.order_entry import OrderPreview
from numatix.services.portfolio import total_value

router = APIRouter(prefix="/api/trading", tags=["trading"])

MAX_ID = 2**63 - 1  # ids are 64-bit in the database
OrderId = Annotated[int, Path(ge=1, le=MAX_ID, description="The orderId the order was placed with")]
Amount = Annotated[AmountIn | None, Field(default=None, ge=0)]


# The original platform's names: its STOP_MARKET (a futures type) is Spot's STOP_LOSS, a market
# order once the stop price trades; its LIMIT orders carry no timeInForce and rest until canceled.
ORIGINAL_TYPE_NAMES = {"STOP_MARKET": OrderType.STOP_LOSS}
TIME_IN_FORCE_DEFAULT = TimeInForce.GTC


class OrderBody(BaseModel):
    symbol: str = Field(max_length=20, examples=["BTCUSDT"])
    side: Literal["BUY", "SELL"]
    type: Literal["MARKET", "LIMIT", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
                  "TAKE_PROFIT_LIMIT", "STOP_MARKET"] = Field(
        examples=["LIMIT"],
        description="Binance Spot's order types; STOP_MARKET (the original platform's name) is taken "
                    "as STOP_LOSS: a market order once the last price reaches stopPrice.")
    quantity: Amount = None
    price: Amount = None
    stopPrice: Amount = None
    quoteOrderQty: Amount = None
    timeInForce: Literal["GTC", "IOC", "FOK"] | None = Field(
        default=None, description="For LIMIT, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT; GTC when left out.")
    clientOrderId: str | None = Field(
        default=None, pattern=r"^[\.A-Z\:/a-z0-9_-]{1,36}$",
        description="Send the same id again to retry safely: you get the same order back.")

    model_config = {"json_schema_extra": {"examples": [
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": "50000",
         "timeInForce": "GTC", "clientOrderId": "my-order-1"},
    ]}}

    def to_request(self) -> OrderRequest:
        order_type = ORIGINAL_TYPE_NAMES.get(self.type) or OrderType(self.type)
        time_in_force = TimeInForce(self.timeInForce) if self.timeInForce else None
        if time_in_force is None and order_type.has_limit_price and order_type is not OrderType.LIMIT_MAKER:
            time_in_force = TIME_IN_FORCE_DEFAULT
        return OrderRequest(
            symbol=self.symbol.upper(), side=Side(self.side), order_type=order_type, quantity=self.quantity,
            quote_order_qty=self.quoteOrderQty, price=self.price, stop_price=self.stopPrice,
            time_in_force=time_in_force, client_order_id=self.clientOrderId,
        )


@router.post("/orders", status_code=status.HTTP_201_CREATED, summary="Place an order",
             responses={200: {"model": OrderOut, "description": "An order with this clientOrderId "
                                                                 "already existed: it is returned"}})
async def place_order(body: OrderBody, user: CurrentUser, runtime: Services, response: Response) -> OrderOut:
    placed, created = await runtime.trading.place_order_once(user.id, body.to_request())
    if not created:
        response.status_code = status.HTTP_200_OK
    return OrderOut.of(placed)


class OrderPreviewOut(BaseModel):
    """What the order form shows before placing: the venue's checks, the estimate, the funds."""

    ok: bool = Field(description="True when the order passes every check the venue would apply")
    code: int | None = Field(default=None,
                             description="The venue's (Binance's) error code when it would be refused")
    msg: str | None = Field(default=None, description="The venue's own words for the refusal")
    message: str | None = Field(default=None,
                                description="The refusal in a trader's words, naming the number "
                                                  "(e.g. \"Minimum order is 5 USDT\")")
    estimatedPrice: str | None = Field(default=None,
                                       description="Average price: a walk of the visible book for "
                                                         "market orders and for what a limit order priced "
                                                         "through the book takes at once, else the "
                                                         "order's own price")
    quantity: str | None = Field(default=None)
    total: str | None = Field(default=None, description="Quote spent (buy) or received (sell)")
    fee: str | None = Field(default=None, description="Taker fee estimate, in the asset received")
    feeAsset: str | None = Field(default=None)
    lockAsset: str | None = Field(default=None, description="What placing the order locks")
    lockAmount: str | None = Field(default=None)
    available: str | None = Field(default=None, description="Your free balance of lockAsset")
    lastPrice: str | None = Field(default=None)
    bookTooThin: bool = Field(default=False, description="The visible book is thinner than this market order")
    farFromMarket: bool = Field(default=False,
                                description="The limit price is more than 10 % from the last price")
    warning: str | None = Field(default=None, description="What the form asks the trader to confirm")


def _preview_out(preview: OrderPreview) -> OrderPreviewOut:
    amount = models.amount
    funds = preview.funds
    return OrderPreviewOut(
        ok=not preview.error, code=preview.error_code, msg=preview.error or None,
        message=preview.message or None, estimatedPrice=amount(preview.average_price),
        quantity=amount(preview.quantity), total=amount(preview.cost), fee=amount(preview.fee),
        feeAsset=preview.fee_asset or None, lockAsset=funds.asset if funds else None,
        lockAmount=amount(funds.amount) if funds else None, available=amount(preview.available),
        lastPrice=amount(preview.market_price), bookTooThin=preview.book_too_thin,
        farFromMarket=preview.far_from_market, warning=preview.warning or None,
    )


async def _preview(runtime, user_id: int, build) -> OrderPreviewOut:
    try:
        request = build()
    except OrderRejected as refused:  # a malformed number or name: the same answer placing would give
        return OrderPreviewOut(ok=False, code=refused.code, msg=refused.message, message=refused.words)
    return _preview_out(await runtime.order_entry.preview_for(user_id, request))


@router.post("/orders/preview", response_model=OrderPreviewOut,
             summary="Check an order and estimate it; nothing is placed",
             description="The same checks, estimate and fee the order form shows, against your venue's "
                         "market and your free balances. A refusal answers 200 with ok=false, the venue's "
                         "code and words (code, msg) and the trader's words (message).")
async def preview_order(body: OrderBody, user: CurrentUser, runtime: Services) -> OrderPreviewOut:
    return await _preview(runtime, user.id, body.to_request)


ClientId = Annotated[str | None, Field(default=None, pattern=r"^[\.A-Z\:/a-z0-9_-]{1,36}$")]


class OcoBody(BaseModel):
    symbol: str = Field(max_length=20, examples=["BTCUSDT"])
    side: Literal["BUY", "SELL"]
    quantity: AmountIn = Field(gt=0, description="Both legs' quantity, a decimal string")
    price: AmountIn = Field(gt=0, description="The LIMIT_MAKER leg's price (take profit on a SELL)")
    stopPrice: AmountIn = Field(gt=0, description="The stop leg's trigger price")
    stopLimitPrice: Amount = None
    stopLimitTimeInForce: Literal["GTC", "IOC", "FOK"] | None = None
    listClientOrderId: ClientId = None
    limitClientOrderId: str | None = Field(
        default=None, pattern=r"^[\.A-Z\:/a-z0-9_-]{1,36}$",
        description="Send the same id again to retry safely: you get the same pair back.")
    stopClientOrderId: ClientId = None

    model_config = {"json_schema_extra": {"examples": [
        {"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.001", "price": "72000", "stopPrice": "60000",
         "stopLimitPrice": "59900", "stopLimitTimeInForce": "GTC", "limitClientOrderId": "protect-1"},
    ]}}

    def to_request(self) -> OcoRequest:
        stop_time_in_force = TimeInForce(self.stopLimitTimeInForce) if self.stopLimitTimeInForce else None
        return OcoRequest(
            symbol=self.symbol.upper(), side=Side(self.side), quantity=self.quantity, limit_price=self.price,
            stop_price=self.stopPrice, stop_limit_price=self.stopLimitPrice,
            stop_time_in_force=stop_time_in_force, list_client_order_id=self.listClientOrderId,
            limit_client_order_id=self.limitClientOrderId, stop_client_order_id=self.stopClientOrderId,
        )


@router.post("/oco", status_code=status.HTTP_201_CREATED, summary="Place a one-cancels-the-other pair",
             responses={200: {"model": OrderListOut, "description": "A pair with this limitClientOrderId "
                                                                     "already existed: it is returned"}})
async def place_oco(body: OcoBody, user: CurrentUser, runtime: Services,
                    response: Response) -> OrderListOut:
    (limit_leg, stop_leg), created = await runtime.trading.place_oco_once(user.id, body.to_request())
    if not created:
        response.status_code = status.HTTP_200_OK
    return OrderListOut(orderListId=limit_leg.order_list_id,
                        orders=[OrderOut.of(limit_leg), OrderOut.of(stop_leg)])


@router.post("/oco/preview", response_model=OrderPreviewOut, summary="Check a one-cancels-the-other pair; "
             "nothing is placed")
async def preview_oco(body: OcoBody, user: CurrentUser, runtime: Services) -> OrderPreviewOut:
    return await _preview(runtime, user.id, body.to_request)


@router.get("/orders", summary="Your orders, newest first; page with the X-Next-Cursor header")
async def list_orders(
    user: CurrentUser, runtime: Services, response: Response,
    symbol: Annotated[str | None, Query(max_length=20)] = None,
    status_filter: Annotated[Literal["open", "closed", "all"], Query(alias="status")] = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                        description="X-Next-Cursor from the previous page")] = None,
) -> list[OrderOut]:
    is_open = {"open": True, "closed": False, "all": None}[status_filter]
    orders = await runtime.trading.order_history(user.id, symbol.upper() if symbol else None, limit + 1,
                                                 cursor,
                                                 is_open)
    if len(orders) > limit:
        orders = orders[:limit]
        response.headers["X-Next-Cursor"] = str(orders[-1].venue_order_id)
    return [OrderOut.of(o) for o in orders]


@router.get("/orders/{orderId}", summary="One of your orders")
async def get_order(orderId: OrderId, user: CurrentUser, runtime: Services) -> OrderOut:
    return OrderOut.of(await runtime.trading.order_by_id(user.id, orderId))


@router.delete("/orders/{orderId}", summary="Cancel one of your open orders")
async def cancel_order(orderId: OrderId, user: CurrentUser, runtime: Services) -> CancelOut:
    await runtime.trading.cancel_order_by_id(user.id, orderId)
    return CancelOut(message="Cancel request submitted", orderId=orderId)


@router.delete("/orders", summary="Cancel all your open orders for a symbol")
async def cancel_all(symbol: Annotated[str, Query(max_length=20)], user: CurrentUser,
                     runtime: Services) -> CancelAllOut:
    reports = await runtime.trading.cancel_all(user.id, runtime.market.spec(symbol).symbol)
    return CancelAllOut(message=f"{len(reports)} order(s) cancelled",
                        orderIds=[r.venue_order_id for r in reports])


@router.get("/trades", summary="Your fills, oldest first")
async def trades(user: CurrentUser, runtime: Services,
                 symbol: Annotated[str | None, Query(max_length=20)] = None) -> list[FillOut]:
    return [FillOut.of(f) for f in await runtime.trading.fills(user.id, symbol.upper() if symbol else None)]


@router.get("/positions", summary="Positions from your fills, with P&L at the last price")
async def positions(user: CurrentUser, runtime: Services) -> list[PositionOut]:
    return [PositionOut.of(p) for p in await runtime.portfolio.positions(user.id)]


@router.get("/balance", summary="Your balances, free and locked, valued in USDT")
async def balance(user: CurrentUser, runtime: Services) -> AccountBalanceOut:
    balances = await runtime.portfolio.balances(user.id)
    return AccountBalanceOut(balances=[BalanceOut.of(b) for b in balances], canTrade=True,
                             totalValueUsdt=format(total_value(balances), "f"))


@router.post("/wallet/reset", summary="Paper venue: cancel open orders and restore the starting wallet")
async def reset_wallet(user: CurrentUser, runtime: Services) -> WalletResetOut:
    await runtime.portfolio.reset_wallet(user.id)
    return WalletResetOut(message="Paper wallet reset",
                          ledger=[LedgerEntryOut.of(e) for e in await runtime.portfolio.ledger(user.id)])
