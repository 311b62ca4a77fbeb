"""Fixtures of the Data Model tests (the synthetic event writer lives in tests/conftest.py)."""
import pytest


@pytest.fixture
def obs1479(shared_data):
    return shared_data / "xrayevents_obs1479"
