"""What each kind of order asks the trader for: the one table the form and the API read.

The venue's own types come from ``requests.PARAMETER_RULES`` (what Binance requires of
each); ``OCO`` is a pair of them, entered as one ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from numatix.domain.enums import OrderType
from numatix.domain.requests import PARAMETER_RULES
from numatix.domain.type_names import TYPE_LABELS, order_label, type_label

__all__ = ["OCO", "TICKETS", "TICKET_TYPES", "TYPE_LABELS", "order_label", "restore", "stash", "type_label"]

OCO = "OCO"
# In the order Binance's form lists them; OCO last.
TICKET_TYPES: tuple[str, ...] = (
    OrderType.LIMIT.value, OrderType.MARKET.value, OrderType.LIMIT_MAKER.value, OrderType.STOP_LOSS.value,
    OrderType.STOP_LOSS_LIMIT.value, OrderType.TAKE_PROFIT.value, OrderType.TAKE_PROFIT_LIMIT.value, OCO,
)
VENUE_TYPES: tuple[str, ...] = tuple(t.value for t in OrderType)


@dataclass(frozen=True, slots=True)
class TicketFields:
    """Which fields a ticket of this type shows (and sends)."""

    price: bool
    stop_price: bool
    time_in_force: bool
    by_quote: bool  # may be sized by the quote amount to spend (MARKET)
    stop_limit_price: bool = False  # OCO: the stop leg's optional limit
    total: bool = False  # a single priced order shows price × amount, editable either way


def ticket_fields(type_name: str) -> TicketFields:
    if type_name == OCO:
        return TicketFields(price=True, stop_price=True, time_in_force=False, by_quote=False,
                            stop_limit_price=True)
    required, optional = PARAMETER_RULES[OrderType(type_name)]
    wanted = set(required) | set(optional)
    return TicketFields(price="price" in wanted, stop_price="stop_price" in wanted,
                        time_in_force="time_in_force" in wanted, by_quote="quote_order_qty" in wanted,
                        total="price" in wanted)


TICKETS: dict[str, TicketFields] = {name: ticket_fields(name) for name in TICKET_TYPES}

# ------------------------------------------------------------------ drafts
# Like Binance's two forms side by side, each side keeps what was typed in it: its amount,
# and for each order type its own prices (a stop typed for a stop-limit never turns up in
# an OCO). Nothing is kept across symbols: a price typed for one market is not a price for
# another.
AMOUNT_FIELDS = ("quantity", "quote_amount")
PRICE_FIELDS = ("price", "stop_price", "stop_limit_price", "total")
DRAFT_FIELDS = AMOUNT_FIELDS + PRICE_FIELDS
Drafts = dict[str, dict[str, str]]


def stash(drafts: Drafts, side: str, type_name: str, typed: dict[str, str]) -> Drafts:
    """``drafts`` with what is typed now kept for this side (amounts) and side and type (prices)."""
    return {**drafts,
            side: {f: typed.get(f, "") for f in AMOUNT_FIELDS},
            f"{side}:{type_name}": {f: typed.get(f, "") for f in PRICE_FIELDS}}


def restore(drafts: Drafts, side: str, type_name: str) -> dict[str, str]:
    """Every field as last typed for this side and type; blank where nothing was."""
    kept = {**drafts.get(side, {}), **drafts.get(f"{side}:{type_name}", {})}
    return {f: kept.get(f, "") for f in DRAFT_FIELDS}
