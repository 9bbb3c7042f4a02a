"""What several app servers behind one load balancer need from each response (docs/scaling.md):

- `X-Onewindow-Server: <ONEWINDOW_SERVER_ID>`: which server answered (operations, and the topology
  script's proof that nginx spreads the load); no header when SERVER_ID is empty.
- with a read replica configured, a browser that has just written (any non-GET/HEAD request answered
  below 500) gets the short-lived `ow_primary` cookie: for REPLICA_PIN_SECONDS its dashboard reads stay
  on the primary (core.dbrouter), so nobody sees the page they just changed without their change.
"""

from __future__ import annotations

from django.conf import settings

from .dbrouter import PIN_COOKIE, SAFE_METHODS, replica_enabled

SERVER_HEADER = "X-Onewindow-Server"


class ScaleOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        server_id = getattr(settings, "SERVER_ID", "")
        if server_id:
            response[SERVER_HEADER] = server_id
        pin = getattr(settings, "REPLICA_PIN_SECONDS", 0)
        if request.method not in SAFE_METHODS and response.status_code < 500 and pin > 0 and replica_enabled():
            response.set_cookie(PIN_COOKIE, "1", max_age=pin, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response
