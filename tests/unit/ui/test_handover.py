"""A page load's event subscription, handed to the task that follows the tab."""

from __future__ import annotations

from numatix.services.events import EventBus
from numatix.ui.states.handover import Handover


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_what_is_published_between_the_load_and_the_task_reaches_the_task():
    bus, handover = EventBus(), Handover()
    key = handover.keep(bus.subscribe(7))
    bus.publish(7, "filled")  # the order's fill, before the task started
    events = handover.take(key)
    assert events is not None and events.drain() == ["filled"]


def test_a_subscription_is_taken_once():
    bus, handover = EventBus(), Handover()
    key = handover.keep(bus.subscribe(7))
    assert handover.take(key) is not None
    assert handover.take(key) is None  # a second task for the same load follows nothing
    assert handover.take("") is None


def test_a_subscription_no_task_took_is_closed_later():
    bus, clock = EventBus(), Clock()
    handover = Handover(clock=clock, unclaimed_seconds=60)
    forgotten = handover.keep(bus.subscribe(7))
    clock.now = 59
    handover.keep(bus.subscribe(8))
    assert bus.reader_count(7) == 1
    clock.now = 60
    taken = handover.keep(bus.subscribe(9))
    assert bus.reader_count(7) == 0 and handover.take(forgotten) is None
    assert bus.reader_count(8) == 1 and handover.take(taken) is not None
