"""The dispatch suggestion learnt from past work orders: what it suggests, how well, from what."""

import pytest

from onewindow.complaints import dispatch, sample
from onewindow.complaints.models import DispatchExample, DispatchModel, ExampleSource
from onewindow.core.errors import ValidationError
from onewindow.orgs.models import Department

from .fixtures import held_out, history

pytestmark = pytest.mark.django_db


def test_suggests_three_units_from_the_words_with_department_and_reason(dongxing):
    dispatch.learn(history())
    suggestions = dispatch.suggest("建设路的烧烤店油烟很大，熏得没法开窗")
    assert len(suggestions) == 3
    first = suggestions[0]
    assert first.unit_name == "东兴市城市管理综合执法局"
    assert first.department_id == Department.objects.get(code="dx-cgj").id
    assert "油烟" in first.reason
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0001
    assert first.score > 0.5


def test_accuracy_on_orders_it_has_not_learnt_from_is_high_on_a_separable_history(dongxing):
    dispatch.learn(history())
    result = dispatch.evaluate(held_out())
    assert result.n == len(held_out()) and result.skipped_learnt == 0
    assert result.top1 >= 0.9 and result.top3 == 1.0
    assert {u.name for u in result.per_unit} == {"东兴市城市管理综合执法局", "东兴市市场监督管理局",
                                                 "东兴市人力资源和社会保障局", "江平镇人民政府"}


def test_evaluate_leaves_out_the_orders_it_learnt_from(dongxing):
    dispatch.learn(history())
    result = dispatch.evaluate(history()[:3] + held_out())
    assert result.skipped_learnt == 3 and result.n == len(held_out())
    with pytest.raises(ValidationError, match="都已学习过"):
        dispatch.evaluate(history())


def test_evaluate_counts_a_unit_the_model_never_saw_as_a_miss(dongxing):
    dispatch.learn(history())
    result = dispatch.evaluate([("北仑大道的工地晚上施工太吵", "东兴市住房和城乡建设局")] + held_out())
    assert result.unseen_units == ["东兴市住房和城乡建设局"]
    worst = result.per_unit[0]
    assert (worst.name, worst.top3) == ("东兴市住房和城乡建设局", 0.0)


def test_evaluate_without_a_model_says_so():
    with pytest.raises(ValidationError, match="还没有学习过"):
        dispatch.evaluate(held_out())


def test_cross_validation_on_the_sample_history_stores_nothing(dongxing):
    rows = list(sample.orders(1500, seed=3, aliases=0))
    result = dispatch.cross_validate(rows, folds=3)
    assert result.folds == 3 and result.n == 1500
    assert result.top3 >= 0.85 and result.top1 >= 0.7
    assert not DispatchModel.objects.exists() and not DispatchExample.objects.exists()


def test_unit_names_match_departments_and_unknown_names_are_kept_and_reported(dongxing):
    rows = history()
    report = dispatch.learn(rows)
    by_name = {u.name: u for u in report.units}
    assert by_name["东兴市市场监督管理局"].how == "normalised"  # written 市场监督管理局 in the archive
    assert by_name["东兴市市场监督管理局"].names == ["市场监督管理局"]
    assert by_name["东兴市城市管理综合执法局"].how == "exact"
    assert [u.name for u in report.unmatched] == ["江平镇人民政府"]
    suggestion = dispatch.suggest("万尾村村道坑坑洼洼")[0]
    assert (suggestion.unit_name, suggestion.department_id) == ("江平镇人民政府", None)
    example = DispatchExample.objects.filter(unit_name="市场监督管理局").first()
    assert example.department.code == "dx-scjg" and example.source == ExampleSource.IMPORTED


@pytest.mark.parametrize(("written", "code"), [
    ("东兴市市场监督管理局", "dx-scjg"), ("市场监督管理局", "dx-scjg"), ("市市场监管局", "dx-scjg"),
    ("市场监管局", "dx-scjg"), ("东兴市税务局", "dx-swj"), ("国家税务总局东兴市税务局", "dx-swj"),
    ("东兴市 城市管理综合执法局", "dx-cgj"), ("（东兴市）人社局", "dx-rsj"), ("江平镇人民政府", None),
    ("东兴市教育局", None),
])
def test_unit_name_matching(dongxing, written, code):
    from onewindow.complaints.units import UnitMatcher

    match = UnitMatcher().match(written)
    assert (Department.objects.get(pk=match.department_id).code if match.department_id else None) == code


