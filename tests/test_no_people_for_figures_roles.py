"""Finance and audit see no personal data (accounts.choices.PERSONAL_VIEW): not on a list, and not on
the page of something they may see either (a program's session listed its registrations, a benefit
distribution its grantees; found by fuzzing the pages). Every console page these roles reach from the
demo district, one address per URL pattern, is read for a masked name, ID number or phone."""

import re
from collections import deque

import pytest
from django.urls import resolve

from tests import factories
from tests.demo.seeding import seeded_district

pytestmark = pytest.mark.django_db
MASKED = re.compile(r"[\u4e00-\u9fff]\*{1,3}(?![\w*])|\d{6}\*{8}[\dX]{4}|1\d{2}\*{4}\d{4}")
LINK = re.compile(r'href="(/(?:console|accounts)/[^"#]*)"')
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with seeded_district(django_db_blocker, "--quiet"):
        yield


def _crawl(client, limit: int = 300) -> dict[str, str]:
    """Pages reached by links from the console's home, the first address of each URL pattern; their text."""
    queue, seen_routes, pages = deque(["/console/"]), set(), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        route = resolve(url.split("?")[0]).route
        key = (route, "?" in url)
        if key in seen_routes:
            continue
        seen_routes.add(key)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = TAG.sub(" ", html)
        queue.extend(link.replace("&amp;", "&") for link in LINK.findall(html))
    return pages


@pytest.mark.parametrize("kind", ["finance", "audit"])
def test_figures_roles_see_no_person_anywhere(demo, login, kind):
    from orgs.models import Union

    district = Union.objects.get(parent=None)
    client = login(factories.official(f"figures_{kind}", kind, district))
    pages = _crawl(client)
    found = {url: MASKED.findall(text)[:3] for url, text in pages.items() if MASKED.search(text)}
    assert len(pages) > 40 and found == {}
