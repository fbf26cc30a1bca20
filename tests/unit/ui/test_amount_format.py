"""One rule per asset everywhere in the page: an amount at its asset's decimals, exactly when it
has more (a fee), never more than 8; a price at its symbol's tick; Total in the quote's cents."""

from __future__ import annotations

from decimal import Decimal as D

from numatix.ui.format import amount, available, fixed, price_text, signed


def test_an_amount_is_shown_at_its_assets_decimals_and_exactly_when_it_has_more():
    assert amount(D("0.101"), "BTC") == "0.10100"
    assert amount(D("0.10099900"), "BTC") == "0.100999"
    assert amount(D("0.00000100"), "BTC") == "0.000001"  # the same fee in both histories
    assert amount(D("9902.61689000"), "USDT") == "9,902.61689"
    assert amount(D("1.1"), "USDT") == "1.10"
    assert amount(D("0.123456789"), "USDT") == "0.12345679"  # never more than 8
    assert available(D("0.090997"), "BTC") == "0.09099"  # what can be spent: down to the step


def test_a_price_is_grouped_at_its_symbols_tick():
    assert price_text(D("99000"), "BTCUSDT") == "99,000.00"
    assert price_text(D("0.5"), "UNKNOWN") == "0.50000000"


def test_forty_digits_round_without_an_error():
    """Price × amount of two 20-digit fields is 40 digits: more than Decimal's default 28."""
    huge = D("9" * 40 + ".125")
    assert fixed(huge, 2, grouped=False) == "9" * 40 + ".12"


def test_a_gain_or_loss_is_signed_as_it_is_shown_and_never_minus_zero():
    assert signed(D("0.004")) == "0.00"  # not "+0.00": the sign follows the shown cents
    assert signed(D("-0.004")) == "0.00"  # not "-0.00"
    assert signed(D("0.005")) == "0.00" and signed(D("0.006")) == "+0.01"
    assert signed(D("-1234.5")) == "-1,234.50" and signed(D("1234.5")) == "+1,234.50"
    assert fixed(D("-0.0001"), 2) == "0.00" and signed(None) == "—"
