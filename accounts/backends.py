"""Signing in with a password, and the signed-in user of each request.

`UserBackend` is Django's ModelBackend (passwords, is_active, permissions) whose `get_user`, run by
every signed-in request, reads the user through one compiled statement (core.compiled): building and
compiling `User.objects.get(pk=…)` cost 0.4 of the 1.6 ms of Python in a trivial API request
(bench/program_signups.py). Sessions name the backend that signed them in: log in with
`login(request, user, backend=USER_BACKEND)`.
"""

from django.contrib.auth.backends import ModelBackend

from core.compiled import Compiled

from .models import User

USER_BACKEND = "accounts.backends.UserBackend"

_by_id = Compiled(lambda user_id: User.objects.filter(pk=user_id)[:1])


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = _by_id.first(int(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None
