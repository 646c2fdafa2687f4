"""Shared constants of the generator tests."""

import datetime

AS_OF = datetime.date(2026, 6, 15)
"""Generation date of the tests that need no database (fixed, so results do not drift)."""
