"""The one scoping mechanism: `Model.objects.restrict(user, action)`.

Every union-owned model declares a `ScopePolicy`: how it reaches its union, which
roles on a union grant which action over that union's whole subtree, and, for
lawyers, auditors, judges and station keepers, which objects are assigned to a
user. Lists, details, form choices, exports and the API all go through
`restrict`; writes are checked again after saving, inside the transaction.
"""

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP

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
    # More paths to unions that also own the object (a transfer belongs to both unions it joins).
    also: tuple[str, ...] = ()
    # The role kind the assignment is held under: without an active role of it, an assignment still
    # on record grants nothing (a lawyer whose role was revoked keeps their old consultations' rows).
    assigned_role: str = ""

    def path_lookups(self) -> list[str]:
        return [f"{union}__path__subtree" if union else "path__subtree" for union in (self.union, *self.also)]

    def terms(self, user, action: str) -> list[tuple[str, object]]:
        """(lookup, value) pairs, any of which lets `user` do `action` to a row."""
        paths = user.scope_paths(self.roles.get(action, frozenset()))
        terms: list[tuple[str, object]] = [(lookup, path) for lookup in self.path_lookups() for path in paths]
        assigned = self.assigned.get(action)
        if assigned and (not self.assigned_role or self.assigned_role in user.role_kinds()):
            terms.append((assigned, user))
        return terms

    def condition(self, user, action: str) -> Q | None:
        """The filter for what `user` may do `action` to; None when nothing."""
        condition = None
        for lookup, value in self.terms(user, action):
            term = Q(**{lookup: value})
            condition = term if condition is None else condition | term
        return condition

    def unique_condition(self, model, user, action: str) -> Q | None:
        """Like condition(), but a term that crosses a to-many relation becomes a subquery, so no row
        repeats. The subquery starts at the to-many side (`person IN (SELECT person_id FROM membership
        JOIN union ...)`), not at `model` joined to itself, so the database reads each membership once."""
        plain, subqueries = None, {}
        for lookup, value in self.terms(user, action):
            hop = _to_many_hop(model, lookup)
            if hop is None:
                term = Q(**{lookup: value})
                plain = term if plain is None else plain | term
                continue
            lhs, related, column, rest = hop
            term = Q(**{rest: value})
            key = (lhs, related, column)
            subqueries[key] = term if key not in subqueries else subqueries[key] | term
        condition = plain
        for (lhs, related, column), inner in subqueries.items():
            term = Q(**{lhs: related._base_manager.filter(inner).values(column)})
            condition = term if condition is None else condition | term
        return condition


def _to_many_hop(model, lookup: str) -> tuple[str, type[models.Model], str, str] | None:
    """Where `lookup` first crosses a to-many relation: (lhs on `model`, the model to query, the column
    it selects, the lookup on that model); None when it crosses none, so a plain filter repeats no row."""
    parts = lookup.split(LOOKUP_SEP)
    opts, prefix = model._meta, []
    for i, name in enumerate(parts):
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.is_relation:
            return None
        rest = parts[i + 1 :]
        if field.one_to_many and rest:
            # A reverse foreign key: ask its model directly for the foreign key's column.
            lhs = LOOKUP_SEP.join([*prefix, field.field.target_field.name, "in"])
            return lhs, field.related_model, field.field.attname, LOOKUP_SEP.join(rest)
        if field.one_to_many or field.many_to_many:
            return "pk__in", model, "pk", lookup
        prefix.append(name)
        opts = field.related_model._meta
    return None


def policy(
    union: str,
    view: set[str],
    change: set[str],
    *,
    assigned: dict[str, str] | None = None,
    assigned_role: str = "",
    through_many: bool = False,
    also: tuple[str, ...] = (),
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
    return ScopePolicy(
        union=union,
        roles=roles,
        assigned=assigned or {},
        assigned_role=assigned_role,
        through_many=through_many,
        also=also,
    )


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW):
        """Only the rows `user` may `action`; nothing for anonymous users."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        scope = registry[self.model]
        if scope.through_many:
            condition = scope.unique_condition(self.model, user, action)
        else:
            condition = scope.condition(user, action)
        if condition is None:
            return self.none()
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


def owner_field(model) -> str | None:
    """The form field naming the union that owns a `model` object ("parent" for the tree itself)."""
    scope = registry.get(model)
    if scope is None or LOOKUP_SEP in scope.union:
        return None
    return scope.union or "parent"


def owners_for(user, model, action: str, unions):
    """Of `unions` (a Union queryset), those on which `user` may `action` a `model` object.

    The choices of an owner field follow the model's policy, not the Union model's own:
    a service official may open stations under a town union without any right to edit the union.
    """
    if not user.is_authenticated or not user.is_active:
        return unions.none()
    if user.is_superuser:
        return unions
    paths = user.scope_paths(registry[model].roles.get(action, frozenset()))
    condition = None
    for path in paths:
        term = Q(path__subtree=path)
        condition = term if condition is None else condition | term
    return unions.none() if condition is None else unions.filter(condition)


def limit_choices(user, model, instance, fields: dict, actions: dict[str, str]) -> None:
    """Narrow every relation field of a form or serializer to what `user` may use.

    The owner field offers the unions where the user may add (or, editing, change) such an object;
    other scoped relations offer what the user may `actions.get(name, VIEW)`.
    """
    owner = owner_field(model)
    # A list serializer hands its page of rows here as `instance`: those are not being edited.
    action = CHANGE if getattr(instance, "pk", None) is not None else ADD
    for name, choice in fields.items():
        queryset = getattr(choice, "queryset", None)
        if queryset is None:
            continue
        if name == owner:
            choice.queryset = owners_for(user, model, action, queryset)
        elif queryset.model in registry:
            choice.queryset = queryset.restrict(user, actions.get(name, VIEW))
