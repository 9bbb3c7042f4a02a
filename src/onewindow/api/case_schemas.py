"""Schemas of the cases API (api/cases.py): what goes in, what comes out, each field described so
/api/v1/openapi.json documents the contract."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from ninja import Field
from pydantic import BaseModel, ConfigDict, field_validator

from onewindow.cases import actions as case_actions
from onewindow.cases.models import CaseMaterialStatus, Channel, FeeState
from onewindow.cases.states import CaseState, TaskState

MAX_FORM_BYTES = 64 * 1024
MAX_MATERIALS = 200

# The body of POST /cases/{number}/actions: {"action": "<name>", "params": {...}}, one variant per action
# registered in cases/actions.py, each with its own typed parameters (the OpenAPI document names them).
CaseActionIn = case_actions.registry.union_schema()


class Strict(BaseModel):
    # Unknown fields are refused: a misspelt field name must not be silently dropped.
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """What the API answers: built as plain dicts by api/case_views.py and validated by pydantic alone.
    (ninja's Schema wraps every nested value in its ORM attribute getter first — a third of a
    submission's response time for data that is already a dict.)"""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(Out):
    code: str = Field(description="机器可读的错误类别 error class: invalid, not_found, forbidden, conflict, "
                                  "unauthorized …")
    field: str | None = Field(None, description="出错的字段（点分路径） the input at fault, if any")
    message: str = Field(description="给人看的原因 the reason, in plain words")


class ApplicantIn(Strict):
    kind: Literal["person", "enterprise"] = Field(
        description="person 自然人（居民身份证号码）或 enterprise 法人及其他组织（统一社会信用代码）")
    id_number: str = Field(min_length=1, max_length=40, description="居民身份证号码或统一社会信用代码（18 位）")
    name: str = Field(min_length=1, max_length=200, description="姓名或单位名称")
    phone: str = Field("", max_length=20, description="联系电话")


class _SubmissionIn(Strict):
    applicant: ApplicantIn | None = Field(
        None, description="申请人。工作人员（综合窗口、代办员）代为提交时必填：按证件号码匹配已登记的申请人，"
                          "未登记则登记；申请人本人的令牌提交时省略（即本人）")
    form_data: dict[str, Any] = Field(default_factory=dict, description="申请表内容（JSON 对象，最大 64 KB）")
    provided_material_ids: list[int] = Field(
        default_factory=list, max_length=MAX_MATERIALS,
        description="已提交的目录材料 id（见事项的一次性告知）；已有电子证照和数据共享的材料无需提交")
    channel: Literal["api", "online"] = Field("api", description="申请渠道：api 系统对接，online 网上申请")
    centre: str | None = Field(None, min_length=1, max_length=16,
                               description="受理中心编码（如 DX01）；省略时为工作人员所在中心或县级政务服务中心")

    @field_validator("form_data")
    @classmethod
    def _form_data_size(cls, value):
        if len(json.dumps(value, ensure_ascii=False, default=str).encode()) > MAX_FORM_BYTES:
            raise ValueError(f"申请表内容不能超过 {MAX_FORM_BYTES // 1024} KB")
        return value


class CaseSubmitIn(_SubmissionIn):
    item: str = Field(min_length=1, max_length=64, description="事项编码")


class BundleSubmitIn(_SubmissionIn):
    pass


class ChoiceOut(Out):
    value: int | str = Field(description="参数的取值 the value to send")
    label: str = Field(description="给人看的说明 what a person reads")
    selected: bool = Field(description="表单默认选中 preselected in a form")


class AvailableActionOut(Out):
    action: str = Field(description="动作名，POST 时作为 action")
    label: str
    params_schema: str = Field(description="参数模型在 OpenAPI 文档 components/schemas 中的名称")
    required: list[str] = Field(description="必填参数")
    choices: dict[str, list[ChoiceOut]] = Field(
        description="参数的可选值：本人可办理的审批任务、缺少或容缺的材料、未缴费用、进行中的特别程序、送达方式…")


class ClockOut(Out):
    accepted_on: date | None = Field(description="受理日期；时限从次日起算")
    committed_limit_days: int = Field(description="承诺时限（单位见 limit_unit）")
    limit_unit: str = Field(description="时限单位：working 工作日，natural 自然日")
    extension_days: int = Field(description="已批准延长（单位见 limit_unit）")
    paused_days: int = Field(description="计时暂停天数（单位见 limit_unit）：补正、特别程序")
    paused_since: date | None = Field(description="当前暂停计时的起始日期，未暂停为空")
    due_on: date | None = Field(description="办结期限")
    warn_on: date | None = Field(description="黄灯起始日：自该日起临近期限")
    late_on: date | None = Field(description="超期起始日：自该日起未办结即为超期（红灯）")
    stopped_on: date | None = Field(description="计时结束日：作出决定（或撤回）之日，未结束为空")
    provisional: bool = Field(description="期限所在年份尚无国务院正式放假安排（暂定），正式安排导入后重算")
    calendar_version: int | None = Field(description="计算期限所用的工作日历版本")
    light: str | None = Field(description="电子监察亮灯：green 正常，yellow 临近期限，red 超期（在办且已过期限），"
                                          "paused 暂停计时，on_time 按时办结，late 超期办结；受理前为空")


class TaskOut(Out):
    id: int
    step: int = Field(description="环节序号；序号相同的环节并联办理")
    kind: str = Field(description="acceptance 受理, review 审查, decision 决定, delivery 颁证与送达")
    name: str
    department: str = Field(description="办理部门编码")
    department_name: str
    state: TaskState
    state_label: str
    limit_days: int = Field(description="环节时限（工作日）")
    opened_on: date | None
    due_on: date | None
    completed_at: datetime | None
    opinion: str


class CaseMaterialOut(Out):
    id: int
    material_id: int | None = Field(description="目录材料 id")
    name: str
    status: CaseMaterialStatus
    status_label: str
    certificate: str | None = Field(description="自动调取的电子证照编号")
    promised_by: date | None = Field(description="容缺材料承诺补齐日期")
    supplied_at: datetime | None
    note: str


class FeeOut(Out):
    id: int
    description: str
    amount: str = Field(description="金额（元），字符串以免精度损失")
    state: FeeState
    paid_at: datetime | None
    receipt_number: str


class CertificateRefOut(Out):
    number: str
    title: str
    status: str
    issued_on: date


class CaseSummaryOut(Out):
    number: str = Field(description="办件编号")
    item: str = Field(description="事项编码")
    item_name: str
    applicant_name: str
    state: CaseState
    state_label: str
    channel: Channel
    centre: str = Field(description="受理中心编码")
    submitted_at: datetime
    due_on: date | None
    concluded_at: datetime | None


class CaseOut(CaseSummaryOut):
    query_code: str = Field(description="查询码：凭办件编号和查询码免登录查询进度")
    applicant_id_number: str = Field(description="证件号码（非本人查看时打码）")
    bundle_application: str | None = Field(description="所属一件事申请编号")
    clock: ClockOut
    visit_count: int = Field(description="到现场次数")
    instant_rule: Any = Field(None, description="秒批依据（规则），非秒批为空")
    decision_reason: str
    delivery_method: str
    tracking_number: str
    tasks: list[TaskOut]
    materials: list[CaseMaterialOut]
    fees: list[FeeOut]
    certificates: list[CertificateRefOut]


class CasePage(Out):
    count: int
    page: int
    page_size: int
    results: list[CaseSummaryOut]


class InboxTaskOut(Out):
    id: int
    case: str = Field(description="办件编号")
    item_name: str
    applicant_name: str
    step: int
    name: str
    department: str
    state: TaskState
    state_label: str
    opened_on: date | None
    due_on: date | None = Field(description="环节期限")
    case_due_on: date | None = Field(description="办件办结期限")


class TaskPage(Out):
    count: int
    page: int
    page_size: int
    results: list[InboxTaskOut]


class BundleApplicationOut(Out):
    number: str = Field(description="一件事申请编号")
    query_code: str
    bundle: str = Field(description="一件事编码")
    bundle_name: str
    submitted_at: datetime
    due_on: date | None = Field(description="合并办结期限（各事项并联办理，取最晚）")
    cases: list[CaseSummaryOut]


class CertificateVerificationOut(Out):
    number: str = Field(description="查验的证照编号")
    genuine: bool = Field(description="本平台签发的真实证照")
    valid: bool = Field(description="真实且当前有效（未注销、未过期）")
    status: str | None = Field(description="valid 有效, revoked 已注销, expired 已过期")
    status_label: str | None
    title: str | None = Field(description="证照名称")
    certificate_type: str | None
    holder: str | None = Field(description="持证主体（自然人姓名打码）")
    issuer: str | None = Field(description="发证部门")
    issued_on: date | None
    valid_until: date | None
    message: str


class ProgressTaskOut(Out):
    department: str = Field(description="办理部门")
    name: str
    state: str
    state_label: str
    due_on: date | None
    completed_at: datetime | None = None
    opinion: str = ""


class ProgressStepOut(Out):
    step: int
    name: str
    state_label: str
    tasks: list[ProgressTaskOut] = Field(description="并联办理的各部门任务")


class OwedItemOut(Out):
    kind: str = Field(description="supplement 待补正, waived_material 容缺待补, fee 待缴费")
    text: str
    due: date | None = None


class ProgressOut(Out):
    number: str = Field(description="办件编号")
    item_name: str
    state: CaseState
    state_label: str
    summary: str = Field(description="一句话说明当前进度（中文）")
    channel_label: str
    submitted_at: datetime
    accepted_on: date | None
    due_on: date | None = Field(description="办结期限")
    limit_days: int = Field(description="承诺时限加已批准延长（单位见 limit_unit）")
    limit_unit: str = Field(description="时限单位：working 工作日，natural 自然日")
    working_days_used: int
    working_days_left: int | None
    clock_paused: bool = Field(description="补正或特别程序中，计时暂停")
    paused_reason: str
    provisional: bool = Field(description="期限为暂定（所在年份尚无正式放假安排）")
    provisional_note: str
    light: str | None = Field(description="green / yellow / red / paused / on_time / late；受理前为空")
    steps: list[ProgressStepOut]
    owed: list[OwedItemOut] = Field(description="申请人尚欠：补正材料、容缺材料、费用")
    delivery_method: str
    delivery_label: str
    tracking_number: str
    certificates: list[str] = Field(description="已签发的电子证照编号")
    decision_reason: str
    concluded_at: datetime | None
    visit_count: int
    instant_rules: list[str] = Field(description="秒批依据")
    bundle_number: str
