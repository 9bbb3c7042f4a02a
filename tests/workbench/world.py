"""A small world for the case pages: one centre with a window clerk, a second centre with its own
clerk, two departments reviewing one item in parallel (each with an approver), an applicant with an
online account and a stranger applicant. Shared by the workbench, portal and browser tests.

    w = make_world()
    w.item             # 5 working days, step 1 reviewed by w.dept_a and w.dept_b at once
    w.materials        # form, ID card (e-certificate type), lease (waivable), licence (data sharing)
"""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.catalog.models import Bundle, BundleItem, Item, Material, MaterialSource, Stage
from onewindow.catalog.text import pinyin_fields
from onewindow.orgs.models import Applicant, Department, ServiceCentre, User
from tests.factories import (
    DepartmentFactory,
    RegionFactory,
    ServiceCentreFactory,
    WindowFactory,
    make_applicant_user,
    make_staff,
)

ITEM_NAME = "食品经营许可（新办）"


@dataclass
class World:
    centre: ServiceCentre
    other_centre: ServiceCentre
    clerk: User
    other_clerk: User
    dept_a: Department
    dept_b: Department
    dept_c: Department
    approver_a: User
    approver_b: User
    approver_c: User
    supervisor: User
    item: Item
    materials: dict[str, Material]
    applicant_user: User
    applicant: Applicant
    stranger_user: User


def make_parallel_item(
    dept_a: Department,
    dept_b: Department,
    *,
    name: str = ITEM_NAME,
    code: str = "11450681MB0000001X-000000000001",
) -> tuple[Item, dict[str, Material]]:
    """A promised item whose one review step runs in two departments at once (并联审批), ending in an
    e-certificate."""
    pinyin, initials = pinyin_fields(name)
    item = Item.objects.create(
        code=code,
        name=name,
        kind="licensing",
        level="main",
        department=dept_a,
        legal_limit_days=20,
        committed_limit_days=5,
        extension_days=10,
        max_visits=1,
        visit_reason="核验原件",
        online_depth=3,
        channel_window=True,
        channel_online=True,
        offers_post_delivery=True,
        result_name="食品经营许可证",
        result_certificate_type="food_licence_test",
        status="active",
        search_pinyin=pinyin,
        search_initials=initials,
    )
    materials = {
        "form": Material.objects.create(item=item, order=1, name="食品经营许可申请书", required=True),
        "id_card": Material.objects.create(
            item=item, order=2, name="法定代表人身份证明", required=True, certificate_type="resident_id_test"
        ),
        "lease": Material.objects.create(
            item=item, order=3, name="经营场所使用证明", required=True, waivable=True
        ),
        "licence": Material.objects.create(
            item=item, order=4, name="营业执照", required=True, source=MaterialSource.DATA_SHARING
        ),
    }
    Stage.objects.create(
        item=item, step=1, kind="review", name="现场核查与审查", limit_days=3, department=dept_a
    )
    Stage.objects.create(
        item=item, step=1, kind="review", name="消防安全审查", limit_days=3, department=dept_b
    )
    return item, materials


def make_world() -> World:
    region = RegionFactory(code="450681000000", name="东兴市")
    centre = ServiceCentreFactory(code="DX01", name="东兴市政务服务中心", region=region)
    WindowFactory(centre=centre, number="1")
    other_centre = ServiceCentreFactory(code="JPZ01", name="江平镇便民服务中心", region=region)
    dept_a = DepartmentFactory(code="dx-scjg", name="东兴市市场监督管理局", region=region)
    dept_b = DepartmentFactory(code="dx-xfj", name="东兴市消防救援大队", region=region)
    dept_c = DepartmentFactory(code="dx-jtj", name="东兴市交通运输局", region=region)
    item, materials = make_parallel_item(dept_a, dept_b)
    applicant_user = make_applicant_user(username="zhangsan")
    Applicant.objects.filter(user=applicant_user).update(name="张三")
    User.objects.filter(pk=applicant_user.pk).update(display_name="张三")
    applicant_user.refresh_from_db()
    stranger_user = make_applicant_user(username="lisi")
    return World(
        centre=centre,
        other_centre=other_centre,
        clerk=make_staff("window_clerk", centre=centre, username="clerk", display_name="窗口甲"),
        other_clerk=make_staff("window_clerk", centre=other_centre, username="clerk.jp"),
        dept_a=dept_a,
        dept_b=dept_b,
        dept_c=dept_c,
        approver_a=make_staff("approver", department=dept_a, username="approver.scj", display_name="审批甲"),
        approver_b=make_staff("approver", department=dept_b, username="approver.xfj", display_name="审批乙"),
        approver_c=make_staff("approver", department=dept_c, username="approver.jtj"),
        supervisor=make_staff("supervisor", username="supervisor"),
        item=item,
        materials=materials,
        applicant_user=applicant_user,
        applicant=Applicant.objects.get(user=applicant_user),
        stranger_user=stranger_user,
    )


def make_bundle(w: World) -> Bundle:
    """一件事 "我要开餐馆": the world's item and a second item sharing one document (the application form)."""
    other, _ = make_parallel_item(
        w.dept_b, w.dept_c, name="公共场所卫生许可", code="11450681MB0000001X-000000000002"
    )
    bundle = Bundle.objects.create(code="open-restaurant", name="我要开餐馆")
    BundleItem.objects.create(bundle=bundle, item=w.item, order=1)
    BundleItem.objects.create(bundle=bundle, item=other, order=2)
    return bundle
