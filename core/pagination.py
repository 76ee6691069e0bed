"""Pagination whose deep pages stay cheap: the console's lists and the API use it."""

from django.core import paginator
from django.db.models import QuerySet


class Paginator(paginator.Paginator):
    """Fetches a page in two steps: its primary keys, then those rows with their joins.

    With OFFSET the database builds every row it skips; a list that joins the person
    and the union (select_related) would join them 25,000 times for page 500. The
    first step walks the ordering's index without the joined columns; the second
    joins only the page's rows.
    """

    def page(self, number):
        page = super().page(number)
        if isinstance(page.object_list, QuerySet):
            page.object_list = page_rows(self.object_list, page.object_list)
        return page


def page_rows(queryset: QuerySet, window: QuerySet) -> list:
    """The rows of `window` (a slice of `queryset`), in its order."""
    pks = list(window.values_list("pk", flat=True))
    if not pks:
        return []
    rows = {row.pk: row for row in _by_pk(queryset, pks)}
    return [rows[pk] for pk in pks if pk in rows]


def _by_pk(queryset: QuerySet, pks: list) -> QuerySet:
    """`queryset`'s rows with these keys, without asking its filters again: they already chose
    the keys, and a scope's subquery would run a second time (SQLite materialises it in full)."""
    if queryset.query.annotations or queryset.query.extra:
        # An annotation may depend on the filters' joins: keep the queryset whole.
        return queryset.order_by().filter(pk__in=pks)
    rows = queryset.model._base_manager.using(queryset.db).filter(pk__in=pks)
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    return rows.prefetch_related(*queryset._prefetch_related_lookups)
