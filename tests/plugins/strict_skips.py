"""`--strict-skips=browser,postgres`: a skipped browser or PostgreSQL test fails the run.

Locally a missing Chromium or PostgreSQL only skips the tests that need them; in CI
(`./test` under CI=true) a silent skip would hide a whole class of failures, so
those skips become failures. A test belongs to a kind by its marker (`browser`,
`postgres`) or, for skips written by hand, by the words in its skip reason.
"""

import re

import pytest

KINDS = {
    "browser": re.compile(r"browser|chromium|playwright", re.IGNORECASE),
    "postgres": re.compile(r"postgres", re.IGNORECASE),
}
STRICT = pytest.StashKey[set]()


def pytest_addoption(parser):
    parser.addoption(
        "--strict-skips",
        default="",
        metavar="KINDS",
        help="comma-separated test kinds (browser, postgres) whose skips fail the run",
    )


def pytest_configure(config):
    kinds = {kind.strip() for kind in config.getoption("--strict-skips").split(",") if kind.strip()}
    unknown = kinds - KINDS.keys()
    if unknown:
        raise pytest.UsageError(f"--strict-skips: unknown kinds {sorted(unknown)}; known: {sorted(KINDS)}")
    config.stash[STRICT] = kinds
    config.addinivalue_line("markers", "postgres: needs PostgreSQL; skipped on SQLite")


def pytest_report_header(config):
    kinds = config.stash[STRICT]
    return f"strict skips: {', '.join(sorted(kinds))}" if kinds else None


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (this run is on SQLite)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def _reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr or "")


def _kind(markers: set[str], reason: str, kinds: set[str]) -> str | None:
    for kind in sorted(kinds):
        if kind in markers or KINDS[kind].search(reason):
            return kind
    return None


def _fail(report, kind: str, reason: str) -> None:
    report.outcome = "failed"
    report.longrepr = (
        f"{kind} test skipped under --strict-skips ({reason.removeprefix('Skipped: ')}). "
        f"This run requires {'Chromium' if kind == 'browser' else 'PostgreSQL'}: install or start it."
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    kinds = item.config.stash[STRICT]
    if kinds and report.skipped and not hasattr(report, "wasxfail"):
        reason = _reason(report)
        kind = _kind({mark.name for mark in item.iter_markers()}, reason, kinds)
        if kind:
            _fail(report, kind, reason)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    # A module that skips itself at import (pytest.importorskip("playwright")) never yields items.
    report = yield
    kinds = collector.config.stash[STRICT]
    if kinds and report.skipped:
        reason = _reason(report)
        kind = _kind(set(), reason, kinds)
        if kind:
            _fail(report, kind, reason)
    return report
