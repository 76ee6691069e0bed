"""A sign-up's two reads: the person (what eligibility needs) with their active membership, and the
session with its program and the program's allowed regions, each one statement compiled once per
process (core.compiled): building them cost more than running them. The person is read with the
signed-in user where the API can (`signing_up_user`, one round trip for both), else on its own.

A flash of sign-ups asks for the same session again and again, so each process keeps what it read of
a session for SESSION_SECONDS (core.recent): a program's rules, its sign-up window, the session's
time and place reach sign-ups at most that late after an official changes them in another process
(at once in the same process: saves forget). Seats and waitlist places are never decided by what was
read: the conditional UPDATE and the session's lock decide them in the database (programs.services
.seats); `seated` and `capacity` as read only choose which statement to try first, so a stale count
costs at most a second try.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import User
from core.compiled import Compiled
from core.recent import Recent
from members.models import Person

from ..choices import ProgramStatus
from ..models import Program, Session
from . import eligibility

SESSION_SECONDS = 1.0
# Programs a worker may see and sign up for (a closed one's page stays; eligibility refuses it).
VISIBLE_STATUSES = (ProgramStatus.PUBLISHED, ProgramStatus.CLOSED)

# Only what eligibility reads of a person (ciphertexts, hashes and names are a sign-up's no business:
# leaving them out cut the read by a third).
signing_up_person = Compiled(
    lambda user_id: (
        eligibility.with_membership(Person.objects.filter(user_id=user_id))
        .only(*eligibility.PERSON_FIELDS)
        .order_by("pk")[:1]
    )
)
# The user as the session's authentication reads it (every column), with the person as signing_up_person
# reads it: for accounts.backends.reading_users_with, then `person_read_with(user)`.
signing_up_user = Compiled(
    lambda user_id: (
        eligibility.with_membership(User.objects.filter(pk=user_id), through="person__")
        .select_related("person")
        .defer(
            *(
                f"person__{field.name}"
                for field in Person._meta.concrete_fields
                if field.attname not in eligibility.PERSON_FIELDS
            )
        )[:1]
    )
)


def person_read_with(user) -> bool:
    """Whether `user` was read by signing_up_user: then its person (None when it has none) is loaded,
    with the membership's facts where eligibility looks for them."""
    if not hasattr(user, "active_membership_id"):
        return False
    person = user._state.fields_cache.get("person")
    if person is not None:
        person.active_membership_id = user.active_membership_id
        person.active_membership_region = user.active_membership_region
    return True


_session_to_sign_up = Compiled(
    lambda session_id: (
        eligibility.with_region_codes(
            Session.objects.filter(program__status__in=VISIBLE_STATUSES, pk=session_id)
        )
        .select_related("program")
        .order_by("pk")[:1]
    )
)


def _read_session(session_id: int) -> Session | None:
    session = _session_to_sign_up.first(session_id)
    if session is not None:
        eligibility.keep_region_codes(session)
    return session


_recent_sessions = Recent(_read_session, SESSION_SECONDS)


def session_to_sign_up(session_id: int) -> Session | None:
    """The visible session with its program (and the program's allowed region codes), as read at most
    SESSION_SECONDS ago by this process; None when there is none. Shared by the requests meanwhile:
    read it, never change it, but through `saw_full`."""
    return _recent_sessions.get(session_id)


def forget_sessions() -> None:
    _recent_sessions.forget()


def saw_full(session: Session) -> None:
    """The database has just waitlisted a sign-up for this session: the next ones here go straight to
    the waitlist's statement until the session is read again."""
    session.seated = max(session.seated, session.capacity)


for _model in (Program, Session):
    post_save.connect(
        _recent_sessions.forget, sender=_model, dispatch_uid=f"recent-sessions-{_model.__name__}"
    )
    post_delete.connect(_recent_sessions.forget, sender=_model, dispatch_uid=f"recent-gone-{_model.__name__}")
m2m_changed.connect(
    _recent_sessions.forget, sender=Program.regions.through, dispatch_uid="recent-sessions-regions"
)
