"""REST API of the capacity engine (see views)."""
