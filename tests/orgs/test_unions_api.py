"""The union tree through the API: a union of a name its parent already has is refused, as on the console."""

from rest_framework.test import APIClient

from orgs.models import Union
from tests import factories


def test_a_namesake_under_one_parent_is_refused(tree):
    client = APIClient()
    client.force_authenticate(factories.official("kq_org", "organisation", tree["town_a"]))
    body = {"name": "柯桥街道快递行业联合工会", "kind": "joint", "parent": tree["town_a"].pk}
    body["region"] = tree["town_a"].region_id
    made = client.post("/api/v1/unions/", body, format="json")
    assert made.status_code == 201, made.json()
    again = client.post("/api/v1/unions/", body, format="json")
    assert again.status_code == 400
    assert again.json() == {"name": ["上级工会下已有同名工会“柯桥街道快递行业联合工会”"]}
    # Renaming another union to it: refused; renaming the union itself to its own name: fine.
    other = client.post("/api/v1/unions/", {**body, "name": "柯桥街道外卖行业联合工会"}, format="json").json()
    renamed = client.patch(f"/api/v1/unions/{other['id']}/", {"name": body["name"]}, format="json")
    assert renamed.status_code == 400 and "name" in renamed.json()
    same = client.patch(f"/api/v1/unions/{made.json()['id']}/", {"name": body["name"]}, format="json")
    assert same.status_code == 200
    assert Union.objects.filter(name=body["name"]).count() == 1
