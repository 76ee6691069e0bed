"""The stations' console forms, one module a story."""
