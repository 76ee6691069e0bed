"""SQLite, the embedded default, with PostgreSQL's integer ranges (settings: ENGINE core.db.sqlite3).

Django gives a model's integer field validators for the range of its column, and SQLite's columns
hold any 64-bit integer: on SQLite a headcount of 9e18 (or a phone number typed into a count) passed
the forms and the API that PostgreSQL refuses, and two such rows overflowed the SUM of a report (a
500). With the ranges PostgreSQL's columns have (Django's own table, as the PostgreSQL backend uses
it), both databases refuse the same numbers with the same message. Everything else is Django's.
"""

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def integer_field_range(self, internal_type):
        return BaseDatabaseOperations.integer_field_ranges[internal_type]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
