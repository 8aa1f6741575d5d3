"""Counting evaluation steps: the meter both runners charge, and the size of a call's arguments."""

from __future__ import annotations

from typing import Any


class OverBudget(BaseException):
    """Raised inside an evaluation when the steps run out.

    A :class:`BaseException`, so that no handler of cel-python (nor of the compiled
    runner, which mirrors them) catches it, logs it or turns it into a value.
    """


class Meter:
    """The steps one expression has spent, and how many it may spend."""

    __slots__ = ("left", "spent")

    def __init__(self, left: int) -> None:
        self.left = left
        self.spent = 0

    def spend(self, steps: int) -> None:
        self.spent += steps
        if self.spent > self.left:
            raise OverBudget


def size_cost(arguments: Any) -> int:
    """Steps a call costs for the size of its arguments: one per 64 characters or elements."""
    if not isinstance(arguments, list | tuple):
        return 0
    return sum(len(a) // 64 for a in arguments if isinstance(a, str | bytes | list | dict))


def result_cost(value: Any) -> int:
    """Steps a concatenation costs for what it built: one per 64 characters or elements."""
    return len(value) // 64 if isinstance(value, str | list) else 0
