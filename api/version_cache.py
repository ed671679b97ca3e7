"""Values computed from one stored schedule version, kept per process.

A stored version never changes and `api.service` parses each once, so a value is kept under
(event id, version) and served only to the same parsed Event and Schedule objects: a change of the
event's files makes a new Event, so nothing outlives the people it speaks of.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from scheduler.domain import Event, Schedule

T = TypeVar("T")


class VersionCache(Generic[T]):
    """The last `size` values asked for, by version; `get` computes one on a miss."""

    def __init__(self, size: int = 16):
        self._size = size
        self._kept: OrderedDict[tuple[str, int], tuple[Event, Schedule, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, event_id: str, version: int, event: Event, schedule: Schedule, make: Callable[[], T]) -> T:
        key = (event_id, version)
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None and hit[0] is event and hit[1] is schedule:
                self._kept.move_to_end(key)
                return hit[2]
        value = make()  # outside the lock: a slow computation must not hold up other versions
        with self._lock:
            self._kept[key] = (event, schedule, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value
