"""Order types in a trader's words, for the page only: the API and the venue keep Binance's codes
(LIMIT_MAKER, STOP_LOSS...), which read as jargon in a form, a table or a toast."""

from __future__ import annotations

from numatix.domain.enums import OrderType

# What a trader reads for each type (the page only: the API and the venue keep the codes).
TYPE_LABELS: dict[str, str] = {
    OrderType.LIMIT.value: "Limit",
    OrderType.MARKET.value: "Market",
    OrderType.LIMIT_MAKER.value: "Post-only (Limit maker)",
    OrderType.STOP_LOSS.value: "Stop-Market",
    OrderType.STOP_LOSS_LIMIT.value: "Stop-Limit",
    OrderType.TAKE_PROFIT.value: "Take-Profit",
    OrderType.TAKE_PROFIT_LIMIT.value: "Take-Profit-Limit",
    "OCO": "OCO",
}


def type_label(code: str) -> str:
    """A type's name for a person; an unknown code as it came."""
    return TYPE_LABELS.get(code, code)


def order_label(side: str, code: str) -> str:
    """"Buy Limit", "Sell Stop-Market": an order's side and type as a toast or a title says them."""
    return f"{side.capitalize()} {type_label(code)}"
