from django.conf import settings


class IdleTimeoutMiddleware:
    """Officials are signed out after SESSION_IDLE_MINUTES idle; workers' phones keep them longer.

    With SESSION_SAVE_EVERY_REQUEST the expiry slides with every request, so it is an idle timeout.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.is_worker and not user.has_usable_password():
                request.session.set_expiry(settings.WORKER_SESSION_DAYS * 86400)
            else:
                request.session.set_expiry(settings.SESSION_IDLE_MINUTES * 60)
        return self.get_response(request)
