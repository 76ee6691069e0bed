"""The API base: scoped viewsets, ordered pagination, errors in the project's terms."""

API_PREFIX = "/api/"  # where the API's paths start: its errors are JSON, its bodies read by its parsers
