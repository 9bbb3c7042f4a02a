"""The provincial portal's CSV export: every row an item (published, or a draft listing what the file
could not say) or refused by line for a reason that makes it no item; regions and departments created
from what the file and --region say; re-imports idempotent and respectful of what the catalog manager
filled in."""

import pytest

from onewindow.catalog import review, selectors, services
from onewindow.catalog.io import import_catalog
from onewindow.catalog.io_provincial import generated_code
from onewindow.catalog.models import Announcement, Item, ItemStatus
from onewindow.core.errors import NotFound, ValidationError
from onewindow.orgs.models import Department, Region
from tests.factories import DepartmentFactory, RegionFactory

pytestmark = pytest.mark.django_db

HEADER = ("source_item_id,region_code,service_name,department,matter_type_code,matter_type_guess,case_type,"
          "legal_days,promise_days,on_site_times,is_charge,handle_form,general_scope,n_materials,materials,"
          "n_steps,steps,source_url\n")
PROVINCIAL = HEADER + """id-1,3113105168,光船租赁登记,东兴市海事处,07,行政确认,承诺件,7,5,0,否,"窗口办理,网上办理,快递申请",-,2,*申请书；*租赁合同,3,收件与受理；审查与决定；颁证与送达,https://example.invalid/1
id-2,3113105168,船舶开航“一件事”,东兴市海事处,16,一件事(集成服务),承诺件,68,34,0,否,"窗口办理,网上办理",-,1,*申请表,1,收件与受理,https://example.invalid/2
id-3,3113105168,船员证补发,东兴市海事处,01,行政许可,即办件,20,5,0,否,"窗口办理,网上办理",-,1,*申请书,2,收件与受理；审查与决定,https://example.invalid/3
id-4,3113105168,电话咨询,东兴市海事处,20,公共服务,,,,0,否,,-,0,,0,,https://example.invalid/4
id-5,3113105168,船舶国籍证书核发,东兴市海事处,01,行政许可,承诺件,7,7,1,否,"窗口办理,网上办理",-,2,*申请书；船舶检验证书,3,收件与受理；审查与决定；颁证与送达,https://example.invalid/5
id-6,3113105168,证明开具,东兴市海事处,20,公共服务,即办件,1,1,0,是,"窗口办理,网上办理",-,1,*申请表,1,收件与受理,https://example.invalid/6
id-7,3113105168,船舶登记查询,东兴市海事处,99,未知,承诺件,5,3,0,否,"窗口办理,网上办理",-,1,*申请表,1,收件与受理,https://example.invalid/7
"""
DONGXING = "450681000000"


