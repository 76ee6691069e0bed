"""The stations' business rules, one module a story; views, serializers and commands call these."""
