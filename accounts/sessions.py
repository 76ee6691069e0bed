"""The session store: Django's database sessions, read through one compiled statement, remembering
when the loaded session expires so that the idle timeout can slide it without a write per request.

Every request used to save its session (SESSION_SAVE_EVERY_REQUEST): an UPDATE and a commit that
cost a quarter of a trivial API request's CPU (bench/program_signups.py). `keep_alive` writes the
new expiry only once a thirtieth of the session's age (at most an hour) has passed since the last
write, so an official is signed out after 29 to 30 idle minutes and a worker's phone writes at most
once an hour.
"""

import datetime

from django.contrib.sessions.backends import db
from django.db import router
from django.utils import timezone

from core.compiled import Compiled

MAX_REFRESH_SECONDS = 3600

# By key alone: the expiry is compared in Python, as a compiled statement takes no datetime.
_by_key = Compiled(lambda key: db.SessionStore.get_model_class().objects.filter(session_key=key)[:1])


class SessionStore(db.SessionStore):
    expires_at: datetime.datetime | None = None  # the stored expiry of the session as loaded

    def _get_session_from_db(self):
        if self._session_key is None:  # no key, or one that failed the store's validation
            return None
        found = _by_key.first(self._session_key, using=router.db_for_read(self.model))
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found

    def load(self):
        found = self._get_session_from_db()
        self.expires_at = found.expire_date if found else None
        return self.decode(found.session_data) if found else {}


def refresh_seconds(age: int) -> int:
    return max(1, min(age // 30, MAX_REFRESH_SECONDS))


def keep_alive(session, age: int) -> None:
    """Slide `session`'s expiry to `age` seconds from now, unless it was written less than a refresh
    interval ago with that age already (then the request writes nothing)."""
    expires_at = getattr(session, "expires_at", None)
    if session.get("_session_expiry") == age and expires_at is not None:
        written_ago = age - (expires_at - timezone.now()).total_seconds()
        if written_ago < refresh_seconds(age):
            return
    session.set_expiry(age)
