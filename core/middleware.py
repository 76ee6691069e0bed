from .api import API_PREFIX
from .history import acting_for
from .nul import refuse_in_request


class ActorMiddleware:
    """Attributes every change made while serving a request to its user (read when first needed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        label = "api" if request.path.startswith(API_PREFIX) else "web"
        with acting_for(request.user, label):
            return self.get_response(request)


class RefuseNulMiddleware:
    """A path, query string or form with NUL is a 400 before any view reads it (core.nul)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refuse_in_request(request)
        return self.get_response(request)
