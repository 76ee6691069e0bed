"""Signing in with a password, and the signed-in user of each request.

`UserBackend` is Django's ModelBackend (passwords, is_active, permissions) whose `get_user`, run by
every signed-in request, reads the user through one compiled statement (core.compiled): building and
compiling `User.objects.get(pk=…)` cost 0.4 of the 1.6 ms of Python in a trivial API request
(bench/program_signups.py). Sessions name the backend that signed them in: log in with
`login(request, user, backend=USER_BACKEND)`.

A view that needs more than the user at once can have the user read with it (`reading_users_with`):
a program sign-up joins the person, whose read was a round trip of its own.
"""

import contextlib
from contextvars import ContextVar

from django.contrib.auth.backends import ModelBackend

from core.compiled import Compiled

from .models import User

USER_BACKEND = "accounts.backends.UserBackend"

_by_id = Compiled(lambda user_id: User.objects.filter(pk=user_id)[:1])
_read: ContextVar[Compiled] = ContextVar("niangjia_user_read", default=_by_id)


@contextlib.contextmanager
def reading_users_with(read: Compiled):
    """Inside the block, a signed-in user not read yet is read by `read`: a Compiled read of the user by
    id (every column of the user) that joins what the caller needs next. The session's checks are
    Django's as ever (auth.get_user); only the statement differs."""
    token = _read.set(read)
    try:
        yield
    finally:
        _read.reset(token)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = _read.get().first(int(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None
