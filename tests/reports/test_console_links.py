"""Every link of the console's home and navigation opens for the role that is shown it (found by fuzzing
the pages: a judge's navigation led to both statistics pages and its home to its union's page, 404s)."""

import re

import pytest

from accounts.choices import RoleKind

from .. import factories

LINK = re.compile(r'href="(/(?:console|accounts)/[^"#?]*)"')


@pytest.mark.parametrize("kind", RoleKind.values)
def test_the_home_and_the_navigation_lead_to_pages_that_open(tree, login, kind):
    client = login(factories.official(f"links_{kind}", kind, tree["district"]))
    home = client.get("/console/")
    assert home.status_code == 200
    links = sorted(set(LINK.findall(home.content.decode())) - {"/accounts/logout/"})
    broken = [(link, status) for link in links if (status := client.get(link).status_code) >= 400]
    assert len(links) > 20 and broken == []
