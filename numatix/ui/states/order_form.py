"""The order form: what the user types, checked with the venue's own words as they type.

No trading rule lives here: the preview and the placement are the services' (the same
ones the API uses); this state only turns text fields into an ``OrderRequest`` and the
answers into words.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import reflex as rx

from numatix.domain.enums import OrderType
from numatix.domain.errors import OrderRejected, VenueError
from numatix.domain.requests import OcoRequest, OrderRequest
from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.ui.format import fixed
from numatix.ui.states.account import AccountState
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import SessionState

ORDER_TYPES = ["LIMIT", "MARKET", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT",
               "OCO"]
NEEDS_PRICE = {"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT", "OCO"}
NEEDS_STOP = {"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "OCO"}
NEEDS_TIME_IN_FORCE = {"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"}
TYPED_FIELDS = ("quantity", "quote_amount", "price", "stop_price", "stop_limit_price")


def _amount(text: str) -> Decimal | None:
    text = (text or "").replace(",", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return Decimal(-1)  # the request refuses it with Binance's "illegal characters" words
    return value


class OrderFormState(rx.State):
    side: str = "BUY"
    order_type: str = "LIMIT"
    time_in_force: str = "GTC"
    market_by: str = "quantity"  # MARKET orders: by base quantity, or by quote amount
    quantity: str = ""
    quote_amount: str = ""
    price: str = ""
    stop_price: str = ""
    stop_limit_price: str = ""  # OCO: the stop leg's limit (empty = STOP_LOSS)
    percent: int = 0
    check: str = ""  # the venue's words for what is wrong, as the user types
    estimate_cost: str = "—"
    estimate_fee: str = "—"
    estimate_price: str = "—"
    submitting: bool = False

    @rx.var
    def needs_price(self) -> bool:
        return self.order_type in NEEDS_PRICE

    @rx.var
    def needs_stop(self) -> bool:
        return self.order_type in NEEDS_STOP

    @rx.var
    def needs_time_in_force(self) -> bool:
        return self.order_type in NEEDS_TIME_IN_FORCE

    @rx.var
    def is_market(self) -> bool:
        return self.order_type == "MARKET"

    # ------------------------------------------------------------ editing
    @rx.event
    async def choose_side(self, side: str):
        self.side = "SELL" if side == "SELL" else "BUY"
        await self._refresh()

    @rx.event
    async def choose_type(self, order_type: str):
        if order_type in ORDER_TYPES:
            self.order_type = order_type
            await self._refresh()

    @rx.event
    async def edit(self, field: str, value: str):
        if field in ("quantity", "quote_amount", "price", "stop_price", "stop_limit_price", "time_in_force",
                     "market_by"):
            setattr(self, field, value)
            await self._refresh()

    @rx.event
    async def use_price(self, price: str):
        """A click on a price in the order book."""
        self.price = price
        if self.order_type == "MARKET":
            self.order_type = "LIMIT"
        await self._refresh()

    @rx.event
    async def use_percent(self, values: list[int | float]):
        """The 0-100 % slider: that share of what is free, floored to the symbol's step."""
        self.percent = int(values[0]) if values else 0
        market = await self.get_state(MarketState)
        account = await self.get_state(AccountState)
        entry = runtime.current().order_entry
        filters = entry.filters(market.active_symbol)
        share = Decimal(self.percent) / 100
        if self.side == "SELL":
            free = Decimal(account.free.get(filters.base_asset, "0"))
            self.quantity = format(filters.floor_quantity(free * share), "f")
        else:
            free = Decimal(account.free.get(filters.quote_asset, "0")) * share
            if self.order_type == "MARKET" and self.market_by == "quote":
                self.quote_amount = format(free.quantize(Decimal("0.01"), rounding="ROUND_DOWN"), "f")
            else:
                price = _amount(self.price) or _amount(self.stop_price) or market._last_price
                if price and price > 0:
                    self.quantity = format(filters.floor_quantity(free / price / Decimal("1.001")), "f")
        await self._refresh()

    async def _refresh(self) -> None:
        market = await self.get_state(MarketState)
        if not market.known:
            return
        try:
            request = self._request(market.active_symbol)
        except OrderRejected as rejected:
            self._show(rejected.message)
            return
        if isinstance(request, OcoRequest):
            self._show("")
            return
        preview = runtime.current().order_entry.preview(request, await market._market())
        self._show(preview.error)
        digits = market.price_precision
        self.estimate_price = fixed(preview.average_price, digits) if preview.average_price else "—"
        self.estimate_cost = (f"{fixed(preview.cost, 2)} {market.quote_asset}" if preview.cost is not None else "—")
        self.estimate_fee = (f"{format(preview.fee.normalize(), 'f')} {preview.fee_asset}"
                             if preview.fee is not None else "—")
        if preview.book_too_thin:
            self.check = "The visible book is thinner than this order: the rest would expire."

    def _show(self, problem: str) -> None:
        blank = not (self.quantity or self.quote_amount)
        self.check = "" if blank else problem
        if problem or blank:
            self.estimate_price = self.estimate_cost = self.estimate_fee = "—"

    def _request(self, symbol: str) -> OrderRequest | OcoRequest:
        if self.order_type == "OCO":
            return OcoRequest(symbol, self.side, _amount(self.quantity) or Decimal(0), _amount(self.price) or Decimal(0),
                              _amount(self.stop_price) or Decimal(0), _amount(self.stop_limit_price),
                              "GTC" if self.stop_limit_price else None)
        order_type = OrderType(self.order_type)
        by_quote = order_type is OrderType.MARKET and self.market_by == "quote"
        return OrderRequest(
            symbol=symbol, side=self.side, order_type=order_type,
            quantity=None if by_quote else _amount(self.quantity),
            quote_order_qty=_amount(self.quote_amount) if by_quote else None,
            price=_amount(self.price) if self.order_type in NEEDS_PRICE else None,
            stop_price=_amount(self.stop_price) if self.order_type in NEEDS_STOP else None,
            time_in_force=self.time_in_force if self.order_type in NEEDS_TIME_IN_FORCE else None,
        )

    # ------------------------------------------------------------- sending
    @rx.event
    async def submit(self, form: dict | None = None):
        """What is on screen is what is sent: the typed fields come with the submit, so a
        quick Enter cannot race the (debounced) field updates."""
        for field in TYPED_FIELDS:
            if form and field in form:
                setattr(self, field, str(form[field]))
        market = await self.get_state(MarketState)
        user_id = (await self.get_state(SessionState))._user_id
        if not user_id or not market.known:
            return
        self.submitting = True
        yield
        trading = runtime.current().trading
        try:
            request = self._request(market.active_symbol)
            if isinstance(request, OcoRequest):
                await trading.place_oco(user_id, request)
            else:
                await trading.place_order(user_id, request)
        except (OrderRejected, ServiceError, VenueError) as refused:
            self.submitting = False
            self.check = refused.message
            yield rx.toast.error(f"Order refused: {refused.message}")
            return
        self.submitting = False
        self.percent = 0
        self.quantity = self.quote_amount = ""
        self.check = ""
        self.estimate_price = self.estimate_cost = self.estimate_fee = "—"
        yield AccountState.refresh
