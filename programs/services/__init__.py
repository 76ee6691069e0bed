"""The capacity engine's business rules (plain functions; views, API and commands call them)."""
