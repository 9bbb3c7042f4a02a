"""A small hall world: the county centre DX01 with four windows (1–3 comprehensive, 4 for real estate),
the township centre JPZ01 with one, items that only the county accepts and items delegated to the
township, a window clerk at each centre, applicants with accounts.

    w = make_hall_world()
    w.hall                 # DX01's hall: queue A 综合受理 (windows 1–3), B 不动产登记 (window 4)
    w.county_item          # accepted at DX01 only
    w.township_item        # delegated to township level (就近办)
    w.estate_item          # queue B
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from onewindow.catalog.models import CentreLevel, Item
from onewindow.hall import services
from onewindow.hall.models import Hall
from onewindow.orgs.models import Applicant, ServiceCentre, User
from tests.factories import (
    DepartmentFactory,
    RegionFactory,
    ServiceCentreFactory,
    WindowFactory,
    make_applicant_user,
    make_staff,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@dataclass
class HallWorld:
    county: ServiceCentre
    township: ServiceCentre
    hall: Hall
    township_hall: Hall
    clerk: User
    clerk2: User
    township_clerk: User
    county_item: Item
    township_item: Item
    estate_item: Item
    weekend_item: Item
    person_user: User
    person: Applicant
    other_user: User
    other: Applicant

    def window(self, number: str):
        return self.county.windows.get(number=number)


def _item(department, code: str, name: str, **fields) -> Item:
    values = dict(code=code, name=name, kind="licensing", department=department, legal_limit_days=20,
                  committed_limit_days=5, max_visits=1, visit_reason="核验原件", channel_window=True,
                  channel_online=True, status="active")
    values.update(fields)
    return Item.objects.create(**values)


def make_hall_world(*, places: int = 2) -> HallWorld:
    region = RegionFactory(code="450681000000", name="东兴市")
    town = RegionFactory(code="450681101000", name="江平镇", level=4, parent=region)
    county = ServiceCentreFactory(code="DX01", name="东兴市政务服务中心", region=region, address="东兴市兴东路 98 号",
                                  phone="0770-7688888")
    township = ServiceCentreFactory(code="JPZ01", name="江平镇便民服务中心", region=town, level=CentreLevel.TOWNSHIP,
                                    address="江平镇江平大道 36 号")
    for number in ("1", "2", "3"):
        WindowFactory(centre=county, number=number)
    WindowFactory(centre=county, number="4", name="不动产登记窗口", is_comprehensive=False)
    WindowFactory(centre=township, number="1")
    department = DepartmentFactory(code="dx-rsj", name="东兴市人力资源和社会保障局", region=region)
    estate_department = DepartmentFactory(code="dx-zrzy", name="东兴市自然资源局", region=region)
    county_item = _item(department, "HALL-ITEM-001", "企业职工正常退休申请")
    township_item = _item(department, "HALL-ITEM-002", "就业创业证申领", delegated_down_to=CentreLevel.TOWNSHIP)
    estate_item = _item(estate_department, "HALL-ITEM-003", "不动产转移登记")
    weekend_item = _item(department, "HALL-ITEM-004", "社会保障卡申领", weekend_service=True)
    hall = services.set_up_hall(centre=county, places=places, categories=[
        services.CategorySpec("B", "不动产登记", item_codes=(estate_item.code,), window_numbers=("4",))])
    township_hall = services.set_up_hall(centre=township, places=places)
    person_user = make_applicant_user(username="zhangsan")
    other_user = make_applicant_user(username="lisi")
    return HallWorld(
        county=county, township=township, hall=hall, township_hall=township_hall,
        clerk=make_staff("window_clerk", centre=county, username="clerk1", display_name="窗口甲"),
        clerk2=make_staff("window_clerk", centre=county, username="clerk2", display_name="窗口乙"),
        township_clerk=make_staff("window_clerk", centre=township, username="clerk.jp"),
        county_item=county_item, township_item=township_item, estate_item=estate_item, weekend_item=weekend_item,
        person_user=person_user, person=Applicant.objects.get(user=person_user),
        other_user=other_user, other=Applicant.objects.get(user=other_user))
