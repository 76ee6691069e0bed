"""Answers a process may give from memory for a moment: for a read that a burst of requests repeats
with the same key, whose answer may lag the database by that moment (what is decided by it, such as
a seat, is decided again by the database itself).

`Recent(read, seconds)` keeps what `read(key)` returned (None included) per process for `seconds`,
for at most `size` keys (beyond, it starts again empty). `forget()` drops everything: call it when
this process changes what was read; other processes catch up within `seconds`. A miss in two threads
at once reads twice, which is harmless.
"""

import time
from collections.abc import Callable, Hashable
from typing import Any


class Recent:
    def __init__(self, read: Callable[[Hashable], Any], seconds: float, size: int = 1024):
        self.read, self.seconds, self.size = read, seconds, size
        self._kept: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable):
        now = time.monotonic()
        kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self.seconds:
            return kept[1]
        value = self.read(key)
        if len(self._kept) >= self.size:
            self._kept = {}
        self._kept[key] = (now, value)
        return value

    def forget(self, *args, **kwargs) -> None:
        """Drop every answer (its arguments are ignored, so that it can receive signals)."""
        self._kept = {}
