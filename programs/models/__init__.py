"""The programs engine's models: the catalogue (series, programs, sessions, expenses) and registrations."""

from .catalogue import Program, ProgramExpense, ProgramSeries, Session
from .registrations import Registration

__all__ = ["Program", "ProgramExpense", "ProgramSeries", "Registration", "Session"]
