"""Chair assistants: assigning a cadre to a town union with goals, their visits, and the results."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from core.history import record_action
from core.scoping import ADD, check_write

from ..models import CadreAssignment, CadreVisit, Employer, Union


@transaction.atomic
def assign_cadre(assignment: CadreAssignment, by) -> CadreAssignment:
    """Save a new assignment and record the step; refused (rolled back) outside `by`'s scope."""
    assignment.full_clean()
    assignment.save()
    check_write(by, ADD, assignment)
    record_action(
        assignment,
        _("派驻"),
        data={
            "cadre": assignment.cadre_id,
            "starts_on": assignment.starts_on,
            "ends_on": assignment.ends_on,
            "goal_unions": assignment.goal_unions,
            "goal_members": assignment.goal_members,
        },
    )
    return assignment


def visit_errors(visit: CadreVisit) -> dict[str, str]:
    assignment = visit.assignment if visit.assignment_id else None
    if assignment is None or visit.visited_on is None:
        return {}
    if not assignment.starts_on <= visit.visited_on <= assignment.ends_on:
        return {
            "visited_on": _("走访日期应在派驻期内（%(start)s 至 %(end)s）")
            % {"start": assignment.starts_on, "end": assignment.ends_on}
        }
    return {}


def save_visit(visit: CadreVisit) -> CadreVisit:
    errors = visit_errors(visit)
    if errors:
        raise ValidationError(errors)
    visit.save()
    return visit


def assignments_open_to(user):
    """Assignments to which `user` may add visits: those in their subtree and their own."""
    queryset = CadreAssignment.objects.select_related("cadre", "union")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(cadre=user)
    for path in user.scope_paths(CadreVisit.scope.roles[ADD]):
        condition |= Q(union__path__subtree=path)
    return queryset.filter(condition)


def employers_for_visits(user):
    """Employers a visit may name: those in the user's scope, and those of the towns they are sent to."""
    if not user.is_authenticated:
        return Employer.objects.none()
    if user.is_superuser:
        return Employer.objects.order_by("name")
    condition = Q(pk__in=Employer.objects.restrict(user).values("pk"))
    towns = CadreAssignment.objects.filter(cadre=user).values_list("union__path", flat=True)
    for path in set(towns):
        condition |= Q(area_union__path__subtree=path)
    return Employer.objects.filter(condition).order_by("name")


@dataclass(frozen=True)
class Result:
    """What one cadre (or one town's cadres) achieved against the goals."""

    key: int
    label: str
    assignments: int
    visits: int
    goal_unions: int
    unions_established: int
    goal_members: int
    members_enrolled: int

    @property
    def unions_met(self) -> bool:
        return self.unions_established >= self.goal_unions

    @property
    def members_met(self) -> bool:
        return self.members_enrolled >= self.goal_members


def _results(assignments, key: str, label: str) -> list[Result]:
    # Goals sum per assignment and visits per visit: two GROUP BY queries, so no join multiplies either.
    goals = (
        assignments.values(key, label)
        .annotate(n=Count("id"), unions=Sum("goal_unions"), members=Sum("goal_members"))
        .order_by(label, key)
    )
    done = {
        row[f"assignment__{key}"]: row
        for row in CadreVisit.objects.filter(assignment__in=assignments.values("pk"))
        .values(f"assignment__{key}")
        .annotate(n=Count("id"), unions=Sum("unions_established"), members=Sum("members_enrolled"))
        .order_by()
    }
    results = []
    for row in goals:
        visits = done.get(row[key], {})
        results.append(
            Result(
                key=row[key],
                label=row[label],
                assignments=row["n"],
                visits=visits.get("n", 0),
                goal_unions=row["unions"] or 0,
                unions_established=visits.get("unions") or 0,
                goal_members=row["members"] or 0,
                members_enrolled=visits.get("members") or 0,
            )
        )
    return results


def results_by_cadre(assignments) -> list[Result]:
    rows = _results(assignments, "cadre", "cadre__username")
    names = dict(
        assignments.model.cadre.field.related_model.objects.filter(pk__in=[r.key for r in rows]).values_list(
            "pk", "display_name"
        )
    )
    return [Result(**{**r.__dict__, "label": names.get(r.key) or r.label}) for r in rows]


def results_by_town(assignments) -> list[Result]:
    return _results(assignments, "union", "union__name")


def officials_within(user, keep=None):
    """People who may be named as cadres or responsible officials: officials of the user's own scope
    (and `keep`, the one already named)."""
    unions = Union.objects.restrict(user).values("pk")
    condition = Q(roles__active=True, roles__union__in=unions)
    if keep:
        condition |= Q(pk=keep)
    return User.objects.filter(pk__in=User.objects.filter(condition).values("pk")).order_by("username")
