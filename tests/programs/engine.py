"""Builders for the capacity engine's tests: open programs, sessions, workers with logins."""

import datetime

from django.utils import timezone

from members import services as member_services
from programs.models import Program, Session

from .. import factories


def program(union, title: str = "品质生活+ 插花课", **fields) -> Program:
    now = timezone.now()
    fields.setdefault("kind", "course")
    fields.setdefault("status", "published")
    fields.setdefault("signup_opens_at", now - datetime.timedelta(days=1))
    fields.setdefault("signup_closes_at", now + datetime.timedelta(days=2))
    return Program.objects.create(union=union, title=title, **fields)


def session(prog: Program, capacity: int = 2, days: float = 3, **fields) -> Session:
    start = timezone.now() + datetime.timedelta(days=days)
    fields.setdefault("place", "柯桥区职工服务中心")
    return Session.objects.create(
        program=prog,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=capacity,
        **fields,
    )


def worker(union, name: str = "李师傅", **person_fields):
    """A member of `union` with a worker login (so site messages have somewhere to go)."""
    person = factories.member(union, name, **person_fields)
    return member_services.worker_for_phone(person.decrypted("phone"))
