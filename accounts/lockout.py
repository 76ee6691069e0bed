"""What django-axes keeps of a failed sign-in's username (AXES_USERNAME_CALLABLE): an official's
username as typed, but a phone or an ID number typed into the box (a worker at the officials' door)
masked as in the logs. The lock still holds per username: nobody signs in with a number here."""

from core.logging import redact


def username(request, credentials=None) -> str:
    typed = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username", "")
    return redact(typed or "")
