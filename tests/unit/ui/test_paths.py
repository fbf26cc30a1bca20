from numatix.ui.states.market import symbol_from_path


def test_the_symbol_comes_from_the_trade_route():
    assert symbol_from_path("/trade/ethusdt") == "ETHUSDT"
    assert symbol_from_path("/trade/BTCUSDT/") == "BTCUSDT"
    assert symbol_from_path("/trade/DOGEUSDT") == "DOGEUSDT"  # unknown ones are refused later, by the service
    assert symbol_from_path("/") == "BTCUSDT" and symbol_from_path("") == "BTCUSDT"
