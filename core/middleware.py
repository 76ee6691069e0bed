from .history import acting_as


class ActorMiddleware:
    """Attributes every change made while serving a request to its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        label = "api" if request.path.startswith("/api/") else "web"
        with acting_as(user, label):
            return self.get_response(request)
