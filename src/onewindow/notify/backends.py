"""How a text message reaches a phone: a backend class named by settings.NOTIFY_BACKEND.

A backend has two methods, both returning when the message is handed over and raising on failure:
- `send_text(phone=…, text=…)`: one text message to one number (the confirmation code of a new
  account goes this way, composed by notify.services.send_confirmation_code);
- `send(notification)`: a case notification to its applicant's phone; by default `send_text` with the
  notification's text, so an SMS gateway needs to implement `send_text` only.
The delivery step of the outbox records a failure and retries later. Logs and errors carry the phone
number masked (orgs.identity.mask_phone), never in full.

- `log` (default, LogBackend): nothing leaves the machine. A case notification is stored (the
  applicant reads it under 我的消息 on the portal) and one line is logged. A confirmation code cannot
  be read anywhere else, so it is appended to settings.NOTIFY_LOG_FILE (DATA_DIR/sms-outbox.log,
  readable by its owner only) with the phone masked: the demo and the tests read it there, and an
  operator can see that codes are asked for. A site that lets the public register needs a gateway.
- a dotted path (`mypackage.sms.GatewayBackend`): a subclass of Backend implementing `send_text`."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from onewindow.orgs.identity import mask_phone

logger = logging.getLogger("onewindow.notify")

ALIASES = {"log": "onewindow.notify.backends.LogBackend"}


class Backend:
    def send_text(self, *, phone: str, text: str) -> None:  # pragma: no cover - the interface
        raise NotImplementedError

    def send(self, notification) -> None:
        self.send_text(phone=notification.applicant.phone, text=notification.text)


_file_lock = threading.Lock()


class LogBackend(Backend):
    def send(self, notification) -> None:
        logger.info("短信 sms → %s: %s %s (%d 字 chars)", mask_phone(notification.applicant.phone),
                    notification.case_number, notification.kind, len(notification.text))

    def send_text(self, *, phone: str, text: str) -> None:
        path = Path(settings.NOTIFY_LOG_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {mask_phone(phone)} {text}\n"
        with _file_lock:
            # One write of one line in append mode: lines of several processes do not interleave.
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line.encode())
            finally:
                os.close(descriptor)
        logger.info("短信 sms → %s: %d 字 chars, written to %s", mask_phone(phone), len(text), path)


def get_backend() -> Backend:
    name = settings.NOTIFY_BACKEND
    try:
        backend_class = import_string(ALIASES.get(name, name))
    except ImportError as exc:
        raise ImproperlyConfigured(f"ONEWINDOW_NOTIFY_BACKEND={name!r}: expected log or a dotted path "
                                   f"to a backend class ({exc})") from None
    return backend_class()
