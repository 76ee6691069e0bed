"""A queryset compiled once per process, then run with other values: for reads on a request's hot path.

Building and compiling a queryset with joins, subqueries and annotations costs about a millisecond
of Python, more than the indexed read itself (a program sign-up reads the person and the session
this way: bench/program_signups.py). `Compiled(build)` calls `build(*MARKS)` once per database
alias, compiles it, notes where the marks sit among the SQL's parameters, and afterwards runs that
SQL with the caller's values in their places, turning the row into a model instance as Django's
ModelIterable does (select_related objects and annotations included).

The builder must depend on nothing but its arguments: whatever else it reads (the time, a setting)
is frozen into the SQL at the first call.

On PostgreSQL the statement also runs prepared (`prepared_cursor`): parsing and planning it cost the
server four times as much as running it (0.38 against 0.08 ms of PostgreSQL's CPU for a sign-up's
session read, measured in process).
"""

import inspect
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Integers no id or value here takes (or their text, for a text field), standing for the caller's
# values while the SQL is compiled.
MARKS = (-7_340_001, -7_340_002, -7_340_003, -7_340_004)
INT64 = (-(2**63), 2**63 - 1)


def prepared_cursor(using: str = "default") -> CursorWrapper:
    """A cursor for statements a process runs again and again with other values. On PostgreSQL its
    values are bound by the server, so psycopg prepares a statement after `prepare_threshold` runs on
    the connection (the database's OPTIONS; without it nothing is prepared) and the server parses and
    plans it once per connection; Django's own cursors bind on the client and never prepare.
    Elsewhere, the connection's plain cursor.

    A statement prepared before a migration that changes what it reads fails once on that connection
    ("cached plan must not change result type"): restart the workers after migrating, as a deploy does."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = ServerBindingCursor(connection.connection)
    # As Django wraps its own cursors: its database errors, and the query log when it is on.
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


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
            # The columns' converters (dates, decimals, JSON…), as results_iter() finds them again for
            # every query: looking them up cost a fifth of a read's Python.
            converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
            plan = (
                sql,
                tuple(params),
                slots,
                compiler,
                converters,
                klass_info["model"],
                (start, end, names),
                get_related_populators(klass_info, select, alias),
                compiler.annotation_col_map,
            )
            self._plans[alias] = plan
        return plan

    def first(self, *values, using: str = "default"):
        """The first instance the SQL finds with `values` in the marks' places, or None."""
        sql, params, slots, compiler, converters, model, (start, end, names), populators, annotations = (
            self._plan(using)
        )
        if any(type(value) is int and not INT64[0] <= value <= INT64[1] for value in values):
            return None  # as the ORM answers an integer past any column's range: no row (nor an error)
        bound = list(params)
        for position, index in slots:
            bound[position] = values[index]
        with prepared_cursor(using) as cursor:
            cursor.execute(sql, bound)
            row = cursor.fetchone()
        if row is None:
            return None
        if converters:  # applied as for any queryset
            row = next(compiler.apply_converters([row], converters))
        instance = model.from_db(using, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations.items():
            setattr(instance, name, row[position])
        return instance
