"""API: cases — submit (with Idempotency-Key), read, act, the public progress and certificate checks.

Thin on purpose: parse, call `onewindow.cases.services` / `.selectors`, serialize. Permissions are the
selectors' (strangers get 404, never 403); business rules are the services'."""

from __future__ import annotations

import contextlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Header, Query, Router, Status

from onewindow.cases import selectors, services
from onewindow.cases.actions import registry as case_actions
from onewindow.catalog import item_cache
from onewindow.catalog import selectors as catalog_selectors
from onewindow.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from onewindow.core.throttle import ScopedThrottle
from onewindow.orgs import identity
from onewindow.orgs import selectors as orgs_selectors
from onewindow.orgs import services as orgs_services
from onewindow.orgs.models import Role, ServiceCentre

from .auth import API_AUTH
from .case_schemas import (
    AvailableActionOut,
    BundleApplicationOut,
    BundleSubmitIn,
    CaseActionIn,
    CaseOut,
    CasePage,
    CaseSubmitIn,
    CertificateVerificationOut,
    ErrorOut,
    ProgressOut,
    TaskPage,
)
from .case_views import (
    available_action_out,
    bundle_application_out,
    case_out,
    case_summary_out,
    certificate_verification_out,
    inbox_task_out,
    page_of,
    progress_out,
)

