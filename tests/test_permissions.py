"""The permission matrix, driven by the scoping registry: every model, every action, every kind of user.

For each model in `core.scoping.registry` (made by `tests/makers.py`) and each action
of its policy, the four cases of DESIGN.md are asserted at three levels:
`restrict()`, the console (URLs found from `get_absolute_url` and the URL
resolver) and the API (found from the router). A refused write changes nothing:
the model's rows and the history are compared before and after.

Objects: `inside` and `neighbour` belong to 站点A (under 街道A), `outside` to 站点B
(under 街道B); 区总工会 is above both.
"""

import io

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import ASSIGNED_ROLES, TREE_ROLES, RoleKind
from accounts.models import Role, User
from core.models import HistoryEntry, Job, PiiAccess
from core.scoping import ADD, CHANGE, DELETE, EXPORT, VIEW, can, check_write, policy, registry
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView
from members.models import Person
from niangjia.api_urls import router
from orgs.models import Union

from . import factories
from .makers import ASSIGNERS, MAKERS

MODELS = sorted(registry, key=lambda model: model._meta.label)
IDS = [model._meta.label for model in MODELS]


def label(model) -> str:
    return model._meta.label


PLACES = ("site_a", "district", "town_b")


def make(model, union):
    assert model in MAKERS, f"{model._meta.label} is scoped but tests/makers.py has no maker for it"
    return MAKERS[model](union)


def state(model):
    """Everything a refused write must leave as it was."""
    return list(model._base_manager.order_by("pk").values()), HistoryEntry.objects.count()