def test_a_name_two_departments_share_after_normalising_stays_a_name(dongxing):
    from onewindow.complaints.units import UnitMatcher
    from onewindow.orgs.models import Region

    Department.objects.create(code="fcg-scjg", name="防城港市市场监督管理局",
                              region=Region.objects.get(name="防城港市"))
    match = UnitMatcher().match("市场监督管理局")
    assert (match.department_id, match.how) == (None, "ambiguous")
    assert UnitMatcher().match("东兴市市场监督管理局").how == "exact"


def test_a_unit_with_one_order_is_refused_and_nothing_is_stored(dongxing):
    rows = history() + [("孩子上学的校车超载", "东兴市教育局")]
    with pytest.raises(ValidationError, match="1 个单位只有一条工单（东兴市教育局）"):
        dispatch.learn(rows)
    assert not DispatchExample.objects.exists() and not DispatchModel.objects.exists()


def test_one_unit_alone_cannot_be_learnt(dongxing):
    with pytest.raises(ValidationError, match="至少需要两个"):
        dispatch.learn([("油烟扰民", "城管局"), ("占道经营", "城管局")])
    assert not DispatchExample.objects.exists()


def test_learning_again_adds_to_the_history_and_replace_keeps_closed_orders(dongxing):
    first = dispatch.learn(history())
    dispatch.learn_from_closed([("中山路的路灯坏了", "东兴市城市管理综合执法局", "GD-1")])
    second = dispatch.learn(held_out())
    assert (first.version, second.version) == (1, 2)
    assert second.examples == len(history()) + len(held_out()) + 1 and second.added == len(held_out())
    third = dispatch.learn(held_out(), replace=True)
    assert third.examples == len(held_out()) + 1
    assert DispatchExample.objects.filter(source=ExampleSource.CLOSED).count() == 1


def test_only_the_newest_models_are_kept(dongxing):
    for _ in range(dispatch.MODELS_KEPT + 2):
        dispatch.learn(history(), replace=True)
    assert list(DispatchModel.objects.order_by("version").values_list("version", flat=True)) == [3, 4, 5]


def test_without_a_model_and_without_a_link_nothing_is_suggested(dongxing):
    assert dispatch.suggest("油烟扰民") == []


def test_text_with_no_known_word_falls_back_to_the_busiest_units(dongxing):
    dispatch.learn(history() + history()[:5])
    suggestions = dispatch.suggest("qwerty zzz")
    assert suggestions[0].unit_name == "东兴市城市管理综合执法局"
    assert "没有学过的词" in suggestions[0].reason


def test_the_scheduled_job_relearns_only_when_closed_orders_were_kept(dongxing):
    from onewindow.complaints.tasks import refresh_dispatch_model

    assert refresh_dispatch_model.apply().get() == {"refreshed": False}  # nothing kept yet
    dispatch.learn_from_closed([("中山路井盖缺失", "城管局", "GD-1")])
    assert refresh_dispatch_model.apply().get() == {"refreshed": False}  # one unit: nothing to learn yet
    dispatch.learn_from_closed([(text, unit, f"GD-{n + 2}") for n, (text, unit) in enumerate(history())])
    done = refresh_dispatch_model.apply().get()
    assert done["refreshed"] and done["version"] == 1 and done["examples"] == len(history()) + 1
    assert refresh_dispatch_model.apply().get() == {"refreshed": False}  # the same run twice does nothing
    assert dispatch.suggest("解放路垃圾堆积好几天没人清运")[0].unit_name == "东兴市城市管理综合执法局"


def test_a_closed_order_without_text_or_unit_is_refused(dongxing):
    with pytest.raises(ValidationError):
        dispatch.learn_from_closed([("", "城管局")])
    assert not DispatchExample.objects.exists()


def test_orders_sharing_no_word_cannot_be_learnt_and_say_so(dongxing):
    with pytest.raises(ValidationError, match="没有共同的词"):
        dispatch.learn([("油烟", "城管局"), ("占道", "城管局"), ("欠薪", "人社局"), ("社保", "人社局")])
    assert not DispatchExample.objects.exists()
