from django.db import connection
from django.http import JsonResponse

from . import access


@access.requires(access.PUBLIC)
def health(request):
    """Liveness with one database round trip (`SELECT 1`): load balancers and the benchmarks' baseline."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"ok": True})
