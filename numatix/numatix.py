"""Reflex entry point: pages, the process-wide runtime (market hub, services) and the API."""

import reflex as rx

from numatix.api.app import build_api
from numatix.services.runtime import lifespan
from numatix.ui.pages import trade
from numatix.ui.states.market import MarketState

app = rx.App(api_transformer=build_api())
app.register_lifespan_task(lifespan)
app.add_page(trade.trade_page, route=trade.ROUTE, on_load=MarketState.load_page, title="Numatix · Trade")
app.add_page(rx.fragment, route="/", on_load=rx.redirect(trade.DEFAULT_ROUTE), title="Numatix")
