"""Timed steps of a stage: each step's name and wall seconds, in order (a result's ``timings``)."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class StepTimer:
    """Call with a step's name and its work: runs the work, appends ``(name, seconds)`` to ``timings``."""

    def __init__(self, timings: list[tuple[str, float]]) -> None:
        self.timings = timings

    def __call__(self, name: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        value = work()
        self.timings.append((name, time.perf_counter() - started))
        return value
