import pytest

from onewindow.orgs import identity, sample, selectors
from onewindow.orgs.models import Applicant, Department, Region, ServiceCentre, StaffRole, User, Window

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-pass-2026"


def _counts():
    return tuple(model.objects.count() for model in (Region, Department, ServiceCentre, Window))


def test_sample_orgs_match_the_common_setting():
    summary = sample.load_sample_orgs()
    assert "\n" not in summary
    assert _counts() == (7, 14, 4, 12 + 3 + 3 + 1)
    dongxing = Region.objects.get(code="450681000000")
    assert (dongxing.name, dongxing.level, dongxing.parent.code) == ("东兴市", 3, "450600000000")
    assert Region.objects.get(code="450681101201").parent.name == "江平镇"
    assert set(Department.objects.values_list("region__code", flat=True)) == {"450681000000"}
    dx01 = ServiceCentre.objects.get(code="DX01")
    assert (dx01.level, dx01.weekend_service) == (3, True)
    assert sorted(int(n) for n in dx01.windows.values_list("number", flat=True)) == list(range(1, 13))
    assert ServiceCentre.objects.get(code="WW01").level == 5


def test_loading_sample_orgs_twice_changes_nothing():
    sample.load_sample_orgs()
    before = _counts()
    names = list(Department.objects.values_list("code", "name", "short_name"))
    summary = sample.load_sample_orgs()
    assert _counts() == before
    assert list(Department.objects.values_list("code", "name", "short_name")) == names
    assert "new 0, changed 0" in summary


def test_loading_sample_orgs_repairs_an_edited_row():
    sample.load_sample_orgs()
    Department.objects.filter(code="dx-gaj").update(name="改错的名称")
    summary = sample.load_sample_orgs()
    assert Department.objects.get(code="dx-gaj").name == "东兴市公安局"
    assert "changed 1" in summary


def test_demo_accounts_have_their_roles(client):
    sample.load_sample_orgs()
    sample.ensure_demo_accounts(password=DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and selectors.is_role(admin, "administrator")
    assert [c.code for c in selectors.centres_of(User.objects.get(username="clerk"))] == ["DX01"]
    assert selectors.is_role(User.objects.get(username="chief.scj"), "chief_representative")
    for code in Department.objects.values_list("code", flat=True):
        suffix = "scj" if code == "dx-scjg" else code.removeprefix("dx-")  # as in the common brief
        approver = User.objects.get(username=f"approver.{suffix}")
        assert [d.code for d in selectors.departments_of(approver)] == [code]
    assert selectors.is_role(User.objects.get(username="agent"), "agent")
    assert selectors.roles_of(User.objects.get(username="supervisor")) == {"supervisor"}

    zhangsan = selectors.applicant_for_user(User.objects.get(username="zhangsan"))
    assert (zhangsan.kind, zhangsan.name) == ("person", "张三")
    assert zhangsan.id_number.startswith("450681")
    assert identity.validate_resident_id(zhangsan.id_number) == zhangsan.id_number
    qiye = selectors.applicant_for_user(User.objects.get(username="qiye"))
    assert (qiye.kind, qiye.name) == ("enterprise", "东兴市边贸通商贸有限公司")
    assert identity.validate_uscc(qiye.id_number) == qiye.id_number

    for username in ["admin", "clerk", "approver.scj", "zhangsan", "qiye"]:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_demo_accounts_are_idempotent_and_keep_changed_passwords(client):
    first = sample.ensure_demo_accounts(password=DEMO_PASSWORD)  # loads the orgs itself when missing
    counts = (User.objects.count(), StaffRole.objects.count(), Applicant.objects.count())
    assert counts == (len(sample.demo_staff_accounts()) + 2, len(sample.demo_staff_accounts()), 2)
    clerk = User.objects.get(username="clerk")
    clerk.set_password("changed-pass-2026")
    clerk.save()
    second = sample.ensure_demo_accounts(password=DEMO_PASSWORD)
    assert (User.objects.count(), StaffRole.objects.count(), Applicant.objects.count()) == counts
    assert "new 0" in second and "new 0" not in first
    assert client.login(username="clerk", password="changed-pass-2026")


def test_demo_accounts_restore_a_revoked_demo_role():
    sample.ensure_demo_accounts(password=DEMO_PASSWORD)
    StaffRole.objects.filter(user__username="agent").delete()
    sample.ensure_demo_accounts(password=DEMO_PASSWORD)
    assert selectors.is_role(User.objects.get(username="agent"), "agent")


def test_online_applications_go_to_the_county_centre_of_the_region():
    from onewindow.orgs import sample, selectors
    from onewindow.orgs.models import Region

    sample.load_sample_orgs()
    county = Region.objects.get(code="450681000000")
    town = Region.objects.get(code="450681101000")
    assert selectors.online_centre(county).code == "DX01"
    assert selectors.online_centre(town).code == "JPZ01"
    assert selectors.online_centre().code == "DX01"  # no region: the highest-level centre
