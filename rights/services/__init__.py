"""Rights protection services, one module a story."""