router = Router(tags=["cases"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
SUBMITTING_ROLES = {Role.WINDOW_CLERK, Role.AGENT, Role.ADMINISTRATOR}
IDEMPOTENCY_KEY_MAX = 100


def _idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise ValidationError(_("Idempotency-Key 须为 1—%(max)d 个可打印字符") % {"max": IDEMPOTENCY_KEY_MAX},
                              field="Idempotency-Key")
    return key


def _prefixed(exc: DomainError, prefix: str) -> DomainError:
    exc.field = f"{prefix}.{exc.field}" if exc.field else prefix
    return exc


def _named_applicant(user, body):
    """The registered applicant the body names, looked up once per request; None when the body names
    none, names someone not registered yet, or the caller is not staff (an applicant submits only for
    themself, see _applicant_for)."""
    if body.applicant is None or not orgs_selectors.roles_of(user) & SUBMITTING_ROLES:
        return None
    return orgs_selectors.find_applicant_by_id_number(body.applicant.id_number)


def _applicant_for(user, body, named):
    """The applicant a submission is for: the caller themself when they are an applicant; for staff
    (window clerks, agents, administrators) the applicant named in the body (`named`, from
    _named_applicant), registered when new (the caller's transaction then covers the registration and
    the case together)."""
    if not orgs_selectors.roles_of(user) & SUBMITTING_ROLES:
        own = orgs_selectors.applicant_for_user(user)
        if own is None:
            raise PermissionDenied(_("只有申请人本人、综合窗口人员和代办员可以提交申请"))
        if body.applicant is not None and identity.normalize(body.applicant.id_number) != own.id_number:
            raise PermissionDenied(_("申请人账号只能为本人提交申请"), field="applicant")
        return own
    if body.applicant is None:
        raise ValidationError(_("代为提交时须填写申请人（类型、证件号码、姓名）"), field="applicant")
    given = body.applicant
    applicant = named
    if applicant is None:
        try:
            applicant = orgs_services.register_applicant(kind=given.kind, name=given.name,
                                                         id_number=given.id_number, phone=given.phone)
        except Conflict:  # registered a moment ago by a concurrent request
            applicant = orgs_selectors.find_applicant_by_id_number(given.id_number)
            if applicant is None:
                raise
        except DomainError as exc:
            raise _prefixed(exc, "applicant") from None
    if applicant.name != given.name.strip():
        raise ValidationError(_("证件号码已登记的申请人名称与填写的不一致，请核对"), field="applicant.name")
    if applicant.kind != given.kind:
        raise ValidationError(_("证件号码已登记的申请人类型与填写的不一致"), field="applicant.kind")
    return applicant


def _registration_transaction(user, body, named):
    """A transaction around the submission only when it may register a new applicant (staff naming
    someone not registered), so a refused submission leaves no applicant behind. Otherwise none:
    submit_case allocates the case number in its own short transaction (cases.numbering) and an outer
    one would hold the centre's counter row for the whole intake."""
    if body.applicant is not None and named is None and orgs_selectors.roles_of(user) & SUBMITTING_ROLES:
        return transaction.atomic()
    return contextlib.nullcontext()


def _centre_for(user, code: str | None):
    own = orgs_selectors.centres_held(user)
    if code:
        centre = ServiceCentre.objects.filter(code=code).first()
        if centre is None:
            raise NotFound(_("没有编码为 %(code)s 的政务服务中心") % {"code": code}, field="centre")
        if orgs_selectors.is_role(user, Role.WINDOW_CLERK) and own and centre not in own:
            raise PermissionDenied(_("只能以本人所在中心的名义受理"), field="centre")
        return centre
    if own:
        return own[0]
    # Online and API applications from applicants go to the highest-level centre (the county's).
    centre = orgs_selectors.online_centre()
    if centre is None:
        raise NotFound(_("尚未设置政务服务中心"), field="centre")
    return centre


def _with_field(exc: DomainError, old: str, new: str) -> DomainError:
    if exc.field == old:
        exc.field = new
    return exc


@router.post("/cases", auth=API_AUTH, response={200: CaseOut, 201: CaseOut, **ERRORS},
             throttle=[ScopedThrottle("apply", by="applicant")],
             summary="提交办件 Submit a case",
             description="提交一件申请。带 `Idempotency-Key` 头时，同一调用者以同一键重复提交只会得到同一办件"
                         "（首次 201，之后 200），绝不会产生第二件；同一键但内容不同返回 409。")
def submit_case(request, body: CaseSubmitIn,
                idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                     description="幂等键（1—100 个字符）")):
    key = _idempotency_key(idempotency_key)
    user = request.auth
    try:
        item = item_cache.item_for_intake(body.item)
    except NotFound as exc:
        raise _with_field(exc, "code", "item") from None
    now = timezone.now()
    named = _named_applicant(user, body)
    with _registration_transaction(user, body, named):
        applicant = _applicant_for(user, body, named)
        centre = _centre_for(user, body.centre)
        case = services.submit_case(
            item=item, applicant=applicant, channel=body.channel, centre=centre, form_data=body.form_data,
            provided_material_ids=tuple(body.provided_material_ids), submitted_by=user,
            idempotency_key=key, principal=f"user:{user.pk}", now=now)
    # A replay returns the case created by the first request, whose submission time is not ours.
    status = 201 if case.submitted_at == now else 200
    return Status(status, case_out(case, user))


@router.post("/bundles/{code}/applications", auth=API_AUTH, throttle=[ScopedThrottle("apply", by="applicant")],
             response={200: BundleApplicationOut, 201: BundleApplicationOut, **ERRORS},
             summary="提交“一件事” Submit a bundle application",
             description="一张表、一套材料，按“一件事”的每个事项各开一件办件。`Idempotency-Key` 规则同提交办件。")
def submit_bundle(request, code: str, body: BundleSubmitIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                       description="幂等键（1—100 个字符）")):
    key = _idempotency_key(idempotency_key)
    user = request.auth
    bundle = catalog_selectors.get_bundle(code)
    now = timezone.now()
    named = _named_applicant(user, body)
    with _registration_transaction(user, body, named):
        applicant = _applicant_for(user, body, named)
        centre = _centre_for(user, body.centre)
        application = services.submit_bundle(
            bundle=bundle, applicant=applicant, channel=body.channel, centre=centre,
            form_data=body.form_data, provided_material_ids=tuple(body.provided_material_ids),
            submitted_by=user, idempotency_key=key, principal=f"user:{user.pk}", now=now)
    status = 201 if application.submitted_at == now else 200
    return Status(status, bundle_application_out(application))


@router.get("/cases", auth=API_AUTH, response={200: CasePage, **ERRORS},
            summary="我可见的办件 Cases visible to me",
            description="申请人：本人的办件；综合窗口：本中心；审批人员：有本部门环节的；代办员：分配给自己的；"
                        "效能办与管理员：全部。按提交时间倒序分页。")
def list_cases(request, state: str | None = Query(None, max_length=24, description="按状态筛选"),
               page: int = Query(1, ge=1, le=100000), page_size: int = Query(20, ge=1, le=100)):
    from onewindow.cases.states import CaseState

    cases = selectors.cases_visible_to(request.auth)
    if state:
        if state not in CaseState.values:
            raise ValidationError(_("未知状态 %(state)s，可选：%(choices)s")
                                  % {"state": state, "choices": ", ".join(CaseState.values)}, field="state")
        cases = cases.filter(state=state)
    cases = cases.select_related("item", "applicant", "centre").order_by("-submitted_at", "-id")
    return page_of(cases, page=page, page_size=page_size, serialize=case_summary_out)


