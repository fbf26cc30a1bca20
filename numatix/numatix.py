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
# Toasts stack at the bottom left: never over the 24h stats or the book's title (top centre, where
# they were), the tables' Cancel/Delete column (bottom right) nor the form's side toggles (top
# right); newest at the bottom, so "placed" reads above "filled".
app = rx.App(api_transformer=[build_api(), with_security_headers, behind_trusted_proxies],
             backend_exception_handler=on_backend_error,
             toaster=rx.toast.provider(position="bottom-left", offset="16px", close_button=True,
                                       expand=True))
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
