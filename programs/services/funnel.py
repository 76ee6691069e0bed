"""The funnel (views → sign-ups → confirmed → attended) and the budget with spending to date.

Views are a bare counter on the program (no personal data). Sign-ups are all registrations ever made,
"confirmed" those that ever held a seat (a ticket was issued: confirmed, attended, no-show, or
cancelled after confirming), "attended" those checked in: person-times.
"""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from ..choices import RegistrationStatus
from ..models import Program, ProgramExpense, Registration

S = RegistrationStatus
EVER_SEATED = Q(ticket_code__isnull=False) | Q(status__in=(S.CONFIRMED, S.ATTENDED, S.NO_SHOW))


def record_view(program: Program) -> None:
    """Count one view of the program page (an atomic increment, nothing about who viewed)."""
    Program.objects.filter(pk=program.pk).update(view_count=F("view_count") + 1)


def _counts(queryset) -> dict:
    return queryset.aggregate(
        signups=Count("id"),
        confirmed=Count("id", filter=EVER_SEATED),
        attended=Count("id", filter=Q(status=S.ATTENDED)),
        waitlisted=Count("id", filter=Q(status=S.WAITLISTED)),
        offered=Count("id", filter=Q(status=S.OFFERED)),
        no_shows=Count("id", filter=Q(status=S.NO_SHOW)),
        cancelled=Count("id", filter=Q(status__in=(S.CANCELLED, S.LEFT, S.EXPIRED))),
    )


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def funnel(program: Program) -> dict:
    """Per program and per session: views, sign-ups, confirmed, attended (+ waitlist and no-shows)."""
    views = Program.objects.filter(pk=program.pk).values_list("view_count", flat=True).first() or 0
    totals = _counts(Registration.objects.filter(program=program))
    per_session = {
        row["session"]: row
        for row in Registration.objects.filter(program=program)
        .values("session")
        .annotate(
            signups=Count("id"),
            confirmed=Count("id", filter=EVER_SEATED),
            attended=Count("id", filter=Q(status=S.ATTENDED)),
            waitlisted=Count("id", filter=Q(status=S.WAITLISTED)),
            no_shows=Count("id", filter=Q(status=S.NO_SHOW)),
        )
    }
    sessions = []
    for session in program.sessions.order_by("starts_at", "id"):
        row = per_session.get(session.pk, {})
        sessions.append(
            {
                "session": session.pk,
                "label": session.label,
                "capacity": session.capacity,
                "seated": session.seated,
                **{k: row.get(k, 0) for k in ("signups", "confirmed", "attended", "waitlisted", "no_shows")},
            }
        )
    return {
        "views": views,
        **totals,
        "signup_rate": _rate(totals["signups"], views),
        "confirm_rate": _rate(totals["confirmed"], totals["signups"]),
        "attend_rate": _rate(totals["attended"], totals["confirmed"]),
        "sessions": sessions,
    }


def spending(program: Program) -> dict:
    """Budget, unit cost, spent to date, remaining, and cost per attendee (person-time)."""
    spent = ProgramExpense.objects.filter(program=program).aggregate(total=Sum("amount"))["total"] or Decimal(
        0
    )
    attended = Registration.objects.filter(program=program, status=S.ATTENDED).count()
    budget = program.budget or Decimal(0)
    unit = program.unit_cost or Decimal(0)
    return {
        "budget": budget,
        "unit_cost": unit,
        "planned_people": int(budget // unit) if unit else None,
        "spent": spent,
        "remaining": budget - spent,
        "attended": attended,
        "cost_per_attendee": (spent / attended).quantize(Decimal("0.01")) if attended else None,
        "over_budget": bool(budget) and spent > budget,
    }
