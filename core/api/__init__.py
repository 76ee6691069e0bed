"""The API base: scoped viewsets, ordered pagination, errors in the project's terms."""
