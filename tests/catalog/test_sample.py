"""The sample catalog of 东兴市: it loads through the catalog import, meets the reform targets it is
meant to demonstrate, and loading it again changes nothing.

Loading the sample takes seconds, so the module loads it once inside an outer transaction that is
rolled back at the end (`loaded`); each test still runs in its own savepoint. The test that needs an
empty database comes first, before anything requests `loaded`."""

from datetime import date

import pytest
import yaml
from django.db import transaction
from django.db.models import Count, F

from onewindow.catalog import reports, sample
from onewindow.catalog.models import (
    Announcement,
    AnnouncementKind,
    Bundle,
    Delegation,
    Item,
    ItemLevel,
    ItemStatus,
    ItemVersion,
    Material,
    MaterialSource,
    Stage,
)
from onewindow.catalog.services import validate_item
from onewindow.core.errors import ValidationError
from onewindow.orgs import sample as orgs_sample
from onewindow.orgs.models import Role, StaffRole, User

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


@pytest.fixture
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            orgs_sample.load_sample_orgs()
            yield sample.load_sample_catalog(today=DAY)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def counts():
    return {
        "items": Item.objects.count(), "versions": ItemVersion.objects.count(),
        "announcements": Announcement.objects.count(), "bundles": Bundle.objects.count(),
        "materials": Material.objects.count(), "stages": Stage.objects.count(),
    }


def test_a_broken_sample_file_is_refused_and_nothing_is_written(tmp_path):
    orgs_sample.load_sample_orgs()
    before = counts()
    document = yaml.safe_load(sample.SAMPLE_FILE.read_text(encoding="utf-8"))
    broken = next(raw for raw in document["items"] if raw["name"] == "食品经营许可（新办）")
    broken["committed_limit_days"] = broken["legal_limit_days"] + 5
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        sample.load_sample_catalog(path=path, today=DAY)
    assert "committed_limit_days" in refused.value.message
    assert "承诺办结时限" in refused.value.message
    # Nothing written: not even the abolished and suspended items that are introduced before the import.
    assert counts() == before


def test_sample_has_at_least_45_items_in_at_least_10_departments(loaded):
    assert Item.objects.count() >= 45
    assert Item.objects.values("department").distinct().count() >= 10
    assert loaded.startswith(f"{Item.objects.count()} 项事项、{Bundle.objects.count()} 个一件事")
    assert f"新增 {Item.objects.count()}" in loaded


def test_every_item_passes_the_catalog_consistency_check(loaded):
    for item in Item.objects.all():
        assert validate_item(item) == [], item.name


def test_company_startup_bundle_spans_five_departments(loaded):
    startup = Bundle.objects.get(code="company-startup")
    departments = [bi.item.department.code for bi in startup.bundle_items.order_by("order")]
    assert departments == ["dx-scjg", "dx-gaj", "dx-rmyh", "dx-rsj", "dx-swj"]
    assert startup.life_event.code == "kaiban-qiye"


def test_sample_has_the_life_event_bundles(loaded):
    codes = set(Bundle.objects.values_list("code", flat=True))
    assert {"company-startup", "newborn", "second-hand-house", "retirement", "after-death"} <= codes
    for bundle in Bundle.objects.all():
        assert bundle.bundle_items.count() >= 2
        assert not bundle.items.exclude(status=ItemStatus.ACTIVE).exists(), bundle.name


def test_at_least_five_items_have_parallel_stages_of_different_departments(loaded):
    parallel_items = (Stage.objects.order_by().values("item", "step").annotate(n=Count("department", distinct=True))
                      .filter(n__gte=2).values_list("item", flat=True).distinct())
    assert len(set(parallel_items)) >= 5
    permit = Item.objects.get(name="建筑工程施工许可（新办）")
    step_two = set(permit.stages.filter(step=2).values_list("department__code", flat=True))
    assert step_two == {"dx-zjj", "dx-zrzy"}
    assert permit.is_joint


