"""An applicant's session ends after ONEWINDOW_APPLICANT_IDLE_MINUTES without a request.

Applicants sign in on their phones and on the shared computers of a service hall; a person who walks
away without signing out must not leave the next one in their account. Sessions of staff keep the
working-day length of ONEWINDOW_SESSION_HOURS. The applicant sign-in marks the session
(`mark_applicant`); the middleware signs a marked session out once it has been idle too long, and
otherwise notes the time of the request (at most once a minute, so a page view rarely writes the
session). The browser cookie still ends when the browser closes (ONEWINDOW_SESSION_EXPIRE_AT_BROWSER_CLOSE)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LAST_SEEN = "onewindow.applicant_seen"
TOUCH_EVERY = 60  # seconds


def mark_applicant(request, *, now: float | None = None) -> None:
    request.session[LAST_SEEN] = int(time.time() if now is None else now)


class ApplicantIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        minutes = settings.APPLICANT_IDLE_MINUTES
        session = getattr(request, "session", None)
        # A visitor without a session cookie has nothing to load: the check costs nothing for them.
        if minutes > 0 and session is not None and session.session_key and LAST_SEEN in session:
            now = time.time()
            idle = now - session[LAST_SEEN]
            if idle > minutes * 60:
                logout(request)
                messages.info(request, _("您已 %(minutes)d 分钟没有操作，为保护您的信息已自动退出登录。")
                              % {"minutes": minutes})
            elif idle > TOUCH_EVERY:
                session[LAST_SEEN] = int(now)
        return self.get_response(request)
