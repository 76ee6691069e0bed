from .history import acting_for


class ActorMiddleware:
    """Attributes every change made while serving a request to its user (read when first needed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        label = "api" if request.path.startswith("/api/") else "web"
        with acting_for(request.user, label):
            return self.get_response(request)
