"""Hypothesis profiles: ``numatix`` for `make test`, ``thorough`` for a nightly run.

Hypothesis' own timing checks (a 200 ms deadline per example, "data generation too slow")
fail on a busy machine without saying anything about the code: off in both. `make test` has
to finish in under 10 minutes on two shared cores, so the costliest property tests (each
example a request to a live server) try fewer examples there; every run draws new ones.
``NUMATIX_HYPOTHESIS_PROFILE=thorough`` (`make test-thorough`) tries many more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

THOROUGH = os.environ.get("NUMATIX_HYPOTHESIS_PROFILE") == "thorough"


def examples(fast: int, thorough: int) -> int:
    """How many examples a costly property test tries under the profile in use."""
    return thorough if THOROUGH else fast


def load() -> None:
    settings.register_profile("numatix", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("thorough", parent=settings.get_profile("numatix"), max_examples=500)
    settings.load_profile("thorough" if THOROUGH else "numatix")
