"""The sample catalog of 东兴市 (sample/catalog.yaml), modelled on the real catalog of 防城港市, and the
demo delegations of the chief representative. Both loaders are idempotent: a second run changes
nothing (the catalog import upserts by item code; delegations are unique per item and person)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError
from onewindow.orgs.models import Role, ServiceCentre, StaffRole, User

from . import centres, io, services
from .models import Bundle, CentreAcceptance, Delegation, Item, ItemStatus

SAMPLE_FILE = Path(__file__).parent / "sample" / "catalog.yaml"
IMPORT_REASON = "示例目录"

CHIEF_REPRESENTATIVE = "chief.scj"
CHIEF_DEPARTMENT = "dx-scjg"

# Items the sample shows as no longer (or not now) handled. Each first enters the catalog as active and
# then changes status with its reason, so the public announcements read as a real catalog's history:
# 新增 …, then 取消 / 调整 with the grounds (every abolished item is announced with its reason).
STATUS_REASONS = {
    "11450681007601028H-010010000000-00": (
        "根据《国务院关于第三批取消中央指定地方实施行政许可事项的决定》（国发〔2017〕7号），公章刻制审批取消，"
        "改为公章刻制备案，由刻章企业在线办理备案。"),
    "114506810076010447-070010000000-00": (
        "东兴市现无在售经济适用住房房源，本事项暂停受理；住房困难家庭可申请公共租赁住房保障，恢复受理时另行公告。"),
}


# Centres that depart from an item's level rule (就近办, catalog/centres.py): (item code, centre code,
# accepts, why). The levels themselves are in the file (`delegated_down_to`).
CENTRE_EXCEPTIONS = [
    ("11450681007601028H-010020000000-02", "JPZ01", True,
     "江平派出所户籍窗口进驻江平镇便民服务中心，试点受理居民身份证换领"),
    ("114506810076010522-200020000000-00", "DXZ01", False,
     "东兴镇便民服务中心与市政务服务中心同在城区，社会保障卡即时制卡统一在市中心办理"),
]


def _read_document(path: Path) -> dict:
    # libyaml's loader when present: the pure-Python one takes over a second for this file.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        document = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    return document if isinstance(document, dict) else {}


def _introduce_with_history(raw: dict, *, today: date | None) -> bool:
    """Create an item of the file that is abolished or suspended there: active first, then the status
    change with its reason. Returns True when the item was created now."""
    code = str(raw["code"])
    if Item.objects.filter(code=code).exists():
        return False
    item = services.create_item(data={**raw, "status": ItemStatus.ACTIVE}, reason=IMPORT_REASON, today=today)
    reason = STATUS_REASONS[code]
    if raw.get("status") == ItemStatus.ABOLISHED:
        services.abolish_item(item=item, reason=reason, today=today)
    else:
        services.update_item(item=item, data={"status": raw["status"]}, reason=reason, today=today)
    return True


@transaction.atomic
def load_sample_catalog(*, path: Path = SAMPLE_FILE, today: date | None = None) -> str:
    """Upsert the sample life events, items and bundles from `path` through the catalog import, so
    every item passes the same consistency rules and is versioned and announced like any import
    (清单管理、动态调整、向社会公布). Returns a one-line summary; raises ValidationError listing
    every problem when the file is refused (nothing is written then)."""
    path = Path(path)
    document = _read_document(path)
    raw_items = [raw for raw in document.get("items") or [] if isinstance(raw, dict)]
    introduced = 0
    if any(str(raw.get("code")) in STATUS_REASONS for raw in raw_items):
        # The status-history items reference life events of the file: those go in first (an upsert,
        # the import repeats it).
        for raw in document.get("life_events") or []:
            services.save_life_event(code=str(raw.get("code") or ""), name=str(raw.get("name") or ""),
                                     audience=raw.get("audience"), order=int(raw.get("order") or 0))
        for raw in raw_items:
            if str(raw.get("code")) in STATUS_REASONS and raw.get("status") in (ItemStatus.ABOLISHED,
                                                                                ItemStatus.SUSPENDED):
                introduced += _introduce_with_history(raw, today=today)
    report = io.import_catalog(path, reason=IMPORT_REASON, today=today)
    if not report.imported:
        raise ValidationError("；".join([report.summary(), *report.lines()]), field="path")
    _ensure_centre_exceptions()
    item_codes = [str(raw.get("code")) for raw in raw_items]
    bundle_codes = [str(b.get("code")) for b in document.get("bundles") or [] if isinstance(b, dict)]
    return _("%(i)s 项事项、%(b)s 个一件事（新增 %(c)s，修改 %(u)s，未变 %(n)s）") % {
        "i": Item.objects.filter(code__in=item_codes).count(),
        "b": Bundle.objects.filter(code__in=bundle_codes).count(),
        "c": report.created + introduced, "u": report.updated, "n": report.unchanged - introduced}


def _ensure_centre_exceptions() -> None:
    """The sample's centre exceptions, where the item and the centre exist (the sample organisations may
    not be loaded); an exception already as wanted is left alone, so a second run writes nothing."""
    for item_code, centre_code, accepts, note in CENTRE_EXCEPTIONS:
        item = Item.objects.filter(code=item_code).first()
        centre = ServiceCentre.objects.filter(code=centre_code).first()
        if item is None or centre is None:
            continue
        if CentreAcceptance.objects.filter(item=item, centre=centre, accepts=accepts, note=note).exists():
            continue
        centres.set_centre_acceptance(item=item, centre=centre, accepts=accepts, note=note)


@transaction.atomic
def ensure_demo_delegations(*, today: date | None = None) -> str:
    """Delegate every active item of the market regulation bureau to its chief representative demo
    account (首席代表制: the department empowers its representative in the centre to decide on the
    spot). Skipped when the account or its role is missing; existing delegations are kept as they are."""
    user = User.objects.filter(username=CHIEF_REPRESENTATIVE).first()
    if user is None:
        return _("未找到首席代表账号 %(u)s，未授权") % {"u": CHIEF_REPRESENTATIVE}
    holds = StaffRole.objects.filter(user=user, role=Role.CHIEF_REPRESENTATIVE,
                                     department__code=CHIEF_DEPARTMENT).exists()
    if not holds:
        return _("账号 %(u)s 不是 %(d)s 的首席代表，未授权") % {"u": CHIEF_REPRESENTATIVE, "d": CHIEF_DEPARTMENT}
    granted_on = today or timezone.localdate()
    items = Item.objects.filter(department__code=CHIEF_DEPARTMENT, status=ItemStatus.ACTIVE)
    held = set(Delegation.objects.filter(representative=user).values_list("item_id", flat=True))
    head = User.objects.filter(staff_roles__role=Role.DEPARTMENT_HEAD,
                               staff_roles__department__code=CHIEF_DEPARTMENT).first()
    new = [Delegation(department_id=item.department_id, item=item, representative=user, granted_on=granted_on,
                      valid_from=granted_on, granted_by=head) for item in items if item.pk not in held]
    Delegation.objects.bulk_create(new)
    total = Delegation.objects.filter(representative=user, item__department__code=CHIEF_DEPARTMENT).count()
    return _("首席代表 %(u)s：%(t)s 项授权（新增 %(n)s）") % {"u": CHIEF_REPRESENTATIVE, "t": total, "n": len(new)}