def _write(tmp_path, text=PROVINCIAL, name="export.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _gaps(code):
    return [g["message"] for g in Item.objects.get(code=code).review_gaps]


def test_rows_with_gaps_are_drafts_that_list_what_they_lack(tmp_path):
    region = RegionFactory(code=DONGXING, name="东兴市", level=3)
    report = import_catalog(_write(tmp_path), region=region.code)
    assert report.imported and not report.errors, report.lines()
    assert (report.rows, report.created, report.drafts, len(report.bad_rows)) == (7, 2, 4, 0)
    assert any("第3行" in s and "一件事" in s for s in report.skipped)

    lease = Item.objects.get(code=generated_code("id-1"))
    assert lease.status == ItemStatus.ACTIVE and lease.source_id == "id-1" and lease.review_gaps == []
    assert (lease.kind, lease.legal_limit_days, lease.committed_limit_days, lease.limit_unit) == (
        "confirmation", 7, 5, "working")
    assert (lease.online_depth, lease.max_visits, lease.offers_post_delivery, lease.channel_post) == (4, 0, True, True)
    assert [(s.kind, s.limit_days) for s in lease.stages.all()] == [("acceptance", 0), ("review", 5), ("delivery", 0)]
    assert lease.department.name == "东兴市海事处" and lease.department.region == region
    assert lease.department.code == "portal-3113105168"  # the portal's unit code names the department

    drafts = {i.source_id: i for i in Item.objects.filter(status=ItemStatus.DRAFT)}
    assert set(drafts) == {"id-3", "id-4", "id-5", "id-7"}
    assert any("即办件的承诺时限应为 0 或 1 天" in g for g in _gaps(generated_code("id-3")))
    blank = _gaps(generated_code("id-4"))
    assert any("未注明办件类型" in g for g in blank) and any("办理形式" in g for g in blank)
    assert any("法定办结时限不能为空" in g for g in blank) and drafts["id-4"].legal_limit_days is None
    nationality = _gaps(generated_code("id-5"))
    assert any("必须写明需到现场的理由" in g for g in nationality)
    assert any("船舶检验证书" in g and "适用情形" in g for g in nationality)
    assert drafts["id-7"].kind == "" and any("“99”" in g for g in _gaps(generated_code("id-7")))
    # What each draft lacks is in the report too, by line.
    assert {location.split(" ")[0] for location, _code, _gaps in report.draft_rows} == {"第4行", "第5行", "第6行", "第8行"}
    assert any(line.startswith("草稿 第6行 (船舶国籍证书核发)：") and "适用情形" in line for line in report.lines())


def test_drafts_are_never_public_announced_or_applicable(tmp_path):
    import_catalog(_write(tmp_path), region=RegionFactory().code)
    draft = Item.objects.get(source_id="id-5")
    with pytest.raises(NotFound):
        selectors.get_item(draft.code)
    assert draft not in selectors.search_items(query="船舶国籍证书")
    assert not Announcement.objects.filter(item__status=ItemStatus.DRAFT).exists()
    assert Announcement.objects.filter(kind="added").count() == 2  # the two published items only


def test_review_queue_filters_drafts_by_what_they_lack_and_by_department(tmp_path):
    import_catalog(_write(tmp_path), region=RegionFactory().code)
    counts = {kind: n for kind, _label, n in review.gap_counts()}
    assert counts == {"kind": 1, "limits": 1, "immediacy": 2, "visits": 2, "materials": 1, "other": 1}
    assert [i.source_id for i in review.drafts(gap="materials")] == ["id-5"]
    assert {i.source_id for i in review.drafts(gap="immediacy")} == {"id-3", "id-4"}
    assert [i.source_id for i in review.drafts(query="船舶 国籍")] == ["id-5"]
    assert review.drafts(department_code="portal-3113105168").count() == 4
    assert not review.drafts(department_code="dx-none").exists()


def test_publishing_a_completed_draft_checks_every_rule_and_announces_it(tmp_path):
    import_catalog(_write(tmp_path), region=RegionFactory().code)
    draft = Item.objects.get(source_id="id-5")
    with pytest.raises(services.ItemInvalid) as err:
        services.publish_draft(item=draft, reason="审核发布")
    assert {p.field for p in err.value.problems} == {"visit_reason", "materials[1].condition"}
    assert Item.objects.get(pk=draft.pk).status == ItemStatus.DRAFT  # nothing written

    materials = [{"name": "申请书", "required": True},
                 {"name": "船舶检验证书", "required": False, "condition": "船舶已经检验的"}]
    item = services.publish_draft(item=draft, reason="审核发布", data={
        "visit_reason": "须到现场核验船舶证书原件", "materials": materials})
    assert item.status == ItemStatus.ACTIVE and item.review_gaps == [] and item.review_gap_kinds == ""
    added = Announcement.objects.get(item=item)
    assert added.kind == "added" and added.reason == "审核发布" and "7 个工作日" in added.summary
    with pytest.raises(Exception, match="不是草稿"):
        services.publish_draft(item=item, reason="再次发布")


def test_rows_that_cannot_be_items_are_refused_by_line_and_reason(tmp_path):
    text = HEADER + """id-1,3113105168,光船租赁登记,东兴市海事处,07,,承诺件,7,5,0,否,"窗口办理,网上办理,快递申请",-,1,*申请书,1,收件与受理,u
id-2,3113105168,,东兴市海事处,07,,承诺件,7,5,0,否,网上办理,-,1,*申请书,1,收件与受理,u
id-3,,船员证补发,,01,,承诺件,7,5,0,否,网上办理,-,1,*申请书,1,收件与受理,u
id-1,3113105168,光船租赁登记（重复）,东兴市海事处,07,,承诺件,7,5,0,否,网上办理,-,1,*申请书,1,收件与受理,u
,3113105168,无编号事项,东兴市海事处,07,,承诺件,7,5,0,否,网上办理,-,1,*申请书,1,收件与受理,u
"""
    region = RegionFactory()
    path = _write(tmp_path, text)
    report = import_catalog(path, region=region.code)
    assert not report.imported and report.bad_count == 4
    errors = "\n".join(report.errors)
    assert "第3行 (—)：service_name：事项名称为空" in errors
    assert "第4行 (船员证补发)：department：实施部门为空" in errors
    assert "第5行 (光船租赁登记（重复）)：source_item_id：与 第2行 (光船租赁登记) 重复" in errors
    assert "第6行 (无编号事项)：source_item_id：为空" in errors
    assert not Item.objects.exists() and not Department.objects.filter(code="portal-3113105168").exists()

    report = import_catalog(path, region=region.code, skip_bad=True)
    assert report.imported and report.created == 1 and len(report.bad_rows) == 4


def test_without_region_unknown_departments_refuse_their_rows(tmp_path):
    report = import_catalog(_write(tmp_path))
    assert any("第2行 (光船租赁登记)：department：部门“东兴市海事处”不存在" in e for e in report.errors)
    assert not Item.objects.exists()


def test_an_unknown_region_is_created_with_its_parents_named_from_the_national_table(tmp_path):
    report = import_catalog(_write(tmp_path), region="450681")
    assert report.imported
    assert report.regions_created == ["450000000000 广西壮族自治区", "450600000000 防城港市", "450681000000 东兴市"]
    dongxing = Region.objects.get(code=DONGXING)
    assert (dongxing.level, dongxing.parent.code, dongxing.parent.parent.name) == (3, "450600000000", "广西壮族自治区")
    department = Department.objects.get(code="portal-3113105168")
    assert department.region == dongxing and department.name == "东兴市海事处"
    assert Item.objects.get(source_id="id-1").region_level == 3


def test_a_region_code_not_in_the_table_is_created_unnamed_and_reported(tmp_path):
    report = import_catalog(_write(tmp_path), region="450681101")
    assert "450681101000" in report.regions_unnamed
    assert Region.objects.get(code="450681101000").name == "待命名（450681101000）"
    assert any("待命名" in line for line in report.lines())


def test_dry_run_creates_no_region_department_or_item(tmp_path):
    report = import_catalog(_write(tmp_path), region="450681", dry_run=True)
    assert not report.imported and report.created == 2 and report.drafts == 4
    assert not Region.objects.exists() and not Department.objects.exists() and not Item.objects.exists()


def test_reimport_is_idempotent_and_keeps_what_the_catalog_manager_filled_in(tmp_path):
    region = RegionFactory()
    path = _write(tmp_path)
    import_catalog(path, region=region.code)
    draft = Item.objects.get(source_id="id-5")
    services.publish_draft(item=draft, reason="审核发布", data={
        "visit_reason": "须到现场核验船舶证书原件",
        "materials": [{"name": "申请书", "required": True},
                      {"name": "船舶检验证书", "required": False, "condition": "船舶已经检验的"}]})
    versions = {i.code: i.version for i in Item.objects.all()}
    announcements = Announcement.objects.count()

    again = import_catalog(path, region=region.code)
    assert again.imported and not again.errors, again.lines()
    assert (again.created, again.drafts, again.updated, again.unchanged) == (0, 0, 0, 6)
    assert {i.code: i.version for i in Item.objects.all()} == versions
    assert Announcement.objects.count() == announcements
    published = Item.objects.get(source_id="id-5")
    assert published.status == ItemStatus.ACTIVE and published.visit_reason == "须到现场核验船舶证书原件"
    assert published.materials.get(name="船舶检验证书").condition == "船舶已经检验的"
    assert len(again.draft_rows) == 3  # the other drafts are still listed with what they lack


def test_reimport_finds_an_item_by_source_id_and_a_department_by_unit_code_after_renames(tmp_path):
    region = RegionFactory()
    import_catalog(_write(tmp_path), region=region.code)
    lease = Item.objects.get(source_id="id-1")
    renamed = PROVINCIAL.replace("光船租赁登记,东兴市海事处", "光船租赁登记（变更后）,东兴海事处")
    report = import_catalog(_write(tmp_path, renamed, "newer.csv"), region=region.code)
    assert report.updated == 1 and not report.departments_created
    lease.refresh_from_db()
    assert lease.name == "光船租赁登记（变更后）" and lease.department.code == "portal-3113105168"
    assert Item.objects.count() == 6 and Announcement.objects.filter(item=lease, kind="changed").exists()


def test_a_published_item_is_not_broken_by_a_row_with_gaps(tmp_path):
    region = RegionFactory()
    import_catalog(_write(tmp_path), region=region.code)
    worse = PROVINCIAL.replace("*申请书；*租赁合同", "*申请书；租赁合同")
    report = import_catalog(_write(tmp_path, worse, "worse.csv"), region=region.code)
    assert not report.imported
    assert any(e.startswith("第2行 (光船租赁登记)：已公布的事项未按本行更新") and "适用情形" in e for e in report.errors)
    assert Item.objects.get(source_id="id-1").materials.get(name="租赁合同").required


def test_existing_departments_are_matched_by_name(tmp_path):
    existing = DepartmentFactory(code="dx-hsc", name="东兴市海事处")
    report = import_catalog(_write(tmp_path))
    assert report.imported and not report.departments_created
    assert Item.objects.get(source_id="id-1").department == existing


def test_a_unit_column_sets_the_limit_unit_and_its_absence_is_reported(tmp_path):
    region = RegionFactory()
    report = import_catalog(_write(tmp_path), region=region.code)
    assert any("没有时限单位列" in n and "工作日" in n for n in report.notes)
    text = (HEADER.rstrip("\n") + ",limit_unit\n"
            + "id-8,3113105168,居民身份证申领,东兴市公安局,07,,承诺件,60,20,1,否,网上办理,-,1,*申请表,1,审查与决定,u,自然日\n")
    report = import_catalog(_write(tmp_path, text, "units.csv"), region=region.code)
    assert any("limit_unit 列" in n for n in report.notes)
    card = Item.objects.get(source_id="id-8")
    assert (card.limit_unit, card.legal_limit_days, card.committed_limit_days) == ("natural", 60, 20)


def test_csv_with_another_header_is_refused(tmp_path):
    report = import_catalog(_write(tmp_path, "a,b\n1,2\n", "other.csv"))
    assert not report.imported and "不是可识别的 CSV" in report.errors[0]


def test_a_region_that_is_no_division_code_is_refused_naming_the_field(tmp_path):
    with pytest.raises(ValidationError) as err:
        import_catalog(_write(tmp_path), region="4506x")
    assert err.value.field == "region"
    assert not Region.objects.exists()
