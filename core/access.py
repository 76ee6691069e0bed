"""Every console view and API endpoint declares who may reach it.

A view's `access` is one of the kinds below, or "scoped" for generic views whose
rows come through `restrict`. tests/core/test_registry.py fails when any URL
has none, so a new page cannot silently be open.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

PUBLIC = "public"  # anyone, signed in or not
WORKER = "worker"  # a signed-in worker (a person's account)
OFFICIAL = "official"  # a signed-in user holding any role, or a superuser
SIGNED_IN = "signed-in"
SCOPED = "scoped"  # rows filtered by restrict(user, action)
KINDS = {PUBLIC, WORKER, OFFICIAL, SIGNED_IN, SCOPED}


def allowed(user, kind: str) -> bool:
    if kind == PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if kind == WORKER:
        # A worker's account is made with its person (members.services.worker_for_phone); one without
        # (made by hand in the admin) has no pages of its own.
        return user.is_worker and hasattr(user, "person")
    if kind in (OFFICIAL, SCOPED):
        return user.is_official
    return True


def requires(kind: str):
    """Decorator for function views: declares and enforces the access kind."""
    assert kind in KINDS, kind

    def wrap(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            if not allowed(request.user, kind):
                if not request.user.is_authenticated:
                    login = "portal:login" if kind == WORKER else "accounts:login"
                    return redirect_to_login(request.get_full_path(), login)
                raise Http404
            return view(request, *args, **kwargs)

        guarded.access = kind
        return guarded

    return wrap
