"""One FilterSet per model, shared by the console lists and the API."""
