"""New-order and OCO parameters, read the way Binance reads them."""

from decimal import Decimal

import pytest

from numatix.domain.enums import OrderType, Side, TimeInForce
from numatix.domain.errors import OrderRejected
from numatix.sim.errors import SimError
from numatix.sim.orders import parse_legacy_oco, parse_new_order, parse_order_list_oco
from numatix.sim.params import Params


def rejected(call, params: dict[str, str]) -> tuple[int, str]:
    with pytest.raises((SimError, OrderRejected)) as raised:
        call(Params(params))
    return raised.value.code, raised.value.message


LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
         "price": "90000"}


def test_a_limit_order_becomes_an_engine_request() -> None:
    new = parse_new_order(Params({**LIMIT, "newClientOrderId": "mine"}))
    request = new.request
    assert (request.side, request.order_type, request.time_in_force) == (
        Side.BUY, OrderType.LIMIT, TimeInForce.GTC)
    assert (request.quantity, request.price, request.client_order_id) == (
        Decimal("0.001"), Decimal(90000), "mine")
    assert new.response_type == "FULL"


def test_a_missing_client_id_gets_binances_22_characters() -> None:
    first, second = (parse_new_order(Params(LIMIT)).request.client_order_id for _ in range(2))
    assert len(first) == 22 and first != second


def test_stop_orders_answer_ack_by_default() -> None:
    new = parse_new_order(Params({**LIMIT, "type": "STOP_LOSS_LIMIT", "stopPrice": "89000"}))
    assert new.response_type == "ACK"
    assert parse_new_order(Params({**LIMIT, "newOrderRespType": "RESULT"})).response_type == "RESULT"


@pytest.mark.parametrize(("change", "expected"), [
    ({"timeInForce": ""},
     (-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.")),
    ({"type": "MARKET", "timeInForce": "", "price": "", "quantity": ""},
     (-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!")),
    ({"type": "MARKET", "timeInForce": "", "price": "", "quoteOrderQty": "10"},
     (-1106, "Parameter 'quoteOrderQty' sent when not required.")),
    ({"type": "LIMIT_MAKER"}, (-1106, "Parameter 'timeInForce' sent when not required.")),
    ({"side": "HOLD"}, (-1117, "Invalid side.")),
    ({"timeInForce": "GTD"}, (-1115, "Invalid timeInForce.")),
    ({"icebergQty": "0.0005"}, (-1106, "Parameter 'icebergQty' sent when not required.")),
    ({"newClientOrderId": "has spaces"}, (-1100, "Illegal characters found in parameter 'newClientOrderId'; "
                                                 "legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")),
])
def test_new_order_parameter_errors(change: dict[str, str], expected: tuple[int, str]) -> None:
    assert rejected(parse_new_order, {**LIMIT, **change}) == expected


OCO = {"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.001",
       "aboveType": "LIMIT_MAKER", "abovePrice": "95000",
       "belowType": "STOP_LOSS_LIMIT", "belowStopPrice": "85000", "belowPrice": "84900",
       "belowTimeInForce": "GTC", "listClientOrderId": "pair"}


def test_order_list_oco_maps_above_and_below_to_the_legs() -> None:
    new = parse_order_list_oco(Params(OCO))
    limit, stop = new.request.limit_leg(), new.request.stop_leg()
    assert (limit.order_type, limit.price) == (OrderType.LIMIT_MAKER, Decimal(95000))
    assert (stop.order_type, stop.stop_price, stop.price) == (OrderType.STOP_LOSS_LIMIT, Decimal(85000),
                                                              Decimal(84900))
    assert (new.list_client_order_id, new.limit_is_above, new.response_type) == ("pair", True, "FULL")


def test_a_buy_oco_puts_the_limit_below() -> None:
    new = parse_order_list_oco(Params({**OCO, "side": "BUY", "aboveType": "STOP_LOSS", "abovePrice": "",
                                       "aboveStopPrice": "95000", "belowType": "LIMIT_MAKER",
                                       "belowPrice": "85000", "belowStopPrice": "", "belowTimeInForce": ""}))
    assert new.request.limit_price == Decimal(85000) and new.request.stop_price == Decimal(95000)
    assert new.request.stop_leg().order_type is OrderType.STOP_LOSS


@pytest.mark.parametrize(("change", "expected"), [
    ({"belowTimeInForce": ""},
     (-1102, "Mandatory parameter 'belowTimeInForce' was not sent, was empty/null, or malformed.")),
    ({"belowType": "STOP_LOSS"}, (-1106, "Parameter 'belowPrice' sent when not required.")),
    ({"aboveType": "TAKE_PROFIT_LIMIT"}, (-1014, "Unsupported order combination.")),
    ({"aboveType": "LIMIT"}, (-1158, "Order type not supported in OCO.")),
    ({"quantity": ""}, (-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.")),
])
def test_order_list_oco_errors(change: dict[str, str], expected: tuple[int, str]) -> None:
    assert rejected(parse_order_list_oco, {**OCO, **change}) == expected


def test_the_deprecated_order_oco_reads_its_old_names() -> None:
    new = parse_legacy_oco(Params({"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.001", "price": "95000",
                                   "stopPrice": "85000", "stopLimitPrice": "84900",
                                   "stopLimitTimeInForce": "GTC"}))
    assert new.request.stop_leg().order_type is OrderType.STOP_LOSS_LIMIT
    assert new.request.limit_price == Decimal(95000)
