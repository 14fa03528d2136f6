"""Whole numbers read from text people type or Exact sends."""

from __future__ import annotations

# The largest value of the database's integer column (invoice and debtor numbers) and of its
# big integer column (the keys).
INTEGER_LARGEST = 2_147_483_647
BIG_INTEGER_LARGEST = 9_223_372_036_854_775_807


def whole_number(text: str, *, largest: int | None = None) -> int | None:
    """``text`` as a whole number when it is ASCII digits only, and at most ``largest`` when
    given; None for anything else.

    ``str.isdigit`` also holds for "²" and other characters ``int`` refuses, and for digits
    of other scripts; a number a column cannot hold would fail in the database instead of
    matching nothing.
    """
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    if largest is not None and number > largest:
        return None
    return number
