"""Nothing can be added silently open or unscoped.

Every URL declares who may reach it (core.access); every model of our apps that
reaches the union tree is in the scoping registry, as a tracked, scoped model with
a policy whose paths resolve; every tracked model says what it is.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.static import serve

from core import access
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, registry
from orgs.models import Union

# URL prefixes whose access is Django's own, not ours.
EXCLUDED_PREFIXES = {
    "django-admin/": "Django admin: superusers only (core.admin_site.superuser_only)",
}
# Views that are not ours and only serve files.
EXCLUDED_VIEWS = {serve: "static and media serving (development only)"}

# Models of our apps that reach the union tree but are deliberately not scoped.
UNSCOPED = {
    "core.HistoryEntry": "points at any object generically; read only through that object's scoped page",
    "core.PiiAccess": "points at any object generically; read only through that object's scoped page",
    "programs.PendingNotice": "the notice outbox: written and read by the engine only, listed nowhere",
}


def walk(patterns, prefix=""):
    """(route, callback) for every URL pattern, through includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if any(route.startswith(excluded) for excluded in EXCLUDED_PREFIXES):
                continue
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def declared_access(callback):
    """A function view's `access` (core.access.requires), a class-based view's, or a DRF viewset's."""
    for owner in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        if owner is not None and getattr(owner, "access", None) is not None:
            return owner.access
    return None


def our_apps():
    """Apps whose code lives in this repository (not in the virtualenv's site-packages)."""
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base in path.parents:
            parts = path.relative_to(base).parts
            if not parts[0].startswith(".") and "site-packages" not in parts:
                yield config


def our_models():
    return [model for config in our_apps() for model in config.get_models() if not model._meta.auto_created]


def label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def test_our_apps_are_found():
    assert {"core", "accounts", "orgs", "members"} <= {config.label for config in our_apps()}
    assert "rest_framework" not in {config.label for config in our_apps()}


def test_every_url_declares_its_access():
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 20  # the walk went through the includes
    missing = []
    for route, callback in routes:
        if callback in EXCLUDED_VIEWS:
            continue
        kind = declared_access(callback)
        if kind not in access.KINDS:
            missing.append(f"{route} ({callback.__module__}.{callback.__name__}): {kind!r}")
    assert missing == [], "URLs without a declared access kind (core.access):\n" + "\n".join(missing)


def test_walk_sees_console_api_and_excludes_admin():
    routes = {route for route, _ in walk(get_resolver().url_patterns)}
    assert "console/unions/<id:pk>/" in routes
    assert "api/v1/^unions/(?P<pk>[^/.]+)/$" in routes
    assert not any(route.startswith("django-admin/") for route in routes)


def reaches_tree(models_):
    """Models with a forward FK/one-to-one/many-to-many path to Union or to a scoped model."""
    reached = {Union, *registry}
    changed = True
    while changed:
        changed = False
        for model in models_:
            if model in reached:
                continue
            for field in model._meta.get_fields():
                if field.is_relation and field.concrete and field.related_model in reached:
                    reached.add(model)
                    changed = True
                    break
    return reached


def test_every_model_that_reaches_a_union_is_scoped():
    ours = our_models()
    assert Union in ours
    unscoped = [
        label(model)
        for model in ours
        if model in reaches_tree(ours) and model not in registry and label(model) not in UNSCOPED
    ]
    assert unscoped == [], f"models that reach orgs.Union but are not @scoped: {unscoped}"
    assert set(UNSCOPED) <= {label(model) for model in ours}, "stale UNSCOPED entries"


def resolve(model, path: str):
    """The model an ORM path ends at, and whether it crosses a to-many relation."""
    many = False
    for name in filter(None, path.split("__")):
        field = model._meta.get_field(name)
        many = many or field.many_to_many or field.one_to_many
        model = field.related_model
    return model, many


def test_every_registered_model_is_tracked_scoped_and_resolves():
    problems = []
    for model, scope in registry.items():
        name = label(model)
        if not issubclass(model, TrackedModel):
            problems.append(f"{name} is not a TrackedModel")
        if not isinstance(model._default_manager.all(), ScopedQuerySet):
            problems.append(f"{name}'s default manager is not a ScopedQuerySet")
        if not isinstance(model.objects.all(), ScopedQuerySet):
            problems.append(f"{name}.objects is not a ScopedQuerySet")
        many = False
        for union_path in (scope.union, *scope.also):
            target, union_many = resolve(model, union_path)
            many = many or union_many
            if target is not Union:
                problems.append(f"{name}: union path {union_path!r} ends at {target}")
        # The paths must be usable as written (the subtree lookup sits on Union.path).
        for lookup in scope.path_lookups():
            str(model._base_manager.filter(**{lookup: "0001."}).query)
        for action, path in scope.assigned.items():
            user_model, assigned_many = resolve(model, path)
            many = many or assigned_many
            if user_model is not get_user_model():
                problems.append(f"{name}: assigned[{action}] {path!r} ends at {user_model}")
            if action not in scope.roles:
                problems.append(f"{name}: assigned action {action!r} is not one of its actions")
        if many and not scope.through_many:
            problems.append(f"{name}: a path crosses a to-many relation, so through_many must be True")
        if not {"view", "add", "change", "delete", "export"} <= set(scope.roles):
            problems.append(f"{name}: policy lacks a standard action")
    assert problems == []


def test_every_tracked_model_has_a_docstring():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {config.name for config in our_apps()}
    tracked = [cls for cls in subclasses(TrackedModel) if cls.__module__.split(".")[0] in ours]
    assert Union in tracked
    undocumented = []
    for cls in tracked:
        # Django fills a missing docstring with the signature "Name(field, …)".
        generated = f"{cls.__name__}({', '.join(f.name for f in cls._meta.fields)})"
        doc = (cls.__doc__ or "").strip()
        if not doc or doc == generated:
            undocumented.append(cls.__qualname__)
    assert undocumented == []


def test_reaches_tree_follows_chains():
    # Consent reaches the tree only through Person (a scoped model), Role straight to Union.
    from accounts.models import Role
    from members.models import Consent

    reached = reaches_tree(our_models())
    assert {Role, Consent} <= reached
    assert get_user_model() not in reached
    assert models.Model not in reached


def test_an_undeclared_view_is_caught():
    from django.urls import include, path
    from django.views.generic import TemplateView

    def plain(request):
        raise AssertionError

    patterns = [
        path("open/", plain),
        path("nested/", include([path("page/", TemplateView.as_view())])),
        path("ok/", access.requires(access.PUBLIC)(plain)),
        path("django-admin/", include([path("x/", plain)])),
    ]
    found = {route: declared_access(callback) for route, callback in walk(patterns)}
    assert found == {"open/": None, "nested/page/": None, "ok/": "public"}


def test_scoped_views_are_over_scoped_models():
    """A generic console view or scoped viewset must be over a model that has a scope policy."""
    from core.api.viewsets import ScopedViewSet
    from core.views import ScopedMixin

    wrong = []
    for route, callback in walk(get_resolver().url_patterns):
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if view_class is None or getattr(view_class, "access", None) != access.SCOPED:
            continue
        if issubclass(view_class, ScopedMixin):
            model = view_class.model
        elif issubclass(view_class, ScopedViewSet):
            model = view_class.queryset.model
        else:
            continue  # hand-written, like a function view: it calls restrict() itself
        if model not in registry:
            wrong.append(f"{route}: {view_class.__name__} is over {model}, which has no scope policy")
    assert wrong == []
