"""Reflex configuration: one port in production, bun from the project-local npm install.

Settings are validated here, before Reflex does anything, so a bad value stops start-up
with one line that names the variable.
"""

import sys
from pathlib import Path

import reflex as rx

from numatix.config import SettingsError, get_settings

ROOT = Path(__file__).resolve().parent
BUN = ROOT / ".tools" / "node_modules" / ".bin" / "bun"

try:
    settings = get_settings()
except SettingsError as error:
    print(f"Numatix configuration error: {error}", file=sys.stderr)
    sys.exit(2)

config = rx.Config(
    app_name="numatix",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    bun_path=BUN,
    redis_url=settings.redis_url,
    # Credentialed cross-origin answers only to the listed sites (Reflex's default is any origin);
    # numatix/api/origins.py refuses their state-changing requests and socket handshakes.
    cors_allowed_origins=settings.allowed_origins,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="inherit", accent_color="amber", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
