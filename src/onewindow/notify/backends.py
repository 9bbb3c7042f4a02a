"""How a notification reaches the applicant: a backend class named by settings.NOTIFY_BACKEND.

A backend's `send(notification)` returns when the message is handed over and raises on failure (the
delivery step records the error and retries later). The text message goes to the applicant's phone
number; logs and errors carry it masked (orgs.identity.mask_phone), never in full.

- `log` (default, LogBackend): nothing leaves the machine. The notification is stored (the applicant
  reads it under 我的消息 on the portal) and one line is logged per text message. Until an SMS gateway
  is connected (a later issue) this is the production setting too.
- a dotted path (`mypackage.sms.GatewayBackend`): a class with the same `send` method."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from onewindow.orgs.identity import mask_phone

logger = logging.getLogger("onewindow.notify")

ALIASES = {"log": "onewindow.notify.backends.LogBackend"}


class Backend:
    def send(self, notification) -> None:  # pragma: no cover - the interface
        raise NotImplementedError


class LogBackend(Backend):
    def send(self, notification) -> None:
        logger.info("短信 sms → %s: %s %s (%d 字 chars)", mask_phone(notification.applicant.phone),
                    notification.case_number, notification.kind, len(notification.text))


def get_backend() -> Backend:
    name = settings.NOTIFY_BACKEND
    try:
        backend_class = import_string(ALIASES.get(name, name))
    except ImportError as exc:
        raise ImproperlyConfigured(f"ONEWINDOW_NOTIFY_BACKEND={name!r}: expected log or a dotted path "
                                   f"to a backend class ({exc})") from None
    return backend_class()
