"""What a person types in a number field. A comma that is not between thousands is a decimal
comma: "0,01" meant 0.01, and reading it as 001 (a comma dropped) placed 1 BTC, 100 times the
order (found by a trader trying the screen)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from numatix.domain.errors import OrderRejected
from numatix.domain.requests import typed_amount


@pytest.mark.parametrize(("typed", "read"), [
    ("0.01", D("0.01")), ("1,000", D(1000)), ("95,000.5", D("95000.5")), ("1,000,000.25", D("1000000.25")),
    (" 2 ", D(2)), ("", None),
])
def test_plain_numbers_and_thousands_commas_are_read(typed, read):
    assert typed_amount(typed, "quantity") == read


@pytest.mark.parametrize("typed", ["0,01", "0,0005", "9500,5", "1,00", "12,3456", "0,001", ",5", "1,,000"])
def test_a_decimal_comma_is_refused_in_words_never_dropped(typed):
    with pytest.raises(OrderRejected) as refused:
        typed_amount(typed, "quantity")
    assert "use a point for decimals, like 0.01" in refused.value.words
