"""Each side of the order form keeps what was typed in it (amounts per side, prices per side
and type), as Binance's two forms do; and the page names each type as a trader does."""

from __future__ import annotations

from numatix.domain.enums import OrderType
from numatix.domain.order_types import DRAFT_FIELDS, OCO, TICKET_TYPES, restore, stash, type_label

BLANK = dict.fromkeys(DRAFT_FIELDS, "")


def test_a_side_gets_back_what_was_typed_on_it_and_nothing_from_the_other():
    buy = {**BLANK, "quantity": "0.05", "price": "97000", "total": "4850"}
    drafts = stash({}, "BUY", "LIMIT", buy)
    assert restore(drafts, "SELL", "LIMIT") == BLANK  # a sell starts empty, not buy-sized
    sell = {**BLANK, "quantity": "0.01", "price": "99000", "total": "990"}
    drafts = stash(drafts, "SELL", "LIMIT", sell)
    assert restore(drafts, "BUY", "LIMIT") == buy
    assert restore(drafts, "SELL", "LIMIT") == sell


def test_a_type_keeps_its_own_prices_and_the_side_its_amount():
    stop_limit = {**BLANK, "quantity": "1", "stop_price": "90", "price": "89"}
    drafts = stash({}, "BUY", "STOP_LOSS_LIMIT", stop_limit)
    assert restore(drafts, "BUY", OCO) == {**BLANK, "quantity": "1"}  # a stop never turns up in an OCO
    drafts = stash(drafts, "BUY", OCO, {**BLANK, "quantity": "2", "price": "80", "stop_price": "120"})
    assert restore(drafts, "BUY", "STOP_LOSS_LIMIT") == {**BLANK, "quantity": "2", "stop_price": "90",
                                                          "price": "89"}


def test_every_type_of_the_form_has_a_traders_name_and_unknown_codes_pass_through():
    names = {code: type_label(code) for code in TICKET_TYPES}
    assert names == {"LIMIT": "Limit", "MARKET": "Market", "LIMIT_MAKER": "Post-only (Limit maker)",
                     "STOP_LOSS": "Stop-Market", "STOP_LOSS_LIMIT": "Stop-Limit",
                     "TAKE_PROFIT": "Take-Profit",
                     "TAKE_PROFIT_LIMIT": "Take-Profit-Limit", "OCO": "OCO"}
    assert {type_label(t.value) for t in OrderType} <= set(names.values())
    assert type_label("SOMETHING_NEW") == "SOMETHING_NEW"
