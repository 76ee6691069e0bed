"""Lottery mode: a seeded draw that anyone can re-run to check.

The algorithm is published on the program page: each entry (registration number) is ranked by the
SHA-256 digest of "<seed>:<registration id>" (hexadecimal, ascending; equal digests by id). The seed is
drawn with `secrets` when the draw happens and stored on the program with the time; the entry list of
each session is written to the program's action log at the draw, so `verify_lottery` (and the
`verify_lottery` command) can recompute the order from the seed and the entries alone.
Per session the first `capacity` drawn are confirmed and the rest waitlisted in drawn order.
"""

import hashlib
import secrets
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import record_action
from core.models import HistoryEntry

from ..choices import RegistrationStatus, SignUpMode
from ..models import Program, Registration
from . import notices, seats

ALGORITHM = 'sort entries by sha256("<seed>:<registration id>") hex digest ascending (ties by id)'
DRAWN_VERB = "lottery_drawn"


def draw_key(seed: str, entry_id: int) -> str:
    return hashlib.sha256(f"{seed}:{entry_id}".encode()).hexdigest()


def lottery_order(seed: str, entry_ids: list[int]) -> list[int]:
    """The published algorithm: pure, so anyone with the seed and the entry ids gets the same order."""
    return sorted((int(i) for i in entry_ids), key=lambda i: (draw_key(seed, i), i))


def draw_lottery(program: Program, *, by, seed: str | None = None) -> dict:
    """Draw once: winners confirmed (with tickets), the rest waitlisted in drawn order."""
    now = timezone.now()
    if program.mode != SignUpMode.LOTTERY:
        raise ValidationError(_("该活动不是抽签报名"), code="mode")
    if program.signup_closes_at and now < program.signup_closes_at:
        raise ValidationError(_("报名尚未截止，截止后才能抽签"), code="open")
    seed = (seed or secrets.token_hex(16)).strip()
    if not seed or len(seed) > 64:
        raise ValidationError(_("抽签种子须为 1 至 64 个字符"), code="seed")
    # Anyone re-runs the draw from the seed as published: a character that does not show (a control,
    # a direction mark that reorders what is shown, a zero-width space) would make the seed they copy
    # or type differ from the one drawn with.
    if any(unicodedata.category(character).startswith("C") for character in seed):
        raise ValidationError(_("抽签种子不能含不可见字符（控制符、文字方向符、零宽字符等）"), code="seed")
    results: dict[int, dict] = {}
    with transaction.atomic():
        claimed = Program.objects.filter(pk=program.pk, lottery_drawn_at__isnull=True).update(
            lottery_seed=seed, lottery_drawn_at=now
        )
        if not claimed:
            raise ValidationError(_("该活动已抽签，不能重复抽签"), code="drawn")
        for session in program.sessions.order_by("starts_at", "id"):
            seats.lock_session(session.pk)
            session.refresh_from_db()
            entries = list(
                Registration.objects.filter(session=session, status=RegistrationStatus.ENTERED)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            order = lottery_order(seed, entries)
            winners = order[: max(0, session.capacity - session.seated)]
            if not seats.take_seats(session.pk, len(winners)):
                raise ValidationError(_("名额计数异常，抽签未进行"), code="seats")
            for rank, pk in enumerate(order, start=1):
                if rank <= len(winners):
                    values = {"status": RegistrationStatus.CONFIRMED, "ticket_code": seats.new_ticket_code()}
                else:
                    values = {"status": RegistrationStatus.WAITLISTED, "position": rank - len(winners)}
                Registration.objects.filter(pk=pk).update(draw_rank=rank, updated_at=now, **values)
            seats.positions_given(session.pk, len(order) - len(winners))
            results[session.pk] = {
                "entries": entries,
                "order": order,
                "confirmed": len(winners),
                "waitlisted": len(order) - len(winners),
            }
        record_action(
            program,
            DRAWN_VERB,
            _("抽签种子 %(seed)s") % {"seed": seed},
            {
                "seed": seed,
                "algorithm": ALGORITHM,
                "sessions": {str(pk): {"entries": r["entries"]} for pk, r in results.items()},
            },
        )
        # Queued with the draw (sent after the commit; a draw that rolls back queues nothing): a lottery
        # of thousands sent its texts one by one inside the official's request.
        drawn = Registration.objects.filter(program=program, draw_rank__isnull=False)
        won = RegistrationStatus.CONFIRMED
        notices.queue_many(
            (registration, "confirmed" if registration.status == won else "not_drawn")
            for registration in drawn.order_by("draw_rank", "pk").only("pk", "status")
        )
    program.refresh_from_db()
    return {"seed": seed, "drawn_at": now, "algorithm": ALGORITHM, "sessions": results}


def published_entries(program: Program) -> dict[int, list[int]]:
    """Each session's entry list as written at the draw (from the action log; else from the rows)."""
    entry = HistoryEntry.objects.for_object(program).filter(verb=DRAWN_VERB).order_by("-id").first()
    if entry and isinstance(entry.changes, dict) and "sessions" in entry.changes:
        return {int(pk): list(v["entries"]) for pk, v in entry.changes["sessions"].items()}
    found: dict[int, list[int]] = {}
    for pk, session_id in (
        Registration.objects.filter(program=program, draw_rank__isnull=False)
        .order_by("pk")
        .values_list("pk", "session_id")
    ):
        found.setdefault(session_id, []).append(pk)
    return found


def verify_lottery(program: Program) -> dict:
    """Re-run the draw from the published seed and entries and compare with the recorded ranks."""
    if not program.lottery_drawn_at:
        raise ValidationError(_("该活动尚未抽签"), code="not_drawn")
    entries = published_entries(program)
    ranks = dict(
        Registration.objects.filter(program=program, draw_rank__isnull=False).values_list("pk", "draw_rank")
    )
    sessions = {}
    for session_id, ids in entries.items():
        expected = lottery_order(program.lottery_seed, ids)
        recorded = sorted(ids, key=lambda pk: (ranks.get(pk) is None, ranks.get(pk) or 0))
        sessions[session_id] = {
            "entries": ids,
            "expected": expected,
            "recorded": recorded,
            "ok": expected == recorded and all(ranks.get(pk) is not None for pk in ids),
        }
    return {
        "seed": program.lottery_seed,
        "algorithm": ALGORITHM,
        "sessions": sessions,
        "ok": all(s["ok"] for s in sessions.values()),
    }
