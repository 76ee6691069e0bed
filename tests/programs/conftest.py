"""Fixtures the capacity engine's tests share (a file may define its own `official` elsewhere)."""

import pytest

from .. import factories


@pytest.fixture
def site(tree):
    """A grassroots union (a rider station's) under 柯桥街道."""
    return tree["site_a"]


@pytest.fixture
def official(tree):
    """A service official of 柯桥街道 (so of the site too)."""
    return factories.official("service_a", "service", tree["town_a"])
