"""The sample setting: 东兴市 (Dongxing, a county-level city under 防城港市, Guangxi), its departments,
service centres and windows, and the demo accounts. Loading is idempotent: everything is upserted by
its natural key, so a second run changes nothing."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from . import identity, services
from .models import Applicant, ApplicantKind, Department, Role, ServiceCentre, StaffRole, User

DONGXING = "450681000000"

REGIONS = [
    # (code, name, level, parent code)
    ("450000000000", "广西壮族自治区", 1, None),
    ("450600000000", "防城港市", 2, "450000000000"),
    (DONGXING, "东兴市", 3, "450600000000"),
    ("450681100000", "东兴镇", 4, DONGXING),
    ("450681101000", "江平镇", 4, DONGXING),
    ("450681102000", "马路镇", 4, DONGXING),
    ("450681101201", "万尾村", 5, "450681101000"),
]

DEPARTMENTS = [
    # (code, name, short name)
    ("dx-scjg", "东兴市市场监督管理局", "市场监管局"),
    ("dx-gaj", "东兴市公安局", "公安局"),
    ("dx-zrzy", "东兴市自然资源局", "自然资源局"),
    ("dx-zjj", "东兴市住房和城乡建设局", "住建局"),
    ("dx-rsj", "东兴市人力资源和社会保障局", "人社局"),
    ("dx-swj", "国家税务总局东兴市税务局", "税务局"),
    ("dx-mzj", "东兴市民政局", "民政局"),
    ("dx-jtj", "东兴市交通运输局", "交通运输局"),
    ("dx-wjj", "东兴市卫生健康局", "卫健局"),
    ("dx-ybj", "东兴市医疗保障局", "医保局"),
    ("dx-cgj", "东兴市城市管理综合执法局", "城管局"),
    ("dx-whl", "东兴市文化广电体育和旅游局", "文广体旅局"),
    ("dx-rmyh", "中国人民银行东兴市支行", "人民银行"),
    ("dx-zwb", "东兴市政务服务和大数据管理局", "政务服务局"),
]

WEEKDAY_HOURS = "周一至周五 8:00—12:00，14:30—17:30（法定节假日除外）"
WEEKEND_HOURS = WEEKDAY_HOURS + "；周六、周日 9:00—12:00，15:00—17:00 提供“5+2”预约和延时服务"


def _county_windows() -> list[tuple[str, str, bool]]:
    windows = [(str(number), "综合受理窗口", True) for number in range(1, 11)]
    windows.append(("11", "出件窗口", False))
    windows.append(("12", "帮办代办窗口", False))
    return windows


CENTRES = [
    # (code, name, level, region code, weekend service, opening hours, windows)
    ("DX01", "东兴市政务服务中心", 3, DONGXING, True, WEEKEND_HOURS, _county_windows()),
    ("DXZ01", "东兴镇便民服务中心", 4, "450681100000", False, WEEKDAY_HOURS,
     [(str(number), "综合受理窗口", True) for number in range(1, 4)]),
    ("JPZ01", "江平镇便民服务中心", 4, "450681101000", False, WEEKDAY_HOURS,
     [(str(number), "综合受理窗口", True) for number in range(1, 4)]),
    ("WW01", "万尾村代办点", 5, "450681101201", False, WEEKDAY_HOURS, [("1", "代办窗口", True)]),
]

# Where each centre is (the public notice lists them where an item can be handled). Fictional addresses.
ADDRESSES = {
    "DX01": "东兴市兴东路 98 号",
    "DXZ01": "东兴镇东兴大道 12 号",
    "JPZ01": "江平镇江平大道 36 号",
    "WW01": "江平镇万尾村村委会一楼",
}

# Demo applicants: fixed, valid numbers (Dongxing prefix 450681) so every run yields the same ones.
ZHANGSAN_ID_NUMBER = identity.generate_resident_id(region="450681", birth_date=date(1988, 3, 15), sequence=123)
QIYE_USCC = identity.generate_uscc(authority="9", type_code="1", region="450681", body="35276814")


def demo_staff_accounts() -> list[tuple[str, str, list[services.RoleSpec], bool]]:
    """(username, display name, roles, superuser) of every demo staff account."""
    accounts: list[tuple[str, str, list[services.RoleSpec], bool]] = [
        ("admin", "系统管理员", [(Role.ADMINISTRATOR.value, None, None)], True),
        ("clerk", "黄丽（综合窗口）", [(Role.WINDOW_CLERK.value, "DX01", None)], False),
        ("approver.scj", "李明（市场监管局）", [(Role.APPROVER.value, None, "dx-scjg")], False),
        ("chief.scj", "陈红（市场监管局首席代表）", [(Role.CHIEF_REPRESENTATIVE.value, None, "dx-scjg")], False),
        ("head.scj", "王刚（市场监管局负责人）", [(Role.DEPARTMENT_HEAD.value, None, "dx-scjg")], False),
        ("agent", "韦强（代办员）", [(Role.AGENT.value, "DX01", None)], False),
        ("supervisor", "梁洁（效能办）", [(Role.SUPERVISOR.value, None, None)], False),
    ]
    for code, _name, short_name in DEPARTMENTS:
        if code == "dx-scjg":
            continue
        suffix = code.removeprefix("dx-")
        accounts.append((f"approver.{suffix}", f"{short_name}审批人员", [(Role.APPROVER.value, None, code)], False))
    return accounts


DEMO_APPLICANTS = [
    # (username, kind, name, id number, phone)
    ("zhangsan", ApplicantKind.PERSON.value, "张三", ZHANGSAN_ID_NUMBER, "13877000001"),
    ("qiye", ApplicantKind.ENTERPRISE.value, "东兴市边贸通商贸有限公司", QIYE_USCC, "13877000002"),
]


@transaction.atomic
def load_sample_orgs() -> str:
    """Upsert the sample regions, departments, centres and windows; returns a one-line summary."""
    tally = {"created": 0, "updated": 0, "unchanged": 0}
    for code, name, level, parent_code in REGIONS:
        _region, outcome = services.upsert_region(code=code, name=name, level=level, parent_code=parent_code)
        tally[outcome] += 1
    for code, name, short_name in DEPARTMENTS:
        _department, outcome = services.upsert_department(code=code, name=name, region_code=DONGXING,
                                                          short_name=short_name)
        tally[outcome] += 1
    for code, name, level, region_code, weekend, hours, windows in CENTRES:
        _centre, outcome = services.upsert_centre(
            code=code, name=name, level=level, region_code=region_code, weekend_service=weekend,
            opening_hours=hours, phone="12345", windows=windows, address=ADDRESSES.get(code, ""))
        tally[outcome] += 1
    return (f"{len(REGIONS)} 个区划、{len(DEPARTMENTS)} 个部门、{len(CENTRES)} 个中心 "
            f"(new {tally['created']}, changed {tally['updated']}, unchanged {tally['unchanged']})")


def _holds(user: User, role: str, centre_code: str | None, department_code: str | None) -> bool:
    held = StaffRole.objects.filter(user=user, role=role)
    held = held.filter(centre__code=centre_code) if centre_code else held.filter(centre__isnull=True)
    held = held.filter(department__code=department_code) if department_code else held.filter(department__isnull=True)
    return held.exists()


@transaction.atomic
def ensure_demo_accounts(*, password: str) -> str:
    """Create the demo accounts that are missing (existing ones, their passwords included, are left as
    they are) and make sure each holds its demo role. Needs load_sample_orgs() first."""
    if not ServiceCentre.objects.filter(code="DX01").exists() or not Department.objects.filter(
            code="dx-scjg").exists():
        load_sample_orgs()
    # One hash for every demo account: they share one published password, and hashing 20 times with
    # PBKDF2 would add seconds to every demo start.
    password_hash = None
    created = 0
    for username, display_name, roles, superuser in demo_staff_accounts():
        user = User.objects.filter(username=username).first()
        if user is None:
            password_hash = password_hash or make_password(password)
            user = User.objects.create(username=username, display_name=display_name, password=password_hash,
                                       is_superuser=superuser, is_staff=superuser)
            created += 1
        for role, centre_code, department_code in roles:
            if not _holds(user, role, centre_code, department_code):
                services.grant_role(user=user, role=role, centre_code=centre_code, department_code=department_code)
    for username, kind, name, id_number, phone in DEMO_APPLICANTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            password_hash = password_hash or make_password(password)
            user = User.objects.create(username=username, display_name=name[:100], phone=phone,
                                       password=password_hash)
            created += 1
        if not Applicant.objects.filter(user=user).exists():
            applicant = Applicant.objects.filter(id_number=id_number).first()
            if applicant is not None and applicant.user_id is None:
                applicant.user = user
                applicant.save(update_fields=["user"])
            elif applicant is None:
                services.register_applicant(kind=kind, name=name, id_number=id_number, phone=phone, user=user)
    total = len(demo_staff_accounts()) + len(DEMO_APPLICANTS)
    return f"{total} 个演示账号 (new {created}, already present {total - created})"
