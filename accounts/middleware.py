from django.conf import settings
from django.contrib.auth import SESSION_KEY

from .sessions import keep_alive


class IdleTimeoutMiddleware:
    """Officials are signed out after SESSION_IDLE_MINUTES idle; workers' phones keep them longer.

    Each request slides the session's expiry (an idle timeout), writing it at most once a refresh
    interval (accounts.sessions.keep_alive). It does so after the view, so that the view's own
    authentication reads the user first, its own way (a sign-up joins the person: accounts.backends).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session's user (lazy): an API view may put a token's user in request.user, whose
        # requests have no session to keep alive.
        user = getattr(request, "user", None)
        response = self.get_response(request)
        # Signed out by the view (the session flushed): nothing left to keep alive.
        if user is not None and user.is_authenticated and SESSION_KEY in request.session:
            if user.is_worker and not user.has_usable_password():
                keep_alive(request.session, settings.WORKER_SESSION_DAYS * 86400)
            else:
                keep_alive(request.session, settings.SESSION_IDLE_MINUTES * 60)
        return response
