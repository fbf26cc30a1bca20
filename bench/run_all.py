"""`make bench`: run every benchmark under bench/ in turn and print its table.

Each benchmark is a script of its own (bounded in time, loopback only) so one can be
run alone while working on it: ``.venv/bin/python bench/bench_hub.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.stem} ===", flush=True)
        env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, env=env)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
