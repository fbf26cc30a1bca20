"""Request parameters read as Binance reads them."""

import json
from decimal import Decimal

import pytest

from numatix.sim.errors import SimError
from numatix.sim.params import Params
from numatix.sim.rest_market import per_symbol_weight, ticker_24h_weight


def test_query_wins_over_body_and_empty_values_count_as_not_sent() -> None:
    params = Params.from_wire("symbol=BTCUSDT&price=", "symbol=ETHUSDT&quantity=1")
    assert params.text("symbol") == "BTCUSDT"
    assert params.text("quantity") == "1"
    assert params.text("price") is None


def test_a_name_twice_in_one_part_is_1101() -> None:
    with pytest.raises(SimError) as raised:
        Params.from_wire("side=BUY&side=SELL")
    assert (raised.value.code, raised.value.message) == (-1101, "Duplicate values for a parameter detected.")


def test_percent_encoded_values_are_decoded() -> None:
    assert Params.from_wire("symbol=%EF%BC%91%EF%BC%92").text("symbol") == "１２"


def test_missing_required_parameter_is_1102() -> None:
    with pytest.raises(SimError) as raised:
        Params.from_wire("").required("symbol")
    assert raised.value.body() == {
        "code": -1102, "msg": "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."}


@pytest.mark.parametrize("text", ["3e-06", "1,5", "-1", "0x10", "1.", " 1"])
def test_numbers_outside_binances_legal_range_are_1100(text: str) -> None:
    with pytest.raises(SimError) as raised:
        Params({"quantity": text}).decimal("quantity")
    assert raised.value.code == -1100
    assert raised.value.message == ("Illegal characters found in parameter 'quantity'; legal range is "
                                    "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")


def test_decimals_stay_exact() -> None:
    assert Params({"price": "0.10000000"}).decimal("price") == Decimal("0.1")


def test_integers_booleans_and_json_lists() -> None:
    params = Params({"limit": "5", "omit": "TRUE", "symbols": '["BTCUSDT","ETHUSDT"]'})
    assert params.integer("limit", 1, 10) == 5
    assert params.boolean("omit") is True
    assert params.json_list("symbols") == ["BTCUSDT", "ETHUSDT"]
    with pytest.raises(SimError) as out_of_range:
        params.integer("limit", 10, 20)
    assert out_of_range.value.code == -1130
    with pytest.raises(SimError) as not_json:
        Params({"symbols": "BTCUSDT"}).json_list("symbols")
    assert not_json.value.code == -1135


def test_websocket_params_become_text_as_clients_sent_them() -> None:
    params = Params.from_json({"timestamp": 1645423376532, "recvWindow": 100, "flag": True, "none": None})
    assert (params.text("timestamp"), params.text("recvWindow"), params.text("flag")) == (
        "1645423376532", "100", "true")
    assert params.text("none") is None


def test_ticker_weights_follow_how_many_symbols_are_asked_for() -> None:
    def symbols(count: int) -> Params:
        return Params({"symbols": json.dumps([f"S{index}" for index in range(count)])})

    assert ticker_24h_weight(Params({"symbol": "BTCUSDT"})) == 2
    assert [ticker_24h_weight(symbols(n)) for n in (1, 20, 21, 100, 101)] == [2, 2, 40, 40, 80]
    assert ticker_24h_weight(Params({})) == 80
    assert per_symbol_weight(Params({"symbol": "BTCUSDT"})) == 4
    assert [per_symbol_weight(symbols(n)) for n in (2, 50, 51)] == [8, 200, 200]
