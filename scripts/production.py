"""The production app in two steps, what `reflex run --env prod` does in one:

    python scripts/production.py build          # compile + bundle the frontend, unless current
    python scripts/production.py serve --port N # Reflex's production server for that build

`build` writes into Reflex's web folder (``.web``, or ``REFLEX_WEB_WORKDIR``) and records a
fingerprint of everything the bundle is made from; when nothing changed it does nothing, so
a second `make run` starts in seconds and the tests build once for all their servers.
`serve` never compiles or bundles: it runs Reflex's own production server (Granian, the
frontend mounted on the same port), so several servers, on any ports, share one build
(scripts/patch_reflex.py makes a production page talk to the port it came from).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FINGERPRINT_FILE = "numatix-build.sha256"
# What the bundle is compiled from. Python modules count because pages, components and
# states compile to JavaScript; the installed Reflex (with its patched client) counts too.
SOURCES = ("numatix", "assets", "rxconfig.py", "requirements.txt", "scripts/patch_reflex.py")
NOT_SOURCES = ("numatix/sim",)  # the Binance simulator: a program of its own, never part of the app
SOURCE_SUFFIXES = {".py", ".js", ".jsx", ".css", ".json", ".svg", ".png", ".ico", ".txt", ".woff2"}


def web_dir() -> Path:
    return (ROOT / os.environ.get("REFLEX_WEB_WORKDIR", ".web")).resolve()


def fingerprint() -> str:
    """sha256 over the sources of the bundle (paths and contents) and the Reflex client."""
    import reflex_base

    digest = hashlib.sha256()
    files = [ROOT / name for name in SOURCES if (ROOT / name).is_file()]
    for name in SOURCES:
        folder = ROOT / name
        if folder.is_dir():
            files += [path for path in folder.rglob("*") if path.is_file() and path.suffix in SOURCE_SUFFIXES
                      and "__pycache__" not in path.parts and "external" not in path.parts
                      and not any(path.is_relative_to(ROOT / other) for other in NOT_SOURCES)]
    files.append(Path(reflex_base.__file__).parent / ".templates" / "web" / "utils" / "state.js")
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current(folder: Path, wanted: str) -> bool:
    stamp = folder / FINGERPRINT_FILE
    return stamp.is_file() and stamp.read_text().strip() == wanted and (folder / "build" / "client").is_dir()


@contextmanager
def build_lock(folder: Path):
    """One builder per web folder at a time (parallel test processes share a build)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build(force: bool = False) -> int:
    folder, wanted = web_dir(), fingerprint()
    with build_lock(folder):
        if not force and is_current(folder, wanted):
            print(f"Production build in {folder} is current; not rebuilding.")
            return 0
        (folder / FINGERPRINT_FILE).unlink(missing_ok=True)
        reflex = Path(sys.executable).parent / "reflex"
        done = subprocess.run([str(reflex), "export", "--env", "prod", "--frontend-only", "--no-zip",
                               "--loglevel", os.environ.get("NUMATIX_BUILD_LOGLEVEL", "info")],
                              cwd=ROOT, check=False)
        if done.returncode != 0:
            return done.returncode
        (folder / FINGERPRINT_FILE).write_text(wanted + "\n")
    return 0


def serve(port: int, host: str, loglevel: str) -> None:
    """Reflex's `run --env prod` after its build step: the prebuilt frontend mounted on the
    backend's port, Granian workers (``GRANIAN_WORKERS``), nothing compiled; SIGTERM stops
    it within 10 s (scripts/granian_stop.py)."""
    import atexit

    import granian_stop
    from reflex.istate.manager import reset_disk_state_manager
    from reflex.utils import exec, prerequisites, processes
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment
    from reflex_base.utils import console

    if not (web_dir() / "build" / "client").is_dir():
        sys.exit(f"no production build in {web_dir()}: run `python scripts/production.py build` first")
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    prerequisites.assert_in_reflex_dir()
    config = get_config()
    console.set_log_level(constants.LogLevel.from_string(loglevel))
    config._set_persistent(frontend_port=port, backend_port=port)
    reset_disk_state_manager()
    atexit.register(processes.atexit_handler)
    exec.notify_app_running()
    exec.notify_frontend(f"http://{host}:{port}", backend_present=True)
    from numatix.services import runtime  # (importable once Reflex has read rxconfig.py)

    # A worker stops by itself within the runtime's STOP_SECONDS; one still there a second later hangs.
    granian_stop.install(kill_after=runtime.STOP_SECONDS + 1, on_stop=runtime.on_server_stop)
    exec.run_backend_prod(host, port, config.loglevel.subprocess_level(), mount_frontend_compiled_app=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="compile and bundle the frontend unless it is current")
    building.add_argument("--force", action="store_true")
    serving = commands.add_parser("serve", help="serve the build on one port")
    serving.add_argument("--port", type=int, default=3000)
    serving.add_argument("--host", default="0.0.0.0")
    serving.add_argument("--loglevel", default="info", choices=[level.value for level in _log_levels()])
    arguments = parser.parse_args()
    os.chdir(ROOT)
    if arguments.command == "build":
        return build(arguments.force)
    serve(arguments.port, arguments.host, arguments.loglevel)
    return 0


def _log_levels():
    from reflex_base.constants import LogLevel

    return list(LogLevel)


if __name__ == "__main__":
    sys.exit(main())
