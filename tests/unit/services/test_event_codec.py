from decimal import Decimal as D

from numatix.domain.balances import Balance
from numatix.domain.events import AccountUncertain, BalanceUpdate
from numatix.domain.requests import OrderRequest
from numatix.services.alerts import AlertTriggered, AlertView
from numatix.services.event_codec import decode, encode
from numatix.services.events import EventBus
from numatix.services.trading import TradingService
from tests.unit.exchange.helpers import SYMBOL, make_exchange


async def test_every_user_event_survives_the_round_trip_exactly():
    exchange = make_exchange()
    seen = []
    exchange.add_listener(seen.append)
    await TradingService(exchange, EventBus()).place_order(7, OrderRequest(SYMBOL, "BUY", "MARKET", quantity="0.04"))
    events = [*seen,
              BalanceUpdate(7, 1, 2, (Balance("BTC", D("0.123456789012345678"), D("0")),)),
              AlertTriggered(7, AlertView(3, "BTCUSDT", "above", D("70000.5"), 1, 2, D("70001"), False)),
              AccountUncertain(7, 3)]
    assert len(seen) >= 3
    for event in events:
        text = encode(event)
        assert "Decimal(" not in text and decode(text) == event
