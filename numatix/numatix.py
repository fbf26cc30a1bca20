"""Reflex entry point: pages, the process-wide runtime (market hub, services) and the API."""

import reflex as rx

from numatix.api.app import build_api
from numatix.api.headers import hash_inline_scripts_of, with_security_headers
from numatix.api.proxy import behind_trusted_proxies
from numatix.services.runtime import lifespan
from numatix.ui.build import built_pages
from numatix.ui.pages import auth, not_found, portfolio, settings, trade
from numatix.ui.states.account import AccountState
from numatix.ui.states.alerts import AlertsState
from numatix.ui.states.auth_forms import AuthFormState
from numatix.ui.states.market import MarketState
from numatix.ui.states.order_form import OrderFormState
from numatix.ui.states.portfolio import PortfolioState
from numatix.ui.states.session import LOGIN_ROUTE, SIGNUP_ROUTE, SessionState, on_backend_error
from numatix.ui.states.sessions_list import SessionsListState
from numatix.ui.states.settings import SettingsState

# The proxy middleware comes last so it wraps everything, Reflex's event socket included.
# Toasts sit under the top bar at the top right of the chart (assets/toasts.css: the offset that
# keeps them left of the book and the form columns at each width): never over the form's side
# toggles and type, the book, the account tabs or the tables' Cancel column (at the bottom, where a
# trader scrolls to act), nor the top bar; collapsed into one stack (expand=False). On a phone
# (sonner: under 600 px) they span the width under the top bar, over the price header.
TOAST_OFFSET = {"top": "58px", "right": "var(--numatix-toast-right, 16px)"}
TOAST_OFFSET_PHONE = {"top": "56px", "left": "8px", "right": "8px"}
app = rx.App(api_transformer=[build_api(), with_security_headers, behind_trusted_proxies],
             stylesheets=["/toasts.css"],
             backend_exception_handler=on_backend_error,
             toaster=rx.toast.provider(position="top-right", close_button=True, expand=False,
                                       visible_toasts=3, custom_attrs={"offset": TOAST_OFFSET,
                                                                       "mobileOffset": TOAST_OFFSET_PHONE}))
app.register_lifespan_task(lifespan)
hash_inline_scripts_of(built_pages)  # the content security policy allows the build's inline scripts by hash
# Socket.IO's own origin check knows only the listed origins, not this site's own one (it would
# refuse our pages once NUMATIX_ALLOWED_ORIGINS lists another); numatix.api.origins checks every handshake.
if app.sio is not None:
    app.sio.eio.cors_allowed_origins = []
app.add_page(trade.trade_page, route=trade.ROUTE,
             on_load=[SessionState.require_user, MarketState.load_page, AccountState.load, AlertsState.load,
                      OrderFormState.load],
             title="Numatix · Trade")
app.add_page(portfolio.portfolio_page, route=portfolio.ROUTE,
             on_load=[SessionState.require_user, MarketState.load_feed, PortfolioState.load],
             title="Numatix · Portfolio")
app.add_page(settings.settings_page, route=settings.ROUTE,
             on_load=[SessionState.require_user, MarketState.load_feed, SettingsState.load,
                      SessionsListState.load],
             title="Numatix · Settings")
app.add_page(auth.login_page, route=LOGIN_ROUTE,
             on_load=[AuthFormState.clear, SessionState.skip_if_signed_in],
             title="Numatix · Log in")
app.add_page(auth.signup_page, route=SIGNUP_ROUTE,
             on_load=[AuthFormState.clear, SessionState.skip_if_signed_in],
             title="Numatix · Sign up")
app.add_page(rx.fragment, route="/", on_load=rx.redirect(trade.DEFAULT_ROUTE), title="Numatix")
app.add_page(rx.fragment, route="/trade", on_load=rx.redirect(trade.DEFAULT_ROUTE), title="Numatix")
app.add_page(not_found.not_found_page, route=not_found.ROUTE, title="Page not found · Numatix")
