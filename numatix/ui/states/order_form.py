"""The order form: what the user types, checked in a trader's words as they type.

No trading rule lives here: which fields a type needs (``domain.order_types``), sizing
(``domain.sizing`` through the order entry service), the checks, the fee and the funds
(the order entry service, which the API's preview calls too) are all below the UI; this
state turns text fields into a request and the answers into words.
"""

from __future__ import annotations

from decimal import Decimal

import reflex as rx

from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.errors import ILLEGAL_CHARACTERS, OrderRejected, VenueError
from numatix.domain.order_types import DRAFT_FIELDS, OCO, TICKET_TYPES, TICKETS, restore, stash
from numatix.domain.requests import OcoRequest, OrderRequest, typed_amount
from numatix.domain.sizing import quantity_for_quote, quote_for_quantity
from numatix.domain.triggers import trigger_label
from numatix.services import runtime
from numatix.services.errors import ServiceError
from numatix.services.order_entry import OrderPreview
from numatix.ui.format import amount, asset_decimals, fixed
from numatix.ui.states.account import AccountState
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import live_user_id

ORDER_TYPES = list(TICKET_TYPES)
TYPED_FIELDS = ("quantity", "quote_amount", "total", "price", "stop_price", "stop_limit_price")
EDITABLE = (*TYPED_FIELDS, "time_in_force", "market_by")


def _amount(text: str, wire_name: str = "quantity") -> Decimal | None:
    """What was typed in a field; OrderRejected, in the trader's words, when it is not a plain
    number within Binance's digits ("NaN", "Infinity", "1e99999999999", "１２", "1_000")."""
    return typed_amount(text, wire_name)


def _number(text: str) -> Decimal | None:
    """For the helpers that size as the person types: None until it is a number."""
    try:
        return typed_amount(text, "quantity")
    except OrderRejected:
        return None


def _text(value: Decimal | None, decimals: int | None = None) -> str:
    """A number for a field: plain digits; rounded to ``decimals`` (an amount of the quote
    asset is shown as the page shows that asset everywhere)."""
    if value is None or value <= 0:
        return ""
    if decimals is not None:
        return fixed(value, decimals, grouped=False)
    return format(value.normalize(), "f")