def pks(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def granting(model, action) -> str:
    """A tree role that grants `action`, the least powerful one (admin only when nothing else does)."""
    kinds = sorted(registry[model].roles[action] & TREE_ROLES)
    assert kinds, f"{model._meta.label}: no tree role grants {action}"
    return next((kind for kind in kinds if kind != RoleKind.ADMIN), kinds[0])


def lacking(model, action) -> str:
    """A role on the same union without `action`; an unassigned lawyer when every tree role grants it."""
    kinds = sorted(TREE_ROLES - registry[model].roles[action])
    if RoleKind.VIEWER in kinds:
        return RoleKind.VIEWER
    return kinds[0] if kinds else RoleKind.LAWYER


def assign(instance, path: str, user) -> None:
    """Assign an object to a user along a policy's `assigned` path (or the model's ASSIGNERS entry)."""
    if type(instance) in ASSIGNERS:
        ASSIGNERS[type(instance)](instance, user)
        return
    *through, last = path.split("__")
    owner = instance
    for name in through:
        owner = getattr(owner, name)
    field = owner._meta.get_field(last)
    if field.many_to_many:
        getattr(owner, last).add(user)
    elif field.many_to_one or field.one_to_one:
        setattr(owner, last, user)
        owner.save()
    else:
        pytest.fail(f"add ASSIGNERS[{type(instance).__name__}] to tests/makers.py for path {path!r}")


@pytest.fixture
def objects(tree, request):
    model = request.param
    return {
        "inside": (make(model, tree["site_a"]), tree["site_a"]),
        "neighbour": (make(model, tree["site_a"]), tree["site_a"]),
        "outside": (make(model, tree["site_b"]), tree["site_b"]),
    }


def test_every_scoped_model_has_a_maker():
    missing = [model._meta.label for model in registry if model not in MAKERS]
    assert missing == [], f"add a maker to tests/makers.py for: {missing}"


# ---------------------------------------------------------------- level 1: restrict()


@pytest.mark.parametrize("objects", MODELS, ids=IDS, indirect=True)
def test_restrict_matrix(tree, objects):
    """Every role kind, held on the object's union, an ancestor and a sibling subtree, for every action."""
    model = type(objects["inside"][0])
    scope = registry[model]
    all_pks = {obj.pk for obj, _ in objects.values()}
    holders = {
        (kind, place): factories.official(f"{kind}-{place}", kind, tree[place])
        for kind in RoleKind.values
        for place in PLACES
    }
    worker = User.objects.create_user("worker", is_worker=True)
    nobody = User.objects.create_user("no-role")
    inactive = factories.official("inactive", RoleKind.ADMIN, tree["district"])
    inactive.is_active = False
    inactive.save()
    superuser = User.objects.create_superuser("root", password="correct-horse-battery")

    wrong = []
    for action in scope.roles:

        def check(who, user, expected, action=action):
            got = pks(model.objects.restrict(user, action).filter(pk__in=all_pks))
            if got != expected:
                wrong.append(f"{action} by {who}: {sorted(got)} != {sorted(expected)}")
            for obj, _union in objects.values():
                if can(user, action, obj) != (obj.pk in expected):
                    wrong.append(f"can({who}, {action}, {obj.pk}) disagrees with restrict")

        check("anonymous", AnonymousUser(), set())
        check("worker", worker, set())
        check("user without roles", nobody, set())
        check("inactive admin", inactive, set())
        check("superuser", superuser, all_pks)
        for (kind, place), user in holders.items():
            grants = kind in scope.roles[action] and kind in TREE_ROLES
            expected = {obj.pk for obj, union in objects.values() if grants and union.is_within(tree[place])}
            check(f"{kind}@{place}", user, expected)
    assert wrong == []


@pytest.mark.parametrize("objects", MODELS, ids=IDS, indirect=True)
def test_assigned_only_roles_see_what_is_assigned(tree, objects):
    """Lawyers, auditors, judges and keepers see exactly what the policy's `assigned` paths give them."""
    model = type(objects["inside"][0])
    scope = registry[model]
    inside = objects["inside"][0]
    all_pks = {obj.pk for obj, _ in objects.values()}
    wrong = []
    for kind in sorted(ASSIGNED_ROLES):
        user = factories.official(f"assigned-{kind}", kind, tree["site_a"])
        for action in scope.roles:
            if pks(model.objects.restrict(user, action).filter(pk__in=all_pks)):
                wrong.append(f"unassigned {kind} may {action}")
        for path in set(scope.assigned.values()):
            assign(inside, path, user)
        user = User.objects.get(pk=user.pk)
        for action in scope.roles:
            # An assignment held under a role kind (a consultation's lawyer) counts for that kind only.
            holds = not scope.assigned_role or kind == scope.assigned_role
            expected = {inside.pk} if action in scope.assigned and holds else set()
            got = pks(model.objects.restrict(user, action).filter(pk__in=all_pks))
            if got != expected:
                wrong.append(f"assigned {kind} {action}: {sorted(got)} != {sorted(expected)}")
    assert wrong == []


def test_assigned_path_mechanism(tree, monkeypatch):
    """With a policy that assigns a role row to its holder, that holder sees exactly their own rows."""
    scope = policy("union", view=TREE_ROLES, change={RoleKind.ADMIN}, assigned={VIEW: "user"})
    monkeypatch.setitem(registry, Role, scope)
    lawyer = factories.official("lawyer", RoleKind.LAWYER, tree["site_a"])
    other = factories.official("lawyer-b", RoleKind.LAWYER, tree["site_b"])
    own = Role.objects.get(user=lawyer)
    assert pks(Role.objects.restrict(lawyer, VIEW)) == {own.pk}
    assert pks(Role.objects.restrict(lawyer, CHANGE)) == set()
    assert pks(Role.objects.restrict(other, VIEW)) == {Role.objects.get(user=other).pk}
    admin = factories.official("admin-a", RoleKind.ADMIN, tree["town_a"])
    # A tree role and an assignment together: the union of both, each row once.
    assert pks(Role.objects.restrict(admin, VIEW)) == pks(
        Role.objects.filter(union__path__startswith=tree["town_a"].path)
    )


# ---------------------------------------------------------------- level 2: the console


def console_routes():
    """model -> {"list"|"detail"|"create"|"update": URL name}, found in the URL resolver."""
    kinds = {ConsoleListView: "list", ConsoleDetailView: "detail", ConsoleCreateView: "create"}
    kinds[ConsoleUpdateView] = "update"
    found: dict = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", getattr(pattern.callback, "view_class", None)

    for name, view_class in walk(get_resolver().url_patterns, ""):
        for base, kind in kinds.items():
            if view_class and issubclass(view_class, base) and view_class.model in registry:
                found.setdefault(view_class.model, {})[kind] = (name, view_class)
    return found


CONSOLE = console_routes()


def form_data(form_class, obj, user) -> dict:
    """The POST a browser sends for this object's form as it stands."""
    form = form_class(instance=obj, user=user)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        else:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def edited(form_class, data) -> tuple[dict, str, object]:
    """The same data with one plain text or yes/no field changed: (data, field name, its new value)."""
    for name, field in form_class.base_fields.items():
        if type(field) is forms.CharField and data.get(name):
            return {**data, name: f"{data[name]}改"}, name, f"{data[name]}改"
    for name, field in form_class.base_fields.items():
        if type(field) is forms.BooleanField:
            flipped = {key: value for key, value in data.items() if key != name}
            if name not in data:
                flipped[name] = "on"
            return flipped, name, name not in data
    return data, "", None


def new_sample_data(model, union, form_or_payload):
    """Form data (or API payload) for a row that does not exist yet: made by the maker, read, then deleted."""
    with transaction.atomic():
        sample = make(model, union)
        data = form_or_payload(sample)
        model._base_manager.filter(pk=sample.pk).delete()
    return data


def test_console_views_are_found():
    assert set(CONSOLE[Union]) == {"list", "detail", "create", "update"}
    assert set(CONSOLE[Person]) == {"list", "detail"}


def object_ids(response) -> set:
    return {obj.pk for obj in response.context["object_list"]}


@pytest.mark.parametrize(
    "objects", [m for m in MODELS if "detail" in CONSOLE.get(m, {})], indirect=True, ids=label
)
def test_console_view(tree, objects, login):
    inside, outside = objects["inside"][0], objects["outside"][0]
    model = type(inside)
    routes = CONSOLE[model]
    detail_name = routes["detail"][0]
    assert inside.get_absolute_url() == reverse(detail_name, args=[inside.pk])
    detail = inside.get_absolute_url()
    listing = reverse(routes["list"][0]) if "list" in routes else None

    anonymous = Client().get(detail)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")

    other = login(factories.official("other", granting(model, VIEW), tree["town_b"]))
    assert other.get(detail).status_code == 404
    assert other.get(outside.get_absolute_url()).status_code == 200

    without = login(factories.official("without", lacking(model, VIEW), tree["site_a"]))
    assert without.get(detail).status_code == 404

    right = login(factories.official("right", granting(model, VIEW), tree["site_a"]))
    assert right.get(detail).status_code == 200
    ancestor = login(factories.official("ancestor", granting(model, VIEW), tree["district"]))
    assert ancestor.get(detail).status_code == 200

    if listing:
        assert Client().get(listing).status_code == 302
        seen = object_ids(other.get(listing, {"page_size": 500}))
        assert inside.pk not in seen and outside.pk in seen
        assert inside.pk not in object_ids(without.get(listing))
        seen = object_ids(right.get(listing))
        assert inside.pk in seen and outside.pk not in seen
        assert {inside.pk, outside.pk} <= object_ids(ancestor.get(listing))


@pytest.mark.parametrize(
    "objects", [m for m in MODELS if "update" in CONSOLE.get(m, {})], indirect=True, ids=label
)
def test_console_update(tree, objects, login):
    inside = objects["inside"][0]
    model = type(inside)
    name, view_class = CONSOLE[model]["update"]
    url = reverse(name, args=[inside.pk])
    root = User.objects.create_superuser("root")
    data, changed, value = edited(view_class.form_class, form_data(view_class.form_class, inside, root))

    other = login(factories.official("other", granting(model, CHANGE), tree["town_b"]))
    without = login(factories.official("without", lacking(model, CHANGE), tree["site_a"]))
    right = login(factories.official("right", granting(model, CHANGE), tree["site_a"]))

    before = state(model)
    assert Client().post(url, data).status_code == 302
    assert other.get(url).status_code == 404
    assert other.post(url, data).status_code == 404
    assert without.get(url).status_code == 404
    assert without.post(url, data).status_code == 404
    assert state(model) == before

    response = right.post(url, data)
    assert response.status_code == 302, getattr(response.context, "get", lambda _k: None)("form")
    assert changed, f"{model._meta.label}'s form has no text or yes/no field to change"
    if changed:
        assert getattr(model.objects.get(pk=inside.pk), changed) == value
        assert HistoryEntry.objects.count() == before[1] + 1
        entry = HistoryEntry.objects.for_object(inside).first()
        assert (entry.kind, entry.actor.username, entry.actor_label) == ("changed", "right", "web")


@pytest.mark.parametrize(
    "objects", [m for m in MODELS if "create" in CONSOLE.get(m, {})], indirect=True, ids=label
)
def test_console_create(tree, objects, login):
    model = type(objects["inside"][0])
    name, view_class = CONSOLE[model]["create"]
    url = reverse(name)
    root = User.objects.create_superuser("root")
    data = new_sample_data(model, tree["site_a"], lambda obj: form_data(view_class.form_class, obj, root))

    other = login(factories.official("other", granting(model, ADD), tree["town_b"]))
    without = login(factories.official("without", lacking(model, ADD), tree["site_a"]))
    right = login(factories.official("right", granting(model, ADD), tree["site_a"]))

    before = state(model)
    assert Client().post(url, data).status_code == 302
    refused = other.post(url, data)
    assert refused.status_code == 200 and refused.context["form"].errors
    refused = without.post(url, data)
    assert refused.status_code == 200 and refused.context["form"].errors
    assert state(model) == before

    response = right.post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    rows, history = state(model)
    assert len(rows) == len(before[0]) + 1 and history == before[1] + 1
    created = model.objects.order_by("-pk").first()
    assert form_data(view_class.form_class, created, root) == data


def sheet_column(job) -> list[str]:
    with job.result_file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    return [str(row[0]) for row in book.active.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize(
    "objects", [m for m in MODELS if "list" in CONSOLE.get(m, {})], indirect=True, ids=label
)
def test_console_export(tree, objects, login):
    inside, outside = objects["inside"][0], objects["outside"][0]
    model = type(inside)
    name, view_class = CONSOLE[model]["list"]
    url = reverse(name) + "?format=xlsx"
    column = view_class.columns[0]

    def shown(obj):
        return str(view_class().cell(obj, column))

    assert Client().get(url).status_code == 302
    jobs = Job.objects.count()
    kinds = sorted(TREE_ROLES - registry[model].roles[EXPORT]) or [RoleKind.LAWYER]
    for kind in kinds:
        without = login(factories.official(f"without-{kind}", kind, tree["site_a"]))
        assert without.get(url).status_code == 404, kind
    assert Job.objects.count() == jobs

    other = login(factories.official("other", granting(model, EXPORT), tree["town_b"]))
    assert other.get(url).status_code == 302
    rows = sheet_column(Job.objects.get(created_by__username="other"))
    assert shown(inside) not in rows and shown(outside) in rows

    right = login(factories.official("right", granting(model, EXPORT), tree["site_a"]))
    assert right.get(url).status_code == 302
    job = Job.objects.get(created_by__username="right")
    rows = sheet_column(job)
    assert shown(inside) in rows and shown(outside) not in rows
    assert job.result == {"rows": model.objects.restrict(User.objects.get(username="right"), EXPORT).count()}


def test_reveal_needs_the_reveal_role(tree, login):
    person = make(Person, tree["site_a"])
    url = reverse("members:person-reveal", args=[person.pk, "phone"])
    assert Client().post(url).status_code == 302
    assert (
        login(factories.official("other", RoleKind.ORGANISATION, tree["town_b"])).post(url).status_code == 404
    )
    for kind in sorted(TREE_ROLES - registry[Person].roles["reveal"]):
        assert login(factories.official(f"without-{kind}", kind, tree["site_a"])).post(url).status_code == 404
    assert PiiAccess.objects.count() == 0
    response = login(factories.official("right", RoleKind.RIGHTS, tree["site_a"])).post(
        url, {"reason": "维权"}
    )
    assert response.status_code == 200
    assert person.decrypted("phone") in response.content.decode()
    access = PiiAccess.objects.get()
    assert (access.user.username, access.field, access.reason) == ("right", "phone", "维权")


# ---------------------------------------------------------------- level 3: the API


def api_routes():
    """model -> (basename, viewset) for every router entry over a scoped model."""
    found = {}
    for _prefix, viewset, basename in router.registry:
        # Worker-facing viewsets ("my registrations") filter by the caller's person, not by scope,
        # and declare no class queryset; the matrix covers the scoped ones.
        queryset = getattr(viewset, "queryset", None)
        model = queryset.model if queryset is not None else None
        if model in registry:
            found[model] = (basename, viewset)
    return found


API = api_routes()


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def writable(viewset, method: str) -> bool:
    return method in viewset.http_method_names


def payload(viewset, obj) -> dict:
    serializer = viewset.serializer_class(obj, context={})
    return {name: serializer.data[name] for name, field in serializer.fields.items() if not field.read_only}


def patch_payload(viewset, obj) -> tuple[dict, str]:
    serializer = viewset.serializer_class(obj, context={})
    for name, field in serializer.fields.items():
        if type(field) is serializers.CharField and not field.read_only and serializer.data[name]:
            return {name: f"{serializer.data[name]}改"}, name
    return {}, ""


def test_api_routes_are_found():
    assert {model._meta.label: basename for model, (basename, _v) in API.items()}.items() >= {
        "orgs.Union": "union",
        "members.Person": "person",
        "members.Membership": "membership",
        "accounts.Role": "role",
    }.items()


def result_ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("objects", [m for m in MODELS if m in API], indirect=True, ids=label)
def test_api_read(tree, objects):
    inside, outside = objects["inside"][0], objects["outside"][0]
    model = type(inside)
    basename, _viewset = API[model]
    listing = reverse(f"{basename}-list")
    detail = reverse(f"{basename}-detail", args=[inside.pk])

    assert api_client().get(listing).status_code == 403
    assert api_client().get(detail).status_code == 403
    other = api_client(factories.official("other", granting(model, VIEW), tree["town_b"]))
    seen = result_ids(other.get(listing, {"page_size": 500}))
    assert inside.pk not in seen and outside.pk in seen
    assert other.get(detail).status_code == 404
    without = api_client(factories.official("without", lacking(model, VIEW), tree["site_a"]))
    assert inside.pk not in result_ids(without.get(listing, {"page_size": 500}))
    assert without.get(detail).status_code == 404
    worker = api_client(User.objects.create_user("worker", is_worker=True))
    assert worker.get(detail).status_code == 404

    right = api_client(factories.official("right", granting(model, VIEW), tree["site_a"]))
    seen = result_ids(right.get(listing, {"page_size": 500}))
    assert inside.pk in seen and outside.pk not in seen
    assert right.get(detail).json()["id"] == inside.pk
    ancestor = api_client(factories.official("ancestor", granting(model, VIEW), tree["district"]))
    assert ancestor.get(detail).status_code == 200


@pytest.mark.parametrize("objects", [m for m in MODELS if m in API], indirect=True, ids=label)
def test_api_write(tree, objects):
    inside = objects["inside"][0]
    model = type(inside)
    basename, viewset = API[model]
    listing = reverse(f"{basename}-list")
    detail = reverse(f"{basename}-detail", args=[inside.pk])
    change, changed = patch_payload(viewset, inside)
    create = (
        new_sample_data(model, tree["site_a"], lambda obj: payload(viewset, obj))
        if writable(viewset, "post")
        else {}
    )

    anonymous = api_client()
    other_change = api_client(factories.official("other-c", granting(model, CHANGE), tree["town_b"]))
    other_delete = api_client(factories.official("other-d", granting(model, DELETE), tree["town_b"]))
    other_add = api_client(factories.official("other-a", granting(model, ADD), tree["town_b"]))
    without_change = api_client(factories.official("without-c", lacking(model, CHANGE), tree["site_a"]))
    without_delete = api_client(factories.official("without-d", lacking(model, DELETE), tree["site_a"]))
    without_add = api_client(factories.official("without-a", lacking(model, ADD), tree["site_a"]))
    right_change = api_client(factories.official("right-c", granting(model, CHANGE), tree["site_a"]))
    right_add = api_client(factories.official("right-a", granting(model, ADD), tree["site_a"]))
    right_delete = api_client(factories.official("right-d", granting(model, DELETE), tree["site_a"]))

    before = state(model)
    assert anonymous.patch(detail, change, format="json").status_code == 403
    assert anonymous.delete(detail).status_code == 403
    assert anonymous.post(listing, create, format="json").status_code == 403
    # Read-only endpoints answer 405 to every write; scoped ones 404 outside the scope, 400 for a bad union.
    for client in (other_change, without_change):
        expected = 404 if writable(viewset, "patch") else 405
        assert client.patch(detail, change, format="json").status_code == expected
        assert client.put(detail, {**create, **change}, format="json").status_code == expected
    for client in (other_delete, without_delete):
        assert client.delete(detail).status_code == (404 if writable(viewset, "delete") else 405)
    for client in (other_add, without_add):
        assert client.post(listing, create, format="json").status_code == (
            400 if writable(viewset, "post") else 405
        )
    assert state(model) == before

    if writable(viewset, "patch"):
        response = right_change.patch(detail, change, format="json")
        assert response.status_code == 200, response.content
        if changed:
            assert getattr(model.objects.get(pk=inside.pk), changed) == change[changed]
            entry = HistoryEntry.objects.for_object(inside).first()
            assert (entry.kind, entry.actor.username, entry.actor_label) == ("changed", "right-c", "api")
    if writable(viewset, "post"):
        response = right_add.post(listing, create, format="json")
        assert response.status_code == 201, response.content
        assert payload(viewset, model.objects.get(pk=response.json()["id"])) == create
    if writable(viewset, "delete"):
        neighbour = objects["neighbour"][0]
        response = right_delete.delete(reverse(f"{basename}-detail", args=[neighbour.pk]))
        assert response.status_code == 204
        assert not model._base_manager.filter(pk=neighbour.pk).exists()
        assert HistoryEntry.objects.for_object(neighbour).first().kind == "deleted"


# ---------------------------------------------------------------- the write checked again, in the transaction


def union_post(parent, region) -> dict:
    return {"name": "越界工会", "kind": "grassroots", "parent": parent, "region": region, "sector": "mixed"}


def test_console_union_outside_the_subtree_is_refused(tree, login):
    official = login(factories.official("town-a", RoleKind.ORGANISATION, tree["town_a"]))
    url = reverse("orgs:union-add")
    before = state(Union)
    # The form offers only unions where the official may add: 街道B is not a choice.
    response = official.post(
        url, {**union_post(tree["town_b"].pk, tree["town_b"].region_id), "status": "active"}
    )
    assert response.status_code == 200 and list(response.context["form"].errors) == ["parent"]
    # A top-level union would lie outside every official's subtree: only a superuser may make one.
    response = official.post(url, {**union_post("", tree["town_a"].region_id), "status": "active"})
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == ["该字段是必填项。"]
    assert state(Union) == before


def test_api_union_outside_the_subtree_is_refused(tree):
    client = api_client(factories.official("town-a", RoleKind.ORGANISATION, tree["town_a"]))
    url = reverse("union-list")
    before = state(Union)
    response = client.post(url, union_post(tree["town_b"].pk, tree["town_b"].region_id), format="json")
    assert response.status_code == 400 and list(response.json()) == ["parent"]
    response = client.post(url, union_post(None, tree["town_a"].region_id), format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["只有系统管理员可以设立或移动顶级工会"]}
    # Re-hanging one's own union under another town is refused the same way.
    site = reverse("union-detail", args=[tree["site_a"].pk])
    response = client.patch(site, {"parent": tree["town_b"].pk}, format="json")
    assert response.status_code == 400
    assert state(Union) == before


def test_check_write_rolls_back_inside_the_transaction(tree):
    official = factories.official("town-a", RoleKind.ORGANISATION, tree["town_a"])
    before = state(Union)
    with pytest.raises(PermissionDenied), transaction.atomic():
        union = Union.objects.create(
            name="越界工会", kind="grassroots", parent=tree["town_b"], region=tree["town_b"].region
        )
        assert Union.objects.filter(pk=union.pk).exists()  # saved, with its history, inside the transaction
        check_write(official, ADD, union)
    assert state(Union) == before
    with transaction.atomic():
        union = Union.objects.create(
            name="界内工会", kind="grassroots", parent=tree["site_a"], region=tree["site_a"].region
        )
        check_write(official, ADD, union)
    assert Union.objects.get(pk=union.pk).parent == tree["site_a"]
    assert HistoryEntry.objects.count() == before[1] + 1
