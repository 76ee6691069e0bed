"""Establishing a union: the steps in order, approval covering every employer at once, documents in scope."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import RoleKind
from core.models import HistoryEntry
from orgs.models import Employer, Establishment, EstablishmentDocument, Union
from orgs.services import establishment as services
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def employer(name, town, headcount=30):
    return Employer.objects.create(
        name=name, sector="express", region=town.region, area_union=town, headcount=headcount
    )


def snapshot():
    return (
        list(Establishment.objects.order_by("pk").values()),
        list(Union.objects.order_by("pk").values()),
        list(Employer.objects.order_by("pk").values()),
        HistoryEntry.objects.count(),
    )


@pytest.fixture
def org(tree):
    return factories.official("org", RoleKind.ORGANISATION, tree["town_a"])


@pytest.fixture
def started(tree, org):
    sites = [employer(f"快递网点{n}", tree["town_a"]) for n in range(3)]
    union = Union(
        name="柯桥街道快递联合工会", kind="joint", parent=tree["town_a"], region=tree["town_a"].region
    )
    return services.start(union=union, by=org, employers=sites, responsible=org, preparation_on=D(2026, 3, 1))


def test_start_puts_a_preparing_union_in_the_tree(started, tree):
    union = started.union
    assert (union.status, union.parent, union.established_on, union.path.startswith(tree["town_a"].path)) == (
        "preparing",
        tree["town_a"],
        None,
        True,
    )
    assert (started.stage, started.preparation_on, started.employers.count()) == (
        "preparation",
        D(2026, 3, 1),
        3,
    )
    assert list(Employer.objects.filter(union__isnull=False)) == []
    entry = HistoryEntry.objects.for_object(started).filter(kind="action").get()
    assert (entry.verb, entry.actor_id) == ("启动筹备", None)


def test_steps_in_order_and_approval_covers_every_employer(started, org):
    before = snapshot()
    with pytest.raises(ValidationError, match="须先完成选举并报请批复"):
        services.approve(started, D(2026, 5, 1), "柯工〔2026〕1号", org)
    with pytest.raises(ValidationError, match="日期不能早于 2026-03-"):
        services.advance(started, D(2026, 2, 1), org)
    with pytest.raises(ValidationError, match="日期不能晚于今天"):  # it would block every later step
        services.advance(started, D(9999, 12, 31), org)
    assert snapshot() == before

    services.advance(started, D(2026, 4, 1), org)
    started.refresh_from_db()
    assert (started.stage, started.election_on) == ("election", D(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.approve(started, D(2026, 5, 1), "柯工〔2026〕1号", org)
    services.advance(started, D(2026, 4, 5), org)
    with pytest.raises(ValidationError, match="批复日期：日期不能早于 2026-04-01"):
        services.approve(started, D(2026, 3, 30), "x", org)
    with pytest.raises(ValidationError, match="不能进入下一步"):
        services.advance(started, D(2026, 4, 6), org)
    services.approve(started, D(2026, 4, 20), "柯工〔2026〕1号", org)

    started.refresh_from_db()
    union = started.union
    assert (started.stage, started.approved_on, started.approval_reference) == (
        "established",
        D(2026, 4, 20),
        "柯工〔2026〕1号",
    )
    assert (union.status, union.established_on) == ("active", D(2026, 4, 20))
    assert set(Employer.objects.filter(union=union).values_list("name", flat=True)) == {
        "快递网点0",
        "快递网点1",
        "快递网点2",
    }
    verbs = list(
        HistoryEntry.objects.for_object(started).filter(kind="action").order_by("pk").values_list("verb")
    )
    assert verbs == [("启动筹备",), ("召开选举大会",), ("报请批复",), ("批复建会",)]
    with pytest.raises(ValidationError):
        services.abandon(started, D(2026, 5, 1), "重复", org)


def test_abandon(started, org):
    with pytest.raises(ValidationError, match="请填写终止原因"):
        services.abandon(started, D(2026, 5, 1), " ", org)
    services.abandon(started, D(2026, 5, 1), "企业注销", org)
    started.refresh_from_db()
    assert (started.stage, started.union.status) == ("abandoned", "dissolved")
    with pytest.raises(ValidationError):
        services.advance(started, D(2026, 5, 2), org)


def test_steps_outside_scope_change_nothing(started, tree):
    outsider = factories.official("town-b", RoleKind.ORGANISATION, tree["town_b"])
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.advance(started, D(2026, 4, 1), outsider)
    assert snapshot() == before
    union = Union(name="越界工会", kind="grassroots", parent=tree["town_a"], region=tree["town_a"].region)
    with pytest.raises(PermissionDenied):
        services.start(union=union, by=outsider, preparation_on=D(2026, 3, 1))
    assert snapshot() == before
    client = Client()
    client.force_login(outsider)
    for step in ("advance", "approve", "abandon"):
        url = reverse(f"orgs:establishment-{step}", args=[started.pk])
        assert client.post(url, {"on": "2026-04-01", "reference": "x", "reason": "x"}).status_code == 404
    assert snapshot() == before


def test_console_flow(tree, org, login):
    official = login(org)
    sites = [employer("顺丰柯桥网点", tree["town_a"]), employer("中通柯桥网点", tree["town_a"])]
    elsewhere = employer("华舍网点", tree["town_b"])
    data = {"name": "柯桥街道快递行业联合工会", "kind": "joint", "parent": tree["town_a"].pk}
    data |= {"region": tree["town_a"].region_id, "sector": "express", "responsible": org.pk}
    data |= {"employers": [s.pk for s in sites], "preparation_on": "2026-03-01", "note": ""}
    before = snapshot()
    refused = official.post(reverse("orgs:establishment-start"), {**data, "employers": [elsewhere.pk]})
    assert refused.status_code == 200 and "employers" in refused.context["form"].errors
    refused = official.post(reverse("orgs:establishment-start"), {**data, "parent": tree["town_b"].pk})
    assert refused.status_code == 200 and "parent" in refused.context["form"].errors
    refused = official.post(reverse("orgs:establishment-start"), {**data, "note": "说" * 2001})
    assert refused.status_code == 200 and "2000" in refused.context["form"].errors["note"][0]
    assert snapshot() == before
    response = official.post(reverse("orgs:establishment-start"), data)
    made = Establishment.objects.get()
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    # The same union started twice (a double click, a second official): refused, nothing added.
    twice = official.post(reverse("orgs:establishment-start"), {**data, "employers": []})
    assert twice.status_code == 200
    assert twice.context["form"].errors["name"] == ["上级工会下已有同名工会“柯桥街道快递行业联合工会”"]
    assert Establishment.objects.count() == 1

    page = official.get(made.get_absolute_url())
    assert page.status_code == 200 and page.context["approve_form"] is None
    official.post(
        reverse("orgs:establishment-approve", args=[made.pk]), {"on": "2026-04-01", "reference": "x"}
    )
    made.refresh_from_db()
    assert made.stage == "preparation"
    official.post(reverse("orgs:establishment-advance", args=[made.pk]), {"on": "2026-04-01"})
    official.post(reverse("orgs:establishment-advance", args=[made.pk]), {"on": "2026-04-02"})
    official.post(
        reverse("orgs:establishment-approve", args=[made.pk]), {"on": "2026-04-10", "reference": "柯工1号"}
    )
    made.refresh_from_db()
    assert (made.stage, made.union.status, made.union.established_on) == (
        "established",
        "active",
        D(2026, 4, 10),
    )
    assert Employer.objects.filter(union=made.union).count() == 2
    assert Employer.objects.get(pk=elsewhere.pk).union is None


def test_documents_are_served_only_within_scope(started, tree, org, login):
    official = login(org)
    url = reverse("orgs:establishment-document-add", args=[started.pk])
    bad = SimpleUploadedFile("张三身份证.exe", b"MZ", content_type="application/octet-stream")
    official.post(url, {"kind": "application", "title": "申请", "file": bad})
    # The content must be what the name says (found by fuzzing: an executable named .pdf, text named
    # .png were kept and served with those types).
    for name, content in (("a.pdf", b"MZ\x90\x00"), ("b.png", b"just text"), ("c.docx", b"%PDF-1.4")):
        disguised = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        data = {"kind": "application", "title": "申请", "file": disguised}
        response = official.post(url, data, follow=True)
        assert "请上传原始文件，不要只改扩展名" in response.content.decode(), name
    assert EstablishmentDocument.objects.count() == 0
    upload = SimpleUploadedFile("张三的申请.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    title = "建会申请 330621199001010011"  # an ID number typed into the title, which names the download
    assert official.post(url, {"kind": "application", "title": title, "file": upload}).status_code == 302
    document = EstablishmentDocument.objects.get()
    assert document.title == "建会申请 330621********0011"
    # Stored under a random name: a file name may carry a person's name.
    assert "张三" not in document.file.name and document.file.name.endswith(".pdf")
    download = reverse("orgs:establishment-document", args=[document.pk])
    response = official.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 demo"
    assert "attachment" in response["Content-Disposition"]
    assert Client().get(download).status_code == 302
    assert (
        login(factories.official("town-b", RoleKind.ADMIN, tree["town_b"])).get(download).status_code == 404
    )
    assert (
        login(factories.official("lawyer", RoleKind.LAWYER, tree["town_a"])).get(download).status_code == 404
    )
    assert (
        login(factories.official("viewer", RoleKind.VIEWER, tree["district"])).get(download).status_code
        == 200
    )
    # No public URL: /media/ is not served.
    assert Client().get(f"/media/{document.file.name}").status_code == 404
    viewer = login(factories.official("viewer2", RoleKind.VIEWER, tree["town_a"]))
    other = SimpleUploadedFile("b.pdf", b"%PDF", content_type="application/pdf")
    assert viewer.post(url, {"kind": "other", "title": "x", "file": other}).status_code == 404
    assert EstablishmentDocument.objects.count() == 1


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_api_flow(tree, org):
    client = api(org)
    site = employer("美团柯桥站点", tree["town_a"])
    payload = {"name": "美团柯桥站点工会", "kind": "grassroots", "parent": tree["town_a"].pk}
    payload |= {"region": tree["town_a"].region_id, "employers": [site.pk], "preparation_on": "2026-03-01"}
    response = client.post(reverse("establishment-start"), payload, format="json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["stage"], made["union_status"], made["employers"]) == ("preparation", "preparing", [site.pk])
    pk = made["id"]
    response = client.post(
        reverse("establishment-approve", args=[pk]), {"on": "2026-04-01", "reference": "x"}
    )
    assert response.status_code == 400
    assert client.post(reverse("establishment-advance", args=[pk]), {"on": "2026-04-01"}).status_code == 200
    assert client.post(reverse("establishment-advance", args=[pk]), {"on": "2026-04-02"}).status_code == 200
    response = client.post(
        reverse("establishment-approve", args=[pk]), {"on": "2026-04-03", "reference": "柯工2号"}
    )
    assert response.status_code == 200 and response.json()["union_status"] == "active"
    assert Employer.objects.get(pk=site.pk).union_id == response.json()["union"]
    outsider = api(factories.official("town-b", RoleKind.ADMIN, tree["town_b"]))
    assert outsider.get(reverse("establishment-detail", args=[pk])).status_code == 404
    assert (
        outsider.post(
            reverse("establishment-abandon", args=[pk]), {"on": "2026-05-01", "reason": "x"}
        ).status_code
        == 404
    )
    assert outsider.post(reverse("establishment-start"), payload, format="json").status_code == 400
