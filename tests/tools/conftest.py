"""Fixtures shared by the real-tool tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lab.lab import Lab


@pytest.fixture
def cold(lab: Lab) -> Iterator[Lab]:
    """The lab with empty resolver caches (first-query EDE text, not the bogus cache's)."""
    lab.flush()
    yield lab
