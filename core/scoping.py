"""The one scoping mechanism: `Model.objects.restrict(user, action)`.

Every union-owned model declares a `ScopePolicy`: how it reaches its union, which
roles on a union grant which action over that union's whole subtree, and, for
lawyers, auditors, judges and station keepers, which objects are assigned to a
user. Lists, details, form choices, exports and the API all go through
`restrict`; writes are checked again after saving, inside the transaction.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

VIEW, ADD, CHANGE, DELETE, EXPORT, REVEAL = "view", "add", "change", "delete", "export", "reveal"

registry: dict[type[models.Model], "ScopePolicy"] = {}


@dataclass(frozen=True)
class ScopePolicy:
    # ORM path from the model to its Union ("" for Union itself).
    union: str
    # action -> role kinds that grant it on a union's subtree.
    roles: dict[str, frozenset[str]]
    # action -> ORM path to the user an object is assigned to (lawyer, auditor, judge, keeper).
    assigned: dict[str, str] = field(default_factory=dict)
    # True when `union` crosses a to-many relation: the filter then runs as a subquery,
    # so rows are never duplicated.
    through_many: bool = False

    def path_lookup(self) -> str:
        return f"{self.union}__path__subtree" if self.union else "path__subtree"

    def condition(self, user, action: str) -> Q | None:
        """The filter for what `user` may do `action` to; None when nothing."""
        condition = None
        for path in user.scope_paths(self.roles.get(action, frozenset())):
            term = Q(**{self.path_lookup(): path})
            condition = term if condition is None else condition | term
        assigned = self.assigned.get(action)
        if assigned:
            term = Q(**{assigned: user})
            condition = term if condition is None else condition | term
        return condition


def policy(
    union: str,
    view: set[str],
    change: set[str],
    *,
    assigned: dict[str, str] | None = None,
    through_many: bool = False,
    **more: set[str],
) -> ScopePolicy:
    """Build a policy where add/delete/export follow change/view unless given."""
    roles = {
        VIEW: frozenset(view),
        ADD: frozenset(more.pop(ADD, change)),
        CHANGE: frozenset(change),
        DELETE: frozenset(more.pop(DELETE, change)),
        EXPORT: frozenset(more.pop(EXPORT, view)),
    }
    roles.update({action: frozenset(kinds) for action, kinds in more.items()})
    return ScopePolicy(union=union, roles=roles, assigned=assigned or {}, through_many=through_many)


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW):
        """Only the rows `user` may `action`; nothing for anonymous users."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        scope = registry[self.model]
        condition = scope.condition(user, action)
        if condition is None:
            return self.none()
        if scope.through_many:
            return self.filter(pk__in=self.model._base_manager.filter(condition).values("pk"))
        return self.filter(condition)


def scoped(scope: ScopePolicy):
    """Class decorator: register a model's policy (so the registry test can find it)."""

    def register(model):
        registry[model] = scope
        model.scope = scope
        return model

    return register


def can(user, action: str, obj) -> bool:
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()


def check_write(user, action: str, obj) -> None:
    """Called after a save inside the transaction: a write outside the user's scope rolls back."""
    if not can(user, action, obj):
        raise PermissionDenied
