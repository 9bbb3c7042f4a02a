"""django-axes (sign-in lockout) in Chinese in the admin. Its AppConfig has no verbose_name (the admin
showed the label title-cased, "Axes"), its models' and fields' English names are translated in our
zh_Hans catalog (locale/zh_Hans: axes ships no Chinese), and its models' __str__ — read out by the
admin's row checkboxes and shown in its breadcrumbs — are plain English f-strings, replaced here with
Chinese ones. The admin's own columns without a label are named in core/admin.py."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def _attempt_str(attempt) -> str:
    return gettext("%(user)s 的登录尝试（%(time)s）") % {"user": attempt.username or "—",
                                                      "time": _when(attempt.attempt_time)}


def _log_str(log) -> str:
    return gettext("%(user)s 的登录记录（%(time)s）") % {"user": log.username or "—", "time": _when(log.attempt_time)}


def _failure_str(failure) -> str:
    text = gettext("%(user)s 登录失败（%(time)s，来自 %(ip)s）") % {
        "user": failure.username or "—", "time": _when(failure.attempt_time), "ip": failure.ip_address or "—"}
    return text + (gettext("，已锁定") if failure.locked_out else "")


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录失败锁定")

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = _attempt_str
        AccessLog.__str__ = _log_str
        AccessFailureLog.__str__ = _failure_str
