"""Reflex entry point: pages, the process-wide runtime (market hub, services) and the API."""

import reflex as rx

from numatix.api.app import build_api
from numatix.api.headers import with_security_headers
from numatix.api.proxy import behind_trusted_proxies
from numatix.services.runtime import lifespan
from numatix.ui.pages import auth, settings, trade
from numatix.ui.states.account import AccountState
from numatix.ui.states.alerts import AlertsState
from numatix.ui.states.auth_forms import AuthFormState
from numatix.ui.states.market import MarketState
from numatix.ui.states.session import LOGIN_ROUTE, SIGNUP_ROUTE, SessionState
from numatix.ui.states.settings import SettingsState

# The proxy middleware comes last so it wraps everything, Reflex's event socket included.
app = rx.App(api_transformer=[build_api(), with_security_headers, behind_trusted_proxies])
app.register_lifespan_task(lifespan)
app.add_page(trade.trade_page, route=trade.ROUTE,
             on_load=[SessionState.require_user, MarketState.load_page, AccountState.load, AlertsState.load],
             title="Numatix · Trade")
app.add_page(settings.settings_page, route=settings.ROUTE, on_load=[SessionState.require_user, SettingsState.load],
             title="Numatix · Settings")
app.add_page(auth.login_page, route=LOGIN_ROUTE, on_load=[AuthFormState.clear, SessionState.skip_if_signed_in],
             title="Numatix · Log in")
app.add_page(auth.signup_page, route=SIGNUP_ROUTE, on_load=[AuthFormState.clear, SessionState.skip_if_signed_in],
             title="Numatix · Sign up")
app.add_page(rx.fragment, route="/", on_load=rx.redirect(trade.DEFAULT_ROUTE), title="Numatix")
