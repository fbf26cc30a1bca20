"""Orders, trades, positions and balances: the contract's paths, thin over the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from numatix.api import shapes
from numatix.api.deps import CurrentUser, Services
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.services.portfolio import total_value

router = APIRouter(prefix="/api/trading", tags=["trading"])

MAX_ID = 2**63 - 1  # ids are 64-bit in the database
OrderId = Annotated[int, Path(ge=1, le=MAX_ID, description="The orderId the order was placed with")]
Amount = Annotated[Decimal | None, Field(default=None, ge=0, description="A decimal string, e.g. \"0.001\"")]


class OrderBody(BaseModel):
    symbol: str = Field(max_length=20, examples=["BTCUSDT"])
    side: Literal["BUY", "SELL"]
    type: Literal["MARKET", "LIMIT", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
                  "TAKE_PROFIT_LIMIT"] = Field(examples=["LIMIT"])
    quantity: Amount = None
    price: Amount = None
    stopPrice: Amount = None
    quoteOrderQty: Amount = None
    timeInForce: Literal["GTC", "IOC", "FOK"] | None = None
    clientOrderId: str | None = Field(default=None, pattern=r"^[\.A-Z\:/a-z0-9_-]{1,36}$",
                                      description="Send the same id again to retry safely: you get the same order back.")

    model_config = {"json_schema_extra": {"examples": [
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": "50000",
         "timeInForce": "GTC", "clientOrderId": "my-order-1"},
    ]}}

    def to_request(self) -> OrderRequest:
        return OrderRequest(
            symbol=self.symbol.upper(), side=self.side, order_type=self.type, quantity=self.quantity,
            quote_order_qty=self.quoteOrderQty, price=self.price, stop_price=self.stopPrice,
            time_in_force=self.timeInForce, client_order_id=self.clientOrderId,
        )


@router.post("/orders", status_code=status.HTTP_201_CREATED, summary="Place an order",
             responses={200: {"description": "An order with this clientOrderId already existed: it is returned"}})
async def place_order(body: OrderBody, user: CurrentUser, runtime: Services, response: Response) -> dict:
    placed, created = await runtime.trading.place_order_once(user.id, body.to_request())
    if not created:
        response.status_code = status.HTTP_200_OK
    return shapes.order(placed)


ClientId = Annotated[str | None, Field(default=None, pattern=r"^[\.A-Z\:/a-z0-9_-]{1,36}$")]


class OcoBody(BaseModel):
    symbol: str = Field(max_length=20, examples=["BTCUSDT"])
    side: Literal["BUY", "SELL"]
    quantity: Decimal = Field(gt=0, description="Both legs' quantity, a decimal string")
    price: Decimal = Field(gt=0, description="The LIMIT_MAKER leg's price (take profit on a SELL)")
    stopPrice: Decimal = Field(gt=0, description="The stop leg's trigger price")
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
        return OcoRequest(
            symbol=self.symbol.upper(), side=self.side, quantity=self.quantity, limit_price=self.price,
            stop_price=self.stopPrice, stop_limit_price=self.stopLimitPrice,
            stop_time_in_force=self.stopLimitTimeInForce, list_client_order_id=self.listClientOrderId,
            limit_client_order_id=self.limitClientOrderId, stop_client_order_id=self.stopClientOrderId,
        )


@router.post("/oco", status_code=status.HTTP_201_CREATED, summary="Place a one-cancels-the-other pair",
             responses={200: {"description": "A pair with this limitClientOrderId already existed: it is returned"}})
async def place_oco(body: OcoBody, user: CurrentUser, runtime: Services, response: Response) -> dict:
    (limit_leg, stop_leg), created = await runtime.trading.place_oco_once(user.id, body.to_request())
    if not created:
        response.status_code = status.HTTP_200_OK
    return {"orderListId": limit_leg.order_list_id, "orders": [shapes.order(limit_leg), shapes.order(stop_leg)]}


@router.get("/orders", summary="Your orders, newest first; page with the X-Next-Cursor header")
async def list_orders(
    user: CurrentUser, runtime: Services, response: Response,
    symbol: Annotated[str | None, Query(max_length=20)] = None,
    status_filter: Annotated[Literal["open", "closed", "all"], Query(alias="status")] = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID, description="X-Next-Cursor from the previous page")] = None,
) -> list[dict]:
    is_open = {"open": True, "closed": False, "all": None}[status_filter]
    orders = await runtime.trading.order_history(user.id, symbol.upper() if symbol else None, limit + 1, cursor,
                                                 is_open)
    if len(orders) > limit:
        orders = orders[:limit]
        response.headers["X-Next-Cursor"] = str(orders[-1].venue_order_id)
    return [shapes.order(o) for o in orders]


@router.get("/orders/{orderId}", summary="One of your orders")
async def get_order(orderId: OrderId, user: CurrentUser, runtime: Services) -> dict:
    return shapes.order(await runtime.trading.order_by_id(user.id, orderId))


@router.delete("/orders/{orderId}", summary="Cancel one of your open orders")
async def cancel_order(orderId: OrderId, user: CurrentUser, runtime: Services) -> dict:
    await runtime.trading.cancel_order_by_id(user.id, orderId)
    return {"message": "Order cancelled successfully", "orderId": orderId}


@router.delete("/orders", summary="Cancel all your open orders for a symbol")
async def cancel_all(symbol: Annotated[str, Query(max_length=20)], user: CurrentUser, runtime: Services) -> dict:
    reports = await runtime.trading.cancel_all(user.id, runtime.market.spec(symbol).symbol)
    return {"message": f"{len(reports)} order(s) cancelled", "orderIds": [r.venue_order_id for r in reports]}


@router.get("/trades", summary="Your fills, oldest first")
async def trades(user: CurrentUser, runtime: Services,
                 symbol: Annotated[str | None, Query(max_length=20)] = None) -> list[dict]:
    return [shapes.fill(f) for f in await runtime.trading.fills(user.id, symbol.upper() if symbol else None)]


@router.get("/positions", summary="Positions from your fills, with P&L at the last price")
async def positions(user: CurrentUser, runtime: Services) -> list[dict]:
    return [shapes.position(p) for p in await runtime.portfolio.positions(user.id)]


@router.get("/balance", summary="Your balances, free and locked, valued in USDT")
async def balance(user: CurrentUser, runtime: Services) -> dict:
    balances = await runtime.portfolio.balances(user.id)
    return {"balances": [shapes.balance(b) for b in balances], "canTrade": True,
            "totalValueUsdt": shapes.amount(total_value(balances))}


@router.post("/wallet/reset", summary="Paper venue: cancel open orders and restore the starting wallet")
async def reset_wallet(user: CurrentUser, runtime: Services) -> dict:
    await runtime.portfolio.reset_wallet(user.id)
    return {"message": "Paper wallet reset",
            "ledger": [shapes.ledger_entry(e) for e in await runtime.portfolio.ledger(user.id)]}
