"""The device cookie: a note per account, signed for its email, at most five per browser."""

from numatix.security.devices import DeviceCookies

DEVICES = DeviceCookies("s" * 48)


def test_a_note_is_good_for_its_email_only_and_kept_across_log_ins():
    cookie = DEVICES.issue("a@example.com", None)
    device = DEVICES.device_for("a@example.com", cookie)
    assert device is not None and DEVICES.device_for("b@example.com", cookie) is None
    again = DEVICES.issue("a@example.com", cookie)
    assert again == cookie  # the same device keeps its nonce (its budget)
    assert DeviceCookies("t" * 48).device_for("a@example.com", cookie) is None  # another server's secret


def test_one_browser_remembers_the_five_newest_accounts():
    cookie = None
    emails = [f"user{index}@example.com" for index in range(7)]
    for email in emails:
        cookie = DEVICES.issue(email, cookie)
    assert [DEVICES.device_for(email, cookie) is not None for email in emails] == [False] * 2 + [True] * 5
