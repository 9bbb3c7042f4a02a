"""API: the public catalog — search items, read an item, its one-time notice, and bundles.

Reads only, no authentication: the same data the public site shows. Every handler calls
catalog.selectors; unknown codes raise NotFound (mapped once in api/root.py to 404 JSON).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.paginator import Paginator
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from onewindow.catalog import selectors
from onewindow.core.errors import ValidationError

router = Router(tags=["catalog"])

PAGE_SIZE = 20


class PageOutOfRange(ValidationError):
    status_code = 422


class ErrorOut(Schema):
    code: str = Field(..., description="错误代码，如 not_found / invalid")
    field: str | None = Field(None, description="出错的参数名")
    message: str = Field(..., description="可读的错误说明")


class ItemSummaryOut(Schema):
    code: str = Field(..., description="事项编码（GB/T 39554.1 形式）")
    name: str = Field(..., description="事项名称")
    kind: str = Field(..., description="事项类型：licensing, confirmation, … public_service")
    kind_label: str = Field(..., description="事项类型（中文）")
    department_code: str = Field(..., description="实施主体编码")
    department_name: str = Field(..., description="实施主体名称")
    legal_limit_days: int = Field(..., description="法定办结时限（单位见 limit_unit）")
    committed_limit_days: int = Field(..., description="承诺办结时限（单位见 limit_unit）")
    limit_unit: str = Field(..., description="时限单位：working（工作日）或 natural（自然日）；法定、承诺、延长和环节时限都按此单位")
    is_immediate: bool = Field(..., description="即办件（当场办结）")
    max_visits: int = Field(..., description="到办事现场次数：0 为零跑动")
    online_depth: int = Field(..., description="网办深度 1–4，4 为全程网办")
    status: str = Field(..., description="状态：active / suspended / abolished")
    url: str = Field(..., description="事项一次性告知页面的路径")


class ItemPageOut(Schema):
    count: int = Field(..., description="符合条件的事项总数")
    page: int = Field(..., description="当前页码，从 1 开始")
    page_size: int = Field(..., description="每页条数")
    results: list[ItemSummaryOut]


class MaterialOut(Schema):
    id: int = Field(..., validation_alias="material_id",
                    description="材料 id：提交办件时把已提交材料的 id 放入 provided_material_ids（POST /api/v1/cases）")
    order: int = Field(..., description="序号")
    name: str = Field(..., description="材料名称")
    required: bool = Field(..., description="必要材料；否则为情形材料")
    condition: str = Field(..., description="情形材料的适用情形")
    source: str = Field(..., description="来源：applicant / issuing_department / data_sharing / e_certificate")
    source_label: str = Field(..., description="来源（中文）")
    form: str = Field(..., description="形式：paper / electronic / both")
    form_label: str = Field(..., description="形式（中文）")
    copies: int = Field(..., description="份数")
    original_required: bool = Field(..., description="需提供原件")
    waivable: bool = Field(..., description="可容缺受理")
    waiver_term_days: int = Field(0, description="容缺补齐时限（工作日）：容缺受理后须在此期限内补齐；不可容缺为 0")
    waiver_text: str = Field("", description="容缺说明，如“可容缺，5 个工作日内补齐”")
    auto_obtained: bool = Field(..., description="系统自动获取：数据共享的材料无需提交；电子证照材料在申请人已有该类型"
                                                 "有效电子证照时自动调取，没有的须提交（把 id 放入 provided_material_ids）")
    certificate_type: str = Field(..., description="电子证照类型；申请人已有时自动调取，没有时提交纸质件或上传件")
    note: str = Field(..., description="填报须知")
    submission_text: str = Field(..., description="提交方式的一句话说明")


class StageOut(Schema):
    step: int = Field(..., description="环节序号；序号相同的环节并联办理")
    kind: str = Field(..., description="环节类型：acceptance / review / decision / delivery")
    kind_label: str
    name: str = Field(..., description="环节名称")
    limit_days: int = Field(..., description="环节时限（单位同事项的 limit_unit）")
    department_code: str
    department_name: str


class StepOut(Schema):
    step: int
    parallel: bool = Field(..., description="本步骤有多个部门并联办理")
    limit_days: int = Field(..., description="本步骤时限：并联环节中最长的一个")
    stages: list[StageOut]


class ItemDetailOut(ItemSummaryOut):
    legal_basis: str = Field(..., description="设定依据")
    conditions: str = Field(..., description="受理条件")
    extension_days: int = Field(..., description="经批准可延长的天数（单位见 limit_unit）")
    visit_reason: str = Field(..., description="需到现场的理由")
    has_fee: bool
    fee_amount: Decimal = Field(..., description="收费金额（元）")
    fee_description: str
    location: str = Field(..., description="办理地点")
    opening_hours: str = Field(..., description="办理时间")
    phone: str = Field(..., description="咨询电话")
    result_name: str = Field(..., description="办理结果名称")
    version: int = Field(..., description="事项版本")
    materials: list[MaterialOut]
    stages: list[StageOut]


class ProcedureOut(Schema):
    kind: str = Field(..., description="特别程序：hearing / expert_review / site_inspection / public_notice / testing / appraisal")
    kind_label: str
    limit_days: int = Field(..., description="承诺的程序时限（工作日），不计入办结时限")
    note: str = Field(..., description="适用情形")


class AnnouncementOut(Schema):
    kind: str = Field(..., description="added / retained / changed / abolished")
    kind_label: str
    published_on: dt.date
    reason: str
    summary: str


class NoticeOut(Schema):
    """一次性告知：窗口一次告诉申请人的全部内容。"""

    code: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    department_code: str
    department_name: str
    legal_basis: str
    conditions: str
    required_materials: list[MaterialOut] = Field(..., description="必要材料")
    conditional_materials: list[MaterialOut] = Field(..., description="情形材料（符合情形时提交）")
    legal_limit_days: int = Field(..., description="法定办结时限（单位见 limit_unit）")
    committed_limit_days: int = Field(..., description="承诺办结时限（单位见 limit_unit）")
    limit_unit: str = Field(..., description="时限单位：working（工作日）或 natural（自然日）；法定、承诺、延长和环节时限都按此单位")
    limit_unit_label: str = Field(..., description="时限单位（中文）：工作日或自然日")
    committed_limit_text: str = Field(..., description="承诺时限的说法，如“即办（当场办结）”“20 个工作日”“60 个自然日”")
    legal_limit_text: str
    is_immediate: bool = Field(..., description="即办件；否则为承诺件")
    is_joint: bool = Field(..., description="联办件")
    extension_days: int
    max_visits: int
    visits_text: str
    visit_reason: str
    online_depth: int
    online_depth_label: str
    channels: list[str] = Field(..., description="办理渠道")
    offers_post_delivery: bool = Field(..., description="结果可邮寄送达")
    has_fee: bool
    fee_description: str
    fee_amount: Decimal
    online_payment: bool
    location: str
    opening_hours: str
    phone: str
    weekend_service: bool = Field(..., description="列入“5+2”周末服务")
    steps: list[StepOut] = Field(..., description="办理流程，按步骤分组")
    result_name: str
    result_is_e_certificate: bool = Field(..., description="结果同步生成电子证照")
    instant_approval: list[str] = Field(..., description="秒批条件；空为不适用秒批")
    life_events: list[str]
    catalog_version: int = Field(..., description="目录（事项）版本")
    catalog_date: dt.date = Field(..., description="该版本生效日期")
    status_announcement: AnnouncementOut | None = Field(None, description="暂停或取消的公告")
    special_procedures: list[ProcedureOut] = Field(default_factory=list,
                                                   description="事先承诺的特别程序及其时限；其他的作为例外报效能办")


class BundleSummaryOut(Schema):
    code: str = Field(..., description="一件事编码")
    name: str
    description: str
    life_event: str | None = Field(None, description="所属主题编码")
    item_count: int


class BundleItemOut(Schema):
    code: str
    name: str
    department_name: str
    legal_limit_days: int
    committed_limit_days: int
    limit_unit: str = Field(..., description="时限单位：working / natural")
    committed_limit_text: str
    is_immediate: bool
    max_visits: int
    status: str


class BundleMaterialOut(MaterialOut):
    id: int = Field(0, description="合并后的材料没有单一 id，见 material_ids")
    item_names: list[str] = Field(..., description="需要该材料的事项（合并后只交一次）")
    material_ids: list[int] = Field(..., description="该材料在各事项中的材料 id：提交“一件事”时全部放入 "
                                                     "provided_material_ids")


class BundleNoticeOut(Schema):
    code: str
    name: str
    description: str
    life_event_code: str
    life_event_name: str
    items: list[BundleItemOut]
    required_materials: list[BundleMaterialOut]
    conditional_materials: list[BundleMaterialOut]
    combined_limit_days: int = Field(..., description="合并办理时限（工作日）：并联办理，取按工作日计的事项中最长的承诺时限")
    sum_of_limits_days: int = Field(..., description="逐项办理的承诺时限之和（工作日）")
    combined_limits: dict[str, int] = Field(..., description="按时限单位（working / natural）分别取最长的承诺时限")
    combined_limit_text: str = Field(..., description="合并办理时限的说法，如“20 个工作日、60 个自然日”或“即办”")
    max_visits: int
    materials_before_merge: int = Field(..., description="分别办理时的材料份数")


def _summary(item) -> dict:
    return {
        "code": item.code, "name": item.name, "kind": item.kind, "kind_label": str(item.get_kind_display()),
        "department_code": item.department.code, "department_name": item.department.name,
        "legal_limit_days": item.legal_limit_days, "committed_limit_days": item.committed_limit_days,
        "limit_unit": item.limit_unit, "is_immediate": item.is_immediate, "max_visits": item.max_visits, "online_depth": item.online_depth,
        "status": item.status, "url": reverse("portal:item_detail", args=[item.code]),
    }


@router.get("/items", response={200: ItemPageOut, 422: ErrorOut}, summary="搜索事项 / search items")
def list_items(
    request,
    q: str = Query("", description="名称、编码、拼音或拼音首字母（如 yyzz）", max_length=100),
    department: str | None = Query(None, description="实施主体编码，如 dx-scjg"),
    life_event: str | None = Query(None, description="主题编码，如 kaiban-qiye"),
    kind: str | None = Query(None, description="事项类型"),
    zero_run: bool | None = Query(None, description="true 仅零跑动；false 仅需到现场"),
    page: int = Query(1, ge=1, description="页码，从 1 开始；每页 20 条"),
):
    """Active items matching the query and filters, best match first, 20 a page."""
    rows = selectors.search_items(query=q, department_code=department, life_event_code=life_event, kind=kind,
                                  zero_run=zero_run)
    paginator = Paginator(rows, PAGE_SIZE)
    if page > max(paginator.num_pages, 1):
        raise PageOutOfRange(f"页码超出范围：共 {paginator.num_pages} 页", field="page")
    return {"count": paginator.count, "page": page, "page_size": PAGE_SIZE,
            "results": [_summary(item) for item in paginator.page(page).object_list]}


@router.get("/items/{code}", response={200: ItemDetailOut, 404: ErrorOut}, summary="事项详情 / one item")
def get_item(request, code: str):
    """One public item with its materials and stages (suspended and abolished items included, with
    their status; drafts are not found)."""
    item = selectors.get_item(code)
    notice = selectors.one_time_notice(item)
    return {
        **_summary(item),
        "legal_basis": item.legal_basis, "conditions": item.conditions, "extension_days": item.extension_days,
        "visit_reason": item.visit_reason, "has_fee": item.has_fee, "fee_amount": item.fee_amount,
        "fee_description": item.fee_description, "location": item.location, "opening_hours": item.opening_hours,
        "phone": item.phone, "result_name": item.result_name, "version": item.version,
        "materials": notice.required_materials + notice.conditional_materials,
        "stages": [stage for step in notice.steps for stage in step.stages],
    }


@router.get("/items/{code}/notice", response={200: NoticeOut, 404: ErrorOut},
            summary="一次性告知 / the item's one-time notice")
def get_notice(request, code: str):
    """Everything needed for the item, told at once: the same content as the printed notice (kept in
    process per catalog version, as the public page is)."""
    return selectors.published_notice(code)


@router.get("/bundles", response=list[BundleSummaryOut], summary="一件事列表 / bundles")
def list_bundles(request):
    return [{"code": b.code, "name": b.name, "description": b.description,
             "life_event": b.life_event.code if b.life_event else None, "item_count": b.item_count}
            for b in selectors.bundles()]


@router.get("/bundles/{code}", response={200: BundleNoticeOut, 404: ErrorOut},
            summary="一件事告知 / a bundle's one notice")
def get_bundle(request, code: str):
    """The bundle's items, one merged list of materials and the combined limit."""
    return selectors.bundle_notice(selectors.get_bundle(code))
