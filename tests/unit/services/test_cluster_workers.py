"""Several workers only with Redis: ``make run WORKERS=N`` asks before it starts."""

from __future__ import annotations

import pytest

from numatix.config import SettingsError, load_settings
from numatix.services.cluster import workers_refusal


def settings(tmp_path, **environment: str):
    return load_settings({"NUMATIX_DATA_DIR": str(tmp_path), **environment}, tmp_path / "no.env")


def test_several_workers_without_redis_are_refused_with_what_to_set(tmp_path):
    refusal = workers_refusal(settings(tmp_path), 4)
    assert refusal is not None and "WORKERS=4" in refusal and "NUMATIX_REDIS_URL" in refusal


def test_one_worker_needs_nothing_and_several_need_only_redis(tmp_path):
    assert workers_refusal(settings(tmp_path), 1) is None
    assert workers_refusal(settings(tmp_path, NUMATIX_REDIS_URL="redis://127.0.0.1:6379/0"), 4) is None


def test_the_cluster_settings_are_read_and_checked(tmp_path):
    chosen = settings(tmp_path, NUMATIX_CLUSTER_NAME="blue-2", NUMATIX_ENGINE_LEASE_SECONDS="2.5")
    assert chosen.cluster_name == "blue-2" and chosen.engine_lease_seconds == 2.5
    with pytest.raises(SettingsError, match="NUMATIX_CLUSTER_NAME"):
        settings(tmp_path, NUMATIX_CLUSTER_NAME="blue team*")
    with pytest.raises(SettingsError, match="NUMATIX_ENGINE_LEASE_SECONDS"):
        settings(tmp_path, NUMATIX_ENGINE_LEASE_SECONDS="0")
