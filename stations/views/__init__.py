"""The stations' console pages, one module a story (registry, standard, visits and services, coverage)."""