@router.get("/cases/{number}", auth=API_AUTH, response={200: CaseOut, **ERRORS},
            summary="办件详情 One case", description="环节、材料、收费、证照和时钟（期限、是否暂定、日历版本、亮灯）。"
                                                 "无权查看的办件与不存在的一样返回 404。")
def get_case(request, number: str):
    if len(number) > 40:
        raise NotFound(_("没有找到该办件"), field="number")
    return Status(200, case_out(selectors.get_case_for(request.auth, number), request.auth))


def _visible_case(user, number: str):
    if len(number) > 40:
        raise NotFound(_("没有找到该办件"), field="number")
    return selectors.get_case_for(user, number)


@router.get("/cases/{number}/actions", auth=API_AUTH, response={200: list[AvailableActionOut], **ERRORS},
            summary="我现在可办理的动作 Actions I may take now",
            description="按办件当前状态和本人身份列出可办理的动作，及每个参数的可选值（本人可办理的审批任务、"
                        "缺少或容缺的材料、未缴费用、进行中的特别程序…）。参数模型见 params_schema。")
def list_case_actions(request, number: str):
    case = _visible_case(request.auth, number)
    return Status(200, [available_action_out(offer) for offer in case_actions.offers(request.auth, case)])


@router.post("/cases/{number}/actions", auth=API_AUTH, response={200: CaseOut, **ERRORS},
             summary="办理动作 Act on a case",
             description="受理、不予受理、补正、审批通过、不予许可、特别程序、延长、缴费、办结、撤回等："
                         "{\"action\": 动作名, \"params\": 该动作的参数}，各动作的参数见 oneOf。审批人员办理"
                         "审批任务须写明 task_id（结束特别程序 procedure_id，缴费 fee_id，补齐容缺材料 material_id），"
                         "不会代为猜测。当前状态不允许的动作返回 409，无权办理 403，参数错误 400/422 并指明字段"
                         "（如 params.task_id）。")
def act_on_case(request, number: str, body: Body[CaseActionIn]):
    user = request.auth
    case = _visible_case(user, number)
    try:
        case_actions.perform(user, case, body.action, body.params)
    except DomainError as exc:
        if exc.field and exc.field.split(".")[0] in type(body.params).model_fields:
            raise _prefixed(exc, "params") from None
        raise
    return Status(200, case_out(selectors.get_case_for(user, case.number), user))


@router.get("/tasks", auth=API_AUTH, response={200: TaskPage, **ERRORS},
            summary="我的待办 My inbox", description="本部门（及首席代表授权事项）的审批任务，期限最早的在前。")
def list_tasks(request, state: str = Query("open", max_length=12, description="open 办理中（默认）或其他任务状态"),
               page: int = Query(1, ge=1, le=100000), page_size: int = Query(20, ge=1, le=100)):
    from onewindow.cases.states import TaskState

    if state not in TaskState.values:
        raise ValidationError(_("未知任务状态 %(state)s，可选：%(choices)s")
                              % {"state": state, "choices": ", ".join(TaskState.values)}, field="state")
    tasks = selectors.inbox(request.auth, state=state).select_related("case__item", "case__applicant", "department")
    return page_of(tasks, page=page, page_size=page_size, serialize=inbox_task_out)


@router.get("/progress/{number}", auth=None, response={200: ProgressOut, **ERRORS},
            throttle=[ScopedThrottle("progress")],
            summary="办件进度（免登录） Public progress",
            description="凭办件编号和查询码查询进度；编号或查询码不符一律 404。")
def get_progress(request, number: str, query_code: str = Query(..., min_length=1, max_length=12,
                                                               description="受理通知书上的查询码")):
    if len(number) > 40:
        raise NotFound(_("办件编号或查询码不正确"), field="number")
    case = selectors.get_case_by_query(number, query_code)
    return Status(200, progress_out(selectors.progress(case)))


@router.get("/certificates/{number}", auth=None, response={200: CertificateVerificationOut, **ERRORS},
            throttle=[ScopedThrottle("certificate")],
            summary="电子证照查验（免登录） Verify a certificate",
            description="任何人可查验证照编号是否为本平台签发、当前是否有效；持证自然人姓名打码。")
def verify_certificate(request, number: str):
    number = number.strip()[:50]
    certificate = selectors.verify_certificate(number) if number else None
    return Status(200, certificate_verification_out(number, certificate, today=timezone.localdate()))
