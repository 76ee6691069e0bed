"""A queryset compiled once per process, then run with other values: for reads on a request's hot path.

Building and compiling a queryset with joins, subqueries and annotations costs about a millisecond
of Python, more than the indexed read itself (a program sign-up reads the person and the session
this way: bench/program_signups.py). `Compiled(build)` calls `build(*MARKS)` once per database
alias, compiles it, notes where the marks sit among the SQL's parameters, and afterwards runs that
SQL with the caller's values in their places, turning the row into a model instance as Django's
ModelIterable does (select_related objects and annotations included).

The builder must depend on nothing but its arguments: whatever else it reads (the time, a setting)
is frozen into the SQL at the first call.
"""

import inspect
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Integers no id or value here takes (or their text, for a text field), standing for the caller's
# values while the SQL is compiled.
MARKS = (-7_340_001, -7_340_002, -7_340_003, -7_340_004)


class Compiled:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self.marks = MARKS[: len(inspect.signature(build).parameters)]  # one per value the builder takes
        self._plans: dict[str, tuple] = {}

    def _plan(self, alias: str) -> tuple:
        plan = self._plans.get(alias)
        if plan is None:
            queryset = self.build(*self.marks)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            # A mark stays an int, or becomes its text where the field is a text one.
            where = {mark: index for index, mark in enumerate(self.marks)}
            where.update({str(mark): index for index, mark in enumerate(self.marks)})
            slots = tuple(
                (position, where[value])
                for position, value in enumerate(params)
                if type(value) in (int, str) and value in where
            )
            if {index for _position, index in slots} != set(range(len(self.marks))):
                # A value the SQL would never receive: refuse rather than run with the mark.
                raise ImproperlyConfigured(f"{self.build!r}: a value is not a parameter of its SQL as given")
            klass_info, select = compiler.klass_info, compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            plan = (
                sql,
                tuple(params),
                slots,
                compiler,
                klass_info["model"],
                (start, end, names),
                get_related_populators(klass_info, select, alias),
                compiler.annotation_col_map,
            )
            self._plans[alias] = plan
        return plan

    def first(self, *values, using: str = "default"):
        """The first instance the SQL finds with `values` in the marks' places, or None."""
        sql, params, slots, compiler, model, (start, end, names), populators, annotations = self._plan(using)
        bound = list(params)
        for position, index in slots:
            bound[position] = values[index]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, bound)
            row = cursor.fetchone()
        if row is None:
            return None
        # The compiler's converters (dates, decimals, JSON…), as for any queryset.
        row = next(compiler.results_iter([[row]]))
        instance = model.from_db(using, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations.items():
            setattr(instance, name, row[position])
        return instance
