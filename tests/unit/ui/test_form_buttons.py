"""In every form of every page, only the submit button submits.

A ``<button>`` inside a ``<form>`` without a type is a submit button: the side toggles
were, and a click on "Sell" placed an order. Every button in a form must say its type,
and each form has exactly one submit button. (Radix's own triggers, which render their
buttons with ``type="button"``, are covered by the browser sweep.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reflex_components_core.el.elements.forms import Form
from reflex_components_radix.themes.components.button import Button

from numatix.ui.pages import auth, settings, trade


def _walk(component) -> Iterator[object]:
    yield component
    for child in getattr(component, "children", None) or []:
        yield from _walk(child)


def _forms(page) -> list[Form]:
    return [node for node in _walk(page()) if isinstance(node, Form)]


def _button_type(button: Button) -> str | None:
    value = getattr(button, "type", None)
    return None if value is None else str(value).strip('"')


PAGES = {"trade": trade.trade_page, "settings": settings.settings_page, "login": auth.login_page,
         "signup": auth.signup_page}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_button_in_a_form_says_whether_it_submits(name):
    forms = _forms(PAGES[name])
    assert forms, f"the {name} page has no form"
    for form in forms:
        buttons = [node for node in _walk(form) if isinstance(node, Button)]
        types = [_button_type(button) for button in buttons]
        assert None not in types, f"a button in a form on {name} has no type: it would submit the form"
        assert types.count("submit") == 1, f"a form on {name} has {types.count('submit')} submit buttons"


def test_the_order_forms_side_toggles_are_plain_buttons():
    form = next(f for f in _forms(trade.trade_page) if "order-form" in str(f))
    sides = [node for node in _walk(form) if isinstance(node, Button) and "side-" in str(node)]
    assert len(sides) == 2
    assert {_button_type(button) for button in sides} == {"button"}
