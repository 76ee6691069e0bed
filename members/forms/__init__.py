from .people import PersonLookupForm

__all__ = ["PersonLookupForm"]
