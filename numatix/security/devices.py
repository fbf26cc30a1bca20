"""Devices: a readable name for the browser a session was opened from, and the device cookie
that lets a known device log in past a lock-out."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Edge"), (r"OPR/|Opera", "Opera"), (r"HeadlessChrome/", "Headless Chrome"),
    (r"Chrome/|CriOS/", "Chrome"), (r"Firefox/|FxiOS/", "Firefox"), (r"Safari/", "Safari"),
    (r"^curl/", "curl"), (r"python-httpx|python-requests|aiohttp", "Python script"),
)
_SYSTEMS = (
    (r"Android", "Android"), (r"iPhone|iPad|iPod", "iOS"), (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"), (r"CrOS", "ChromeOS"), (r"Linux|X11", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """"Chrome on Linux", "Python script", or "Unknown device"."""
    agent = user_agent or ""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, agent)), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


DEVICE_COOKIE = "numatix_device"
DEVICE_COOKIE_SECONDS = 365 * 24 * 3600
MAX_ACCOUNTS_PER_DEVICE = 5


class DeviceCookies:
    """OWASP's device cookie: after a log-in, the browser keeps a signed note "this device
    logged in to <email>". An attempt that shows one for the email it names is judged on that
    device's own budget, so an attacker who fails five times on the email (or behind the same
    address) does not lock out the owner on their own devices.

    One cookie holds a note per account (newest first, at most five): ``nonce.signature``
    joined by ``~``; the signature is an HMAC of the email and the nonce, so a note proves
    nothing for another email, and nothing is stored on the server.
    """

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"numatix-device-cookies", hashlib.sha256).digest()

    def device_for(self, email: str, cookie: str | None) -> str | None:
        """The nonce of this cookie's note for ``email``, when it holds a genuine one."""
        for note in _notes(cookie):
            nonce, _, signature = note.partition(".")
            if nonce and hmac.compare_digest(signature, self._sign(email, nonce)):
                return nonce
        return None

    def issue(self, email: str, cookie: str | None) -> str:
        """The cookie after a log-in to ``email`` on this device: its note first, kept if it had one."""
        nonce = self.device_for(email, cookie) or secrets.token_urlsafe(12)
        mine = f"{nonce}.{self._sign(email, nonce)}"
        others = [note for note in _notes(cookie) if note != mine]
        return "~".join([mine, *others][:MAX_ACCOUNTS_PER_DEVICE])

    def _sign(self, email: str, nonce: str) -> str:
        digest = hmac.new(self._key, f"{email}|{nonce}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode()


def _notes(cookie: str | None) -> list[str]:
    if not cookie or len(cookie) > 1000:
        return []
    return [note for note in cookie.split("~") if _NOTE.fullmatch(note)]


_NOTE = re.compile(r"[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_=-]{1,64}")
