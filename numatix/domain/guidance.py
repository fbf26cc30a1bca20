"""Refusals and warnings in a trader's words, with the number that matters.

The venue's code and words stay on ``OrderRejected`` (the API repeats them); these are
the hints the order form shows instead.
"""

from __future__ import annotations

from decimal import Decimal

from numatix.domain.enums import Side
from numatix.domain.estimates import Marketable

# A limit price further than this from the market asks the trader to confirm it.
FAR_FROM_MARKET = Decimal("0.10")


def plain(value: Decimal) -> str:
    """A number as a person reads it: grouped, no exponent, no trailing zeros."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return f"{normal:,.{decimals}f}"


def would_take_hint(side: Side, best_opposite: Decimal | None) -> str:
    if best_opposite is None:
        return "A post-only order must not trade at once"
    if side is Side.BUY:
        return (f"A post-only buy must be priced below the best ask ({plain(best_opposite)}): "
                "at or above it, it would trade at once")
    return (f"A post-only sell must be priced above the best bid ({plain(best_opposite)}): "
            "at or below it, it would trade at once")


def oco_prices_hint(side: Side, last_price: Decimal | None) -> str:
    last = f" ({plain(last_price)})" if last_price is not None else ""
    if side is Side.SELL:
        return f"For a sell OCO: take-profit price above the last price{last}, stop price below it"
    return f"For a buy OCO: take-profit price below the last price{last}, stop price above it"


def far_from_market_warning(price: Decimal, market: Decimal, distance: Decimal,
                            at_once: Marketable | None = None) -> str:
    """``distance``: (price - market) / market; ``at_once``: what such a limit order priced
    through the book trades the moment it lands (at the book's prices, not at its own)."""
    where = "above" if distance > 0 else "below"
    percent = (abs(distance) * 100).quantize(Decimal("0.1"))
    far = f"Your price {plain(price)} is {percent}% {where} the market ({plain(market)})"
    average = at_once.shown_average if at_once is not None else None
    if at_once is None or average is None:
        return f"{far}. Place it anyway?"
    unit = f" {at_once.asset}" if at_once.asset else ""
    book = "asks" if distance > 0 else "bids"
    fill_price = f"{average:,}"  # on the symbol's tick, as the book shows it
    if not at_once.rests:
        now = f"all {plain(at_once.quantity)}{unit} fills now at about {fill_price} (the best {book})"
    else:
        rest = (f"rests at {plain(price)}" if at_once.rests_on_book else "expires")
        now = (f"{plain(at_once.quantity)}{unit} fills now at about {fill_price} (the best {book}); "
               f"the other {plain(at_once.rests)}{unit} {rest}")
    return f"{far}. It will not wait for {plain(price)}: {now}. Place it anyway?"


def whole_steps_note(spent: Decimal, total: Decimal, step: Decimal, base: str, quote: str) -> str:
    """A market buy by total spends a little less than the total: what it buys comes in whole
    steps (Binance's quoteOrderQty never breaks LOT_SIZE), so the rest of a step stays unspent."""
    shown = spent.quantize(Decimal("0.01"))
    return (f"Spends about {shown:,} of {plain(total)} {quote}: {base} is bought in whole steps "
            f"of {plain(step)} {base}")


def is_far_from_market(distance: Decimal) -> bool:
    return abs(distance) > FAR_FROM_MARKET
