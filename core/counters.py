"""Figures that modules contribute to a union's page, without the union tree importing them.

A module registers `counter(label, fn)` in its AppConfig.ready(); `fn(union)` returns
one number for the union's subtree (one query). Stations, programs and the rest
add theirs the same way.
"""

from collections.abc import Callable

_counters: list[tuple[str, Callable]] = []


def counter(label, fn: Callable) -> None:
    _counters.append((label, fn))


def union_figures(union) -> list[tuple[str, int]]:
    return [(label, fn(union)) for label, fn in _counters]
