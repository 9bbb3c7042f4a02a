"""The catalog manager's review queue in a real browser: a provincial export imported as drafts, the
queue filtered by what the drafts lack, one draft refused at publication with its problems beside the
fields, completed and published. Screenshots: catalog-drafts.png and catalog-draft.png."""

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser]

EXPORT = (
    "source_item_id,region_code,service_name,department,matter_type_code,matter_type_guess,case_type,legal_days,"
    "promise_days,on_site_times,is_charge,handle_form,general_scope,n_materials,materials,n_steps,steps,source_url\n"
    "b-1,3113105168,光船租赁登记,防城港海事局,07,,承诺件,7,7,0,否,\"窗口办理,网上办理,快递申请\",-,2,*申请书；*租赁合同,"
    "3,收件与受理；审查与决定；颁证与送达,u\n"
    "b-2,3113105168,船舶国籍证书核发（初次申请）,防城港海事局,01,,承诺件,7,7,1,否,\"窗口办理,网上办理\",-,3,"
    "*申请书；船舶检验证书；船舶所有权登记证书,3,收件与受理；审查与决定；颁证与送达,u\n"
    "b-3,3113105168,船员适任证书补发,防城港海事局,01,,承诺件,20,5,1,否,\"窗口办理,网上办理\",-,1,*申请书,"
    "2,收件与受理；审查与决定,u\n"
    "b-4,3113105265,电话咨询,防城港市人力资源和社会保障局,20,,,,,0,否,,-,0,,0,,u\n"
    "b-5,3113105265,失业保险金申领,防城港市人力资源和社会保障局,05,,承诺件,20,10,0,否,网上办理,-,2,"
    "*申请表；委托书,2,收件与受理；审查与决定,u\n"
)


@pytest.fixture
def imported(browser, transactional_db, live_server, settings, tmp_path):
    from onewindow.catalog.io import import_catalog
    from tests.factories import make_staff

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    report = import_catalog(path, region="450600000000")
    assert report.imported and report.drafts == 4, report.lines()
    make_staff("administrator", username="catalog.manager", display_name="目录管理员")
    return live_server.url


def test_a_manager_completes_and_publishes_a_draft(imported, browser, screenshot_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(imported + "/staff/login/")
        page.fill("#id_username", "catalog.manager")
        page.fill("#id_password", TEST_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="目录草稿").click()
        page.wait_for_load_state()
        assert "共 4 项草稿" in page.content()
        page.screenshot(path=str(screenshot_dir / "catalog-drafts.png"), full_page=True)

        page.get_by_role("link", name="申请材料").click()
        page.wait_for_load_state()
        assert "共 2 项草稿" in page.content()
        page.get_by_role("link", name="船舶国籍证书核发（初次申请）").click()
        page.wait_for_load_state()

        # Publishing as it is: refused, each problem beside its field.
        page.get_by_role("button", name="检查并发布").click()
        page.wait_for_load_state()
        alerts = page.locator(".errorlist").all_inner_texts()
        assert any("需到现场的理由" in a for a in alerts) and sum("适用情形" in a for a in alerts) == 2
        page.screenshot(path=str(screenshot_dir / "catalog-draft.png"), full_page=True)

        page.fill("#id_visit_reason", "须到现场核验船舶证书原件")
        page.fill("#id_material_1_condition", "船舶已经检验的")
        page.fill("#id_material_2_condition", "已办理船舶所有权登记的")
        page.get_by_role("button", name="检查并发布").click()
        page.wait_for_load_state()
        assert "已发布“船舶国籍证书核发（初次申请）”" in page.locator(".messages").inner_text()
        assert "共 3 项草稿" in page.content()

        # The published item is on the public site with its one-time notice.
        page.goto(imported + "/items/?q=船舶国籍证书")
        page.get_by_role("link", name="船舶国籍证书核发（初次申请）").click()
        page.wait_for_load_state()
        assert "船舶已经检验的" in page.content() and "7 个工作日" in page.content()
    finally:
        context.close()