class OrderFormState(rx.State):
    side: str = "BUY"
    order_type: str = "LIMIT"
    time_in_force: str = "GTC"
    market_by: str = "quantity"  # MARKET orders: by base quantity, or by quote amount
    quantity: str = ""
    quote_amount: str = ""
    total: str = ""  # priced orders: price × amount, editable either way
    price: str = ""
    stop_price: str = ""
    stop_limit_price: str = ""  # OCO: the stop leg's limit (empty = STOP_LOSS)
    percent: int = 0
    slider_key: int = 0  # a new key puts the slider back at 0 (it keeps its own position)
    check: str = ""  # what is wrong, in a trader's words, as the user types
    estimate_cost: str = "—"
    estimate_fee: str = "—"
    estimate_price: str = "—"
    estimate_at_once: str = ""  # what fills now and what rests; or what else the estimate means
    confirm_text: str = ""  # a price far from the market: placing waits for a yes
    submitting: bool = False
    placed: int = 0  # orders this form placed; a submit from an older form (a double click) is ignored
    symbol: str = ""  # the market the fields were typed for: they never carry over to another
    _drafts: dict[str, dict[str, str]] = {}  # side, and side:type -> what was typed there

    @rx.var
    def needs_price(self) -> bool:
        return TICKETS[self.order_type].price

    @rx.var
    def needs_stop(self) -> bool:
        return TICKETS[self.order_type].stop_price

    @rx.var
    def needs_time_in_force(self) -> bool:
        return TICKETS[self.order_type].time_in_force

    @rx.var
    def stop_label(self) -> str:
        """A take-profit's trigger is its "Trigger price"; a stop-loss's its "Stop price"."""
        return trigger_label(self.order_type)

    @rx.var
    def shows_total(self) -> bool:
        return TICKETS[self.order_type].total

    @rx.var
    def is_market(self) -> bool:
        return self.order_type == OrderType.MARKET.value

    @rx.var
    def is_oco(self) -> bool:
        return self.order_type == OCO

    @rx.var
    def confirming(self) -> bool:
        return self.confirm_text != ""

    @rx.event
    async def load(self):
        """A (re)loaded page starts with a usable form, whatever an earlier one left behind;
        another symbol starts with an empty one: a price typed for BTC is no price for ETH."""
        self.submitting = False
        self.confirm_text = ""
        market = await self.get_state(MarketState)
        if market.active_symbol != self.symbol:
            self._clear(market.active_symbol)

    def _clear(self, symbol: str) -> None:
        for field in DRAFT_FIELDS:
            setattr(self, field, "")
        self._drafts = {}
        self._reset_slider()
        self.check = ""
        self.estimate_price = self.estimate_cost = self.estimate_fee = "—"
        self.estimate_at_once = ""
        self.confirm_text = ""
        self.symbol = symbol

    # ------------------------------------------------------------ editing
    @rx.event
    async def choose_side(self, side: str):
        """Each side keeps its own form, as on Binance: a buy's amount is not a sell's."""
        side = Side.SELL.value if side == Side.SELL.value else Side.BUY.value
        if side == self.side:
            return
        self._drafts = stash(self._drafts, self.side, self.order_type, self._typed())
        self.side = side
        self._fill(restore(self._drafts, side, self.order_type))
        self._reset_slider()
        await self._refresh()

    def _typed(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in DRAFT_FIELDS}

    def _fill(self, fields: dict[str, str]) -> None:
        for field, value in fields.items():
            setattr(self, field, value)

    @rx.event
    async def choose_type(self, order_type: str):
        await self._switch_type(order_type)

    async def _switch_type(self, order_type: str) -> None:
        """Each type keeps the prices typed for it: a stop typed for a stop-limit order
        never turns up in an OCO."""
        if order_type not in TICKETS or order_type == self.order_type:
            return
        self._drafts = stash(self._drafts, self.side, self.order_type, self._typed())
        self.order_type = order_type
        self._fill(restore(self._drafts, self.side, order_type))
        self._reset_slider()
        await self._sync_total()
        await self._refresh()

    async def _typing_for_the_market_shown(self) -> None:
        """What is typed now is for the market on screen: the form adopts it, dropping anything
        typed for another. (The form learns its market on load, which may come before the
        page knows its market; placing then compared against a symbol nobody typed for.)"""
        market = await self.get_state(MarketState)
        if market.known and self.symbol != market.active_symbol:
            self._clear(market.active_symbol)

    @rx.event
    async def edit(self, field: str, value: str):
        if field not in EDITABLE:
            return
        await self._typing_for_the_market_shown()
        if field == "time_in_force" and value not in {t.value for t in TimeInForce}:
            return
        if field == "market_by" and value not in ("quantity", "quote"):
            return
        setattr(self, field, value)
        if field == "total":
            await self._sync_quantity()
        elif field in ("quantity", "price"):
            await self._sync_total()
        await self._refresh()

    @rx.event
    async def use_price(self, price: str):
        """A click on a price in the order book."""
        await self._typing_for_the_market_shown()
        if self.order_type == OrderType.MARKET.value:
            await self._switch_type(OrderType.LIMIT.value)
        self.price = price
        await self._sync_total()
        await self._refresh()

    @rx.event
    async def use_percent(self, values: list[int | float]):
        """The 0-100 % slider: that share of what is free, down to the symbol's step."""
        await self._size_for(int(values[0]) if values else 0)

    @rx.event
    async def use_mark(self, percent: int):
        """A quick pick under the slider: sized the same, and the slider drawn anew there."""
        await self._size_for(int(percent))
        self.slider_key += 1

    async def _size_for(self, percent: int) -> None:
        await self._typing_for_the_market_shown()
        self.percent = max(0, min(100, percent))
        market = await self.get_state(MarketState)
        user_id = await live_user_id(self)  # reads the user's balances
        if not market.known:
            return
        fields = TICKETS[self.order_type]
        if fields.price and _number(self.price) is None:
            # sized at a price the trader sees: the last one, put in the Price field
            last = (await market._market()).last_price(market.active_symbol)
            self.price = fixed(last, market.price_precision, grouped=False) if last else ""
        elif fields.stop_price and not fields.price and _number(self.stop_price) is None:
            self._reset_slider()
            trigger = trigger_label(self.order_type).lower()
            self.check = f"Enter the {trigger} first: the slider sizes the order at it"
            return
        quantity, total = await runtime.current().order_entry.size_for_percent(
            user_id, market.active_symbol, Side(self.side), self._venue_type(), Decimal(self.percent),
            self._sizing_price())
        if self.order_type == OrderType.MARKET.value and self.market_by == "quote":
            self.quote_amount = _text(total)
        else:
            self.quantity = _text(quantity)
            await self._sync_total()
        await self._refresh()

    def _reset_slider(self) -> None:
        self.percent = 0
        self.slider_key += 1

    def _venue_type(self) -> OrderType | None:
        return None if self.order_type == OCO else OrderType(self.order_type)

    def _sizing_price(self) -> Decimal | None:
        for text in (self.price, self.stop_price):
            value = _number(text)
            if value and value > 0:
                return value
        return None

    async def _sync_total(self) -> None:
        """Amount or price changed: Total follows."""
        if not TICKETS[self.order_type].total:
            return
        quantity, price = _number(self.quantity), _number(self.price)
        if quantity is None or price is None or quantity <= 0 or price <= 0:
            self.total = ""
            return
        market = await self.get_state(MarketState)
        self.total = _text(quote_for_quantity(quantity, price), asset_decimals(market.quote_asset))

    async def _sync_quantity(self) -> None:
        """Total typed: the amount it buys at the price, down to the step."""
        total, price = _number(self.total), _number(self.price)
        if not (total and price and total > 0 and price > 0):
            return
        market = await self.get_state(MarketState)
        filters = runtime.current().order_entry.filters(market.active_symbol)
        self.quantity = _text(quantity_for_quote(total, price, filters))

    async def _refresh(self) -> None:
        market = await self.get_state(MarketState)
        if not market.known:
            return
        try:
            request = self._request(market.active_symbol)
        except OrderRejected as rejected:  # a field that is not a number says so even before an amount
            self._show(rejected.words, always=rejected.code == ILLEGAL_CHARACTERS)
            return
        entry = runtime.current().order_entry
        free = {asset: Decimal(amount) for asset, amount in (await self.get_state(AccountState)).free.items()}
        user_market = await market._market()
        if isinstance(request, OcoRequest):
            preview = entry.preview_oco(request, user_market, free)
        else:
            preview = entry.preview(request, user_market, free)
        self._show_preview(preview, market)

    def _show_preview(self, preview: OrderPreview, market: MarketState) -> None:
        self._show(preview.message, always=preview.refused_before_sending)
        digits = market.price_precision
        if preview.average_price:
            self.estimate_price = fixed(preview.average_price, digits)
        self.estimate_at_once = self._at_once_words(preview, market)
        cost = preview.cost
        quote = market.quote_asset
        self.estimate_cost = f"{fixed(cost, asset_decimals(quote))} {quote}" if cost is not None else "—"
        fee, fee_asset = preview.fee, preview.fee_asset
        self.estimate_fee = f"{amount(fee, fee_asset)} {fee_asset}" if fee is not None else "—"
        if preview.book_too_thin and not preview.message:
            self.check = "The visible book is thinner than this order: the rest would expire."

    @staticmethod
    def _at_once_words(preview: OrderPreview, market: MarketState) -> str:
        """"Fills now: 0.01 BTC at ≈97,050.12 · 0.005 BTC rests at 80,000.00"."""
        taken = preview.at_once
        if taken is None or taken.average_price is None:
            return preview.note
        base, digits = market.base_asset, market.price_precision
        words = f"Fills now: {amount(taken.quantity, base)} {base} at ≈{fixed(taken.average_price, digits)}"
        if taken.rests:
            rest = f"rests at {fixed(taken.limit, digits)}" if taken.rests_on_book else "expires"
            words += f" · {amount(taken.rests, base)} {base} {rest}"
        return words

    def _show(self, problem: str, always: bool = False) -> None:
        blank = not (self.quantity or self.quote_amount)
        self.check = "" if blank and not always else problem
        self.estimate_price = self.estimate_cost = self.estimate_fee = "—"
        self.estimate_at_once = ""

    def _request(self, symbol: str) -> OrderRequest | OcoRequest:
        if self.order_type == OCO:
            return OcoRequest(symbol, Side(self.side), _amount(self.quantity) or Decimal(0),
                              _amount(self.price, "price") or Decimal(0),
                              _amount(self.stop_price, "stopPrice") or Decimal(0),
                              _amount(self.stop_limit_price, "stopLimitPrice"),
                              TimeInForce.GTC if self.stop_limit_price else None)
        fields = TICKETS[self.order_type]
        by_quote = fields.by_quote and self.market_by == "quote"
        return OrderRequest(
            symbol=symbol, side=Side(self.side), order_type=OrderType(self.order_type),
            quantity=None if by_quote else _amount(self.quantity),
            quote_order_qty=_amount(self.quote_amount, "quoteOrderQty") if by_quote else None,
            price=_amount(self.price, "price") if fields.price else None,
            stop_price=_amount(self.stop_price, "stopPrice") if fields.stop_price else None,
            time_in_force=TimeInForce(self.time_in_force) if fields.time_in_force else None,
        )

    # ------------------------------------------------------------- sending
    @rx.event
    async def submit(self, form: dict | None = None):
        """What is on screen is what is sent: the typed fields come with the submit, so a
        quick Enter cannot race the (debounced) field updates. A limit price far from the
        market asks first (a live session only: a stale tab is refused before any question)."""
        if form and str(form.get("placed", self.placed)) != str(self.placed):
            return  # sent from a form already placed: a second click before the page had seen the first
        for field in TYPED_FIELDS:
            if form and field in form:
                setattr(self, field, str(form[field]))
        await live_user_id(self)  # an ended session is sent to log in, never asked to confirm
        market = await self.get_state(MarketState)
        if not market.known or self._market_changed(market, (form or {}).get("symbol")):
            return
        try:
            request = self._request(market.active_symbol)
        except OrderRejected:
            request = None
        if isinstance(request, OrderRequest):
            preview = runtime.current().order_entry.preview(request, await market._market())
            if preview.refused_before_sending:
                self.check = preview.message  # the venue would refuse it with these words
                return
            if preview.warning:
                self.confirm_text = preview.warning
                return
        async for step in self._place():
            yield step

    @rx.event
    async def confirm(self):
        if not self.confirm_text:
            return  # no question open: a second click on "place it anyway" places nothing more
        self.confirm_text = ""
        async for step in self._place():
            yield step

    @rx.event
    def dismiss_confirmation(self, _open: bool = False):
        self.confirm_text = ""

    def _market_changed(self, market: MarketState, shown: str | None = None) -> bool:
        """The form was typed for another symbol than the one now traded (or the page showed
        another when Enter was pressed): nothing is placed, the form starts again empty.
        A form that never learned its market (loaded before the page knew it, and sent before
        its typing reached the server) was typed for the one market on screen."""
        if not self.symbol:
            self.symbol = market.active_symbol
        if self.symbol == market.active_symbol and shown in (None, "", market.active_symbol):
            return False
        self._clear(market.active_symbol)
        self.check = f"The market is now {market.active_symbol}: nothing was placed. Enter the order again."
        return True

    async def _place(self):
        market = await self.get_state(MarketState)
        user_id = await live_user_id(self)
        if not market.known or self._market_changed(market):
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
            words = refused.words if isinstance(refused, OrderRejected) else refused.message
            self.check = words
            yield rx.toast.error(f"Order refused: {words}")
            return
        self.submitting = False
        self.placed += 1
        self._reset_slider()
        self.quantity = self.quote_amount = self.total = ""
        self.check = ""
        self.estimate_price = self.estimate_cost = self.estimate_fee = "—"
        self.estimate_at_once = ""
        yield AccountState.refresh
