"""One rating per service, by the person served, on the five levels and the standard's dimensions."""

import pytest
from django.db import IntegrityError, transaction

from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from onewindow.ratings import selectors, services
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.states import SubjectKind
from tests.workbench.cases import accepted_case

from .helpers import NOW, concluded_case, rate_case, rate_visit, served_ticket

pytestmark = pytest.mark.django_db


def test_a_concluded_case_is_rated_once_with_its_dimensions_and_unit(w):
    case = concluded_case(w)
    rating = rate_case(case, 5, rater=w.applicant_user, comment="办得快",
                       dimensions={"efficiency": 5, "service_level": 4, "attitude": 5})
    assert (rating.subject_label, rating.mode, rating.department_id, rating.item_id) == (
        case.number, "in_person", w.dept_a.pk, w.item.pk)
    assert rating.clerk_id == w.clerk.pk and rating.applicant_id == w.applicant.pk
    assert (rating.efficiency, rating.service_level, rating.attitude, rating.guide_accuracy) == (5, 4, 5, None)
    assert not Rectification.objects.exists()
    with pytest.raises(Conflict):
        rate_case(case, 1, rater=w.applicant_user)
    assert Rating.objects.get().level == 5


def test_the_database_refuses_a_second_rating_of_one_service(w):
    case = concluded_case(w)
    rating = rate_case(case, 4, rater=w.applicant_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(**{f.attname: getattr(rating, f.attname) for f in Rating._meta.concrete_fields
                                 if f.attname != "id"})


def test_a_case_not_concluded_cannot_be_rated(w):
    case = accepted_case(w)
    with pytest.raises(Conflict) as err:
        rate_case(case, 5, rater=w.applicant_user)
    assert "办结" in err.value.message
    assert not Rating.objects.exists()


def test_staff_cannot_rate_their_own_service_nor_in_the_applicants_place(w):
    case = concluded_case(w)
    with pytest.raises(PermissionDenied):
        rate_case(case, 5, rater=w.clerk)           # accepted and concluded it
    with pytest.raises(PermissionDenied):
        rate_case(case, 5, rater=w.approver_a)      # approved its task
    with pytest.raises(PermissionDenied):
        rate_case(case, 1, rater=w.supervisor)      # staff, not the applicant
    assert not Rating.objects.exists()


@pytest.mark.parametrize(("level", "dimensions", "field"), [
    (6, {}, "level"), (0, {}, "level"), ("5", {}, "level"),
    (5, {"usability": 5}, "dimensions.usability"),  # an online dimension on an in-person case
    (5, {"attitude": 9}, "dimensions.attitude"),
])
def test_bad_input_names_the_field_and_changes_nothing(w, level, dimensions, field):
    case = concluded_case(w)
    with pytest.raises(ValidationError) as err:
        rate_case(case, level, rater=w.applicant_user, dimensions=dimensions)
    assert err.value.field == field
    assert not Rating.objects.exists()


def test_an_unknown_service_or_kind_is_not_found(w):
    with pytest.raises(NotFound):
        services.rate(kind=SubjectKind.CASE, subject_id=999999, level=5, now=NOW)
    with pytest.raises(NotFound):
        services.rate(kind=SubjectKind.COMPLAINT, subject_id=1, level=5, now=NOW)  # not plugged in yet


def test_a_window_visit_is_rated_once_on_the_pad(hw):
    ticket = served_ticket(hw)
    rating = rate_visit(ticket, 4, dimensions={"attitude": 5})
    assert (rating.subject_kind, rating.window_id, rating.clerk_id, rating.department_id) == (
        "visit", hw.window("1").pk, hw.clerk.pk, hw.county_item.department_id)
    assert rating.rated_by is None and rating.source == "pad"
    with pytest.raises(Conflict):
        rate_visit(ticket, 1)


def test_a_ticket_not_yet_called_cannot_be_rated(hw):
    from onewindow.hall import services as hall_services
    ticket = hall_services.take_ticket(centre=hw.county, item=hw.county_item, now=NOW)
    with pytest.raises(Conflict):
        rate_visit(ticket, 5)


def test_the_pad_offers_what_the_window_is_serving_or_just_served(hw):
    from onewindow.ratings import subjects
    ticket = served_ticket(hw, window="2", clerk=hw.clerk2)
    offered = subjects.served_recently(hw.window("2").pk, now=NOW)
    assert [s.id for s in offered] == [ticket.pk]
    assert subjects.served_recently(hw.window("1").pk, now=NOW) == []


def test_statistics_per_department_item_window_and_the_appraisal_figures(hw):
    ratings = [rate_visit(served_ticket(hw, window=n, clerk=c), level)
               for n, c, level in (("1", hw.clerk, 5), ("1", hw.clerk, 4), ("2", hw.clerk2, 2), ("2", hw.clerk2, 3))]
    department = hw.county_item.department_id
    figures = selectors.appraisal_figures(start=NOW.date(), end=NOW.date())
    assert figures == {department: {"ratings": 4, "satisfied": 3, "dissatisfied": 1, "score_sum": 100 + 75 + 25 + 50}}
    windows = {row.name: (row.ratings, row.satisfaction) for row in
               selectors.statistics(by="window", start=NOW.date(), end=NOW.date())}
    assert windows == {"东兴市政务服务中心 1号窗口": (2, 100.0), "东兴市政务服务中心 2号窗口": (2, 50.0)}
    clerks = selectors.clerk_figures(start=NOW.date(), end=NOW.date())
    assert clerks[hw.clerk2.pk]["dissatisfied"] == 1
    [item_row] = selectors.statistics(by="item", start=NOW.date(), end=NOW.date())
    assert (item_row.ratings, item_row.average_score) == (4, 62.5)
    assert ratings[2].rectification.state == "open"
