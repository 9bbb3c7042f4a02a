"""The words of ratings: the five levels, what is rated, the standard's dimensions, and the states of a
bad rating's rectification with the one table of its transitions (workflow.machine).

Levels follow State Council General Office 2019 No. 51 and GB/T 39734/39735-2020: 非常满意, 满意,
基本满意, 不满意, 非常不满意; a bad rating is 不满意 or worse. A level's score (for the appraisal's
average) is linear: 100, 75, 50, 25, 0."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import Machine, transition


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVEL_MAX = Level.DISSATISFIED  # level <= this is a bad rating (差评)
LEVEL_SCORES = {5: 100, 4: 75, 3: 50, 2: 25, 1: 0}


def is_bad(level: int) -> bool:
    return level <= BAD_LEVEL_MAX


def score(level: int) -> int:
    return LEVEL_SCORES[level]


class SubjectKind(models.TextChoices):
    """What is rated. Complaint work orders plug in through ratings.subjects (one resolver)."""

    CASE = "case", _("办件")
    VISIT = "visit", _("窗口服务")
    COMPLAINT = "complaint", _("投诉工单")


class Mode(models.TextChoices):
    ONLINE = "online", _("网上办理")
    IN_PERSON = "in_person", _("现场办理")


class Source(models.TextChoices):
    PORTAL = "portal", _("办件进度页")
    NOTICE = "notice", _("通知中的评价链接")
    PAD = "pad", _("窗口评价器")


class Dimension(models.TextChoices):
    """The standard's dimensions besides the overall level (GB/T 39734/39735-2020)."""

    EFFICIENCY = "efficiency", _("办事效率")
    GUIDE_ACCURACY = "guide_accuracy", _("办事指南准确性")
    CONVENIENCE = "convenience", _("办事便利度")
    USABILITY = "usability", _("平台易用性")
    SERVICE_LEVEL = "service_level", _("服务水平")
    ATTITUDE = "attitude", _("服务态度")


DIMENSIONS: dict[str, tuple[Dimension, ...]] = {
    Mode.ONLINE: (Dimension.EFFICIENCY, Dimension.GUIDE_ACCURACY, Dimension.CONVENIENCE, Dimension.USABILITY),
    Mode.IN_PERSON: (Dimension.EFFICIENCY, Dimension.SERVICE_LEVEL, Dimension.ATTITUDE),
}


class RectificationState(models.TextChoices):
    OPEN = "open", _("整改中")
    SUBMITTED = "submitted", _("已报整改结果，待审核")
    APPEALED = "appealed", _("申诉复核中")
    CLOSED = "closed", _("整改完成")
    APPEAL_UPHELD = "appeal_upheld", _("申诉成立，差评不计入统计")


OPEN_RECTIFICATION_STATES = (RectificationState.OPEN, RectificationState.SUBMITTED, RectificationState.APPEALED)

RECTIFICATION_MACHINE = Machine("rectification", states=RectificationState, transitions={
    "record_follow_up": transition({RectificationState.OPEN}, None, _("登记回访"), "followed_up"),
    "submit": transition({RectificationState.OPEN}, RectificationState.SUBMITTED, _("报送整改结果"), "submitted"),
    "accept": transition({RectificationState.SUBMITTED}, RectificationState.CLOSED, _("审核通过"), "accepted"),
    "reject": transition({RectificationState.SUBMITTED}, RectificationState.OPEN, _("退回重新整改"), "rejected"),
    "appeal": transition({RectificationState.OPEN}, RectificationState.APPEALED, _("申诉复核"), "appealed"),
    "uphold_appeal": transition({RectificationState.APPEALED}, RectificationState.APPEAL_UPHELD,
                                _("申诉成立"), "appeal_upheld"),
    "dismiss_appeal": transition({RectificationState.APPEALED}, RectificationState.OPEN, _("申诉不成立"),
                                 "appeal_dismissed"),
})


class AppealGround(models.TextChoices):
    MISTAKEN = "mistaken", _("误评（评价对象或内容有误）")
    MALICIOUS = "malicious", _("恶意差评")
