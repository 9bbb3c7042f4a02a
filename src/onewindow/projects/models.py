"""Engineering-construction projects (工程建设项目) and getting electricity: one project, its stages in
order, the items of each stage and the cases submitted for it.

The cases side of a project is `cases.KeyProject` (the file the cases point at: code, name, the
builder and the coordinator, 帮办 — an agent who may act for the builder on every case of the project).
A `Project` is that file's construction record: its kind, centre, whether it is a key project, its state
and its clock (the committed total); each `Stage` has its own clock (the stage's limit). A case joins a
stage through `StageCase` when it is attached (the case must have been submitted for the project)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, KeyProject
from onewindow.catalog.models import Item
from onewindow.orgs.models import ServiceCentre
from onewindow.workflow.clock import Clocked

from .plans import ProjectKind, StageKind
from .states import ProjectState, StageState


class Project(Clocked):
    file = models.OneToOneField(KeyProject, models.PROTECT, related_name="construction",
                                verbose_name=_("项目档案"))
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("项目类型"), max_length=16, choices=ProjectKind.choices)
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, related_name="projects", verbose_name=_("牵头中心"),
                               db_index=False)
    is_key = models.BooleanField(_("重点项目"), default=False)
    investment = models.DecimalField(_("总投资（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    query_code = models.CharField(_("查询码"), max_length=12)
    state = models.CharField(_("状态"), max_length=16, choices=ProjectState.choices, default=ProjectState.REGISTERED)
    registered_at = models.DateTimeField(_("登记时间"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                      related_name="registered_projects", verbose_name=_("登记人"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工程建设项目")
        verbose_name_plural = _("工程建设项目")
        indexes = [
            models.Index(fields=["centre", "state"]),
            models.Index(fields=["clock_stopped_on", "clock_late_on"]),
            models.Index(fields=["clock_stopped_on", "clock_warn_on"]),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Stage(Clocked):
    project = models.ForeignKey(Project, models.CASCADE, related_name="stages", verbose_name=_("项目"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.CharField(_("阶段"), max_length=24, choices=StageKind.choices)
    state = models.CharField(_("状态"), max_length=12, choices=StageState.choices, default=StageState.PENDING)
    planned_limit = models.PositiveIntegerField(_("阶段时限（工作日）"))
    items = models.ManyToManyField(Item, blank=True, related_name="project_stages", verbose_name=_("阶段事项"))

    class Meta:
        verbose_name = _("项目阶段")
        verbose_name_plural = _("项目阶段")
        ordering = ["project", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="project_stage_order_unique")]
        indexes = [models.Index(fields=["clock_stopped_on", "clock_late_on"])]

    def __str__(self):
        return f"{self.project.code} {self.order}. {self.get_kind_display()}"


class StageCase(models.Model):
    stage = models.ForeignKey(Stage, models.CASCADE, related_name="links", verbose_name=_("项目阶段"))
    case = models.OneToOneField(Case, models.PROTECT, related_name="project_stage_link", verbose_name=_("办件"))
    attached_at = models.DateTimeField(_("关联时间"))
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("关联人"))

    class Meta:
        verbose_name = _("阶段办件")
        verbose_name_plural = _("阶段办件")

    def __str__(self):
        return f"{self.stage} · {self.case_id}"
