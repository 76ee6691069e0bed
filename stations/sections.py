"""Sections other modules add to a station's page on the worker's phone (portal:station).

A module that has something to say about a station (a lawyer's duty days there, courses held
there) registers a function from its AppConfig.ready():

    from stations import sections
    sections.register(lawyer_days)   # lawyer_days(station, request) -> dict | None

returning None (nothing to show) or {"title": str, "template": str, "context": dict, "order": int};
the page includes each template under its heading, in `order`, with `section` (the dict) in
its context, so the template reads `section.context`.
"""

from collections.abc import Callable

_PROVIDERS: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def unregister(provider: Callable) -> None:
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def for_station(station, request) -> list[dict]:
    shown = []
    for provider in _PROVIDERS:
        section = provider(station, request)
        if section:
            shown.append(section)
    return sorted(shown, key=lambda s: s.get("order", 100))
