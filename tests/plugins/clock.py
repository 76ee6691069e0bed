"""`--clock=2027-01-01T00:05+08:00`: run the tests as if the clock read that instant (and ran on).

A test written in one month can pass only because of it (a default "this month", a card number's
year); moving the clock to a month's or a year's turn finds them before the calendar does. The
clock of this process and of each xdist worker is moved (time-machine); a browser keeps the real
one, so browser tests are best left out (`--ignore=tests/browser`).
"""

import pytest
import time_machine

TRAVEL = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser):
    parser.addoption(
        "--clock", default="", metavar="INSTANT", help="run as if the clock read INSTANT (ISO 8601)"
    )


def pytest_configure(config):
    instant = config.getoption("--clock")
    if instant:
        traveller = time_machine.travel(instant, tick=True)
        traveller.start()
        config.stash[TRAVEL] = traveller


def pytest_unconfigure(config):
    traveller = config.stash.get(TRAVEL, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    instant = config.getoption("--clock")
    return f"clock moved to {instant}" if instant else None