def test_hierarchy_main_sub_and_handling_items(loaded):
    mains_with_children = Item.objects.filter(level=ItemLevel.MAIN, children__isnull=False).distinct()
    assert mains_with_children.count() >= 3
    food = Item.objects.get(name="食品经营许可")
    assert set(food.children.values_list("handling_type", flat=True)) == {"new", "change", "renewal", "cancellation"}
    house = Item.objects.get(name="国有建设用地使用权及房屋所有权登记")
    assert house.level == ItemLevel.SUB and house.parent.name == "不动产登记"
    assert house.children.filter(level=ItemLevel.HANDLING).count() >= 3


def test_exactly_one_abolished_and_one_suspended_item_each_announced_with_reason(loaded):
    assert Item.objects.exclude(status=ItemStatus.ACTIVE).count() == 2
    abolished = Item.objects.get(status=ItemStatus.ABOLISHED)
    notice = Announcement.objects.get(item=abolished, kind=AnnouncementKind.ABOLISHED)
    assert "国发〔2017〕7号" in notice.reason
    assert notice.published_on == DAY
    suspended = Item.objects.get(status=ItemStatus.SUSPENDED)
    change = Announcement.objects.get(item=suspended, kind=AnnouncementKind.CHANGED)
    assert "暂停受理" in change.reason
    # Every other item was announced once, as added, with the import's reason.
    added = Announcement.objects.filter(kind=AnnouncementKind.ADDED)
    assert added.count() == Item.objects.count()
    assert set(added.values_list("reason", flat=True)) == {"示例目录"}


def test_instant_approval_rules_of_the_sample(loaded):
    licence = Item.objects.get(name="个体工商户设立登记")
    fields = {rule["field"] for rule in licence.instant_approval_rules}
    assert {"name_self_declared", "applicant.bad_credit"} <= fields
    allowance = Item.objects.get(name="高龄津贴申领")
    assert {"field": "age", "op": "gte", "value": 80, "label": "年满80周岁"} in allowance.instant_approval_rules


def test_every_e_certificate_material_is_the_result_of_some_item(loaded):
    produced = set(Item.objects.exclude(result_certificate_type="").values_list("result_certificate_type", flat=True))
    needed = set(Material.objects.filter(source=MaterialSource.E_CERTIFICATE)
                 .values_list("certificate_type", flat=True))
    assert "" not in needed
    assert needed <= produced


def test_reform_summary_meets_the_targets(loaded):
    summary = reports.reform_summary()
    assert summary["at_most_one_visit_pct"] >= 80
    assert summary["zero_visit_pct"] >= 80
    assert summary["limit_reduction_pct"] >= 50
    # The real catalog shows no committed limit above the legal one; the sample keeps that.
    assert not Item.objects.filter(committed_limit_days__gt=F("legal_limit_days")).exists()


def test_loading_twice_changes_nothing(loaded):
    before = counts()
    summary = sample.load_sample_catalog(today=date(2026, 3, 3))
    assert counts() == before
    assert f"新增 0，修改 0，未变 {before['items']}" in summary


def test_demo_delegations_cover_active_market_regulation_items(loaded, fast_password_hasher):
    orgs_sample.ensure_demo_accounts(password="demo-pass-2026")
    message = sample.ensure_demo_delegations(today=DAY)
    chief = User.objects.get(username="chief.scj")
    active = Item.objects.filter(department__code="dx-scjg", status=ItemStatus.ACTIVE)
    delegated = Delegation.objects.filter(representative=chief)
    assert set(delegated.values_list("item_id", flat=True)) == set(active.values_list("id", flat=True))
    assert set(delegated.values_list("granted_on", flat=True)) == {DAY}
    assert f"新增 {active.count()}" in message
    again = sample.ensure_demo_delegations(today=date(2026, 3, 9))
    assert "新增 0" in again
    assert set(delegated.values_list("granted_on", flat=True)) == {DAY}


def test_demo_delegations_skipped_without_the_chief_representative(loaded, fast_password_hasher):
    assert "未找到" in sample.ensure_demo_delegations(today=DAY)
    User.objects.create(username="chief.scj", display_name="没有角色")
    assert "不是" in sample.ensure_demo_delegations(today=DAY)
    assert not Delegation.objects.exists()
    assert not StaffRole.objects.filter(role=Role.CHIEF_REPRESENTATIVE).exists()
