"""The real provincial export (shared/data: 781 items of 防城港市, November 2025) on a fresh install:
`onewindow init --no-sample`, then `onewindow catalog import … --region 450600000000`. Every row is an
item, published or a draft in the review queue with what it lacks, except the 33 一件事 rows, which
are no single item; the catalog manager completes a draft on the review page and publishes it; a
second import changes nothing."""

import re
from pathlib import Path

import pytest

from onewindow.catalog.models import Announcement, Item, ItemStatus
from onewindow.cli import main
from onewindow.orgs.models import Department, Region
from tests.factories import TEST_PASSWORD, make_staff

pytestmark = pytest.mark.django_db

NAME = "gx_fangchenggang_service_items.csv"
ROOT = Path(__file__).resolve().parents[2]
# shared/ sits beside the checkout (CI, the main checkout) or beside the work trees' folder.
CANDIDATES = [ROOT.parent / "shared" / "data" / NAME, ROOT.parent.parent / "shared" / "data" / NAME]
REAL_CSV = next((p for p in CANDIDATES if p.exists()), CANDIDATES[0])


@pytest.mark.skipif(not REAL_CSV.exists(), reason="the shared real data file is not present")
def test_real_export_imports_on_a_fresh_install_with_its_review_queue(client, capsys):
    assert main(["init", "--no-sample"]) == 0
    assert not Region.objects.exists() and not Item.objects.exists()
    capsys.readouterr()

    assert main(["catalog", "import", str(REAL_CSV), "--region", "450600000000"]) == 0
    out = capsys.readouterr().out
    assert "新增 541 项，新增草稿 207 项" in out and "跳过 33 行" in out
    assert "按工作日读取" in out  # the export has no unit column: the import says what it assumed
    assert Item.objects.filter(status=ItemStatus.ACTIVE).count() == 541
    assert Item.objects.filter(status=ItemStatus.DRAFT).count() == 207
    # Every row is accounted for: an item, or one of the 一件事 rows (not a single item), each by line.
    skipped = re.findall(r"^跳过 第(\d+)行 .*一件事", out, flags=re.M)
    assert len(skipped) == 33 and 541 + 207 + 33 == 781
    assert Item.objects.exclude(source_id="").count() == 748
    assert len(re.findall(r"^草稿 第\d+行 ", out, flags=re.M)) == 207
    # The region and its parent were created from the code, the departments under it by unit code.
    assert list(Region.objects.order_by("code").values_list("code", "name", "level")) == [
        ("450000000000", "广西壮族自治区", 1), ("450600000000", "防城港市", 2)]
    assert Department.objects.filter(code__startswith="portal-", region__code="450600000000").count() == 39
    # What the drafts lack: a conditional material's condition (155), a visit's reason (49), and 11
    # rows the portal published empty (no case type, limits or channels).
    kinds = {}
    for item in Item.objects.filter(status=ItemStatus.DRAFT):
        kinds[item.review_gap_kinds] = kinds.get(item.review_gap_kinds, 0) + 1
    assert kinds == {" materials ": 147, " visits ": 41, " materials visits ": 8,
                     " immediacy limits other visits ": 11}

    admin = make_staff("administrator", username="catalog.admin")
    assert client.login(username=admin.username, password=TEST_PASSWORD)
    page = client.get("/staff/catalog/drafts/?gap=materials")
    text = page.content.decode()
    assert page.status_code == 200 and "共 155 项草稿" in text
    draft = Item.objects.filter(status=ItemStatus.DRAFT, review_gap_kinds=" materials ").order_by("code").first()
    assert f"/staff/catalog/drafts/{draft.code}/" in client.get(
        f"/staff/catalog/drafts/?gap=materials&q={draft.code}").content.decode()

    form = client.get(f"/staff/catalog/drafts/{draft.code}/").context["form"]
    # What the page shows, as a browser would send it back (an unticked box sends nothing).
    shown = {**form.initial, **{name: field.initial for name, field in form.fields.items()
                                if name.startswith(("material_", "stage_"))}}
    post = {key: value for key, value in shown.items() if value is not None and value is not False}
    post["channels"] = form.initial["channels"]
    post["reason"] = "经目录管理员审核补充，新增公布"
    for i, material in enumerate(form.data_before["materials"]):
        if not material["required"]:
            post[f"material_{i}_condition"] = "按实际情况需要时提交"
    post["publish"] = "1"
    done = client.post(f"/staff/catalog/drafts/{draft.code}/", post)
    assert done.status_code == 302, done.context["form"].errors
    draft.refresh_from_db()
    assert draft.status == ItemStatus.ACTIVE and draft.review_gaps == []
    assert Announcement.objects.get(item=draft).kind == "added"

    # The same file again: nothing changes, and the published draft keeps what the manager filled in.
    assert main(["catalog", "import", str(REAL_CSV), "--region", "450600000000"]) == 0
    assert "新增 0 项，新增草稿 0 项，修改 0 项，未变 748 项" in capsys.readouterr().out
    assert Item.objects.get(pk=draft.pk).status == ItemStatus.ACTIVE
