"""The programs engine's models: the catalogue (series, programs, sessions, expenses) and registrations."""

from .catalogue import Program, ProgramExpense, ProgramSeries, Session
from .registrations import PendingNotice, Registration

__all__ = ["PendingNotice", "Program", "ProgramExpense", "ProgramSeries", "Registration", "Session"]
