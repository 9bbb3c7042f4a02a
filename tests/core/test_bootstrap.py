"""`onewindow init`: create or upgrade the database and load the sample catalog; running it twice
changes nothing the second time."""

import pytest
from django.apps import apps

from onewindow.cli import main
from onewindow.ops import bootstrap

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in {"orgs", "calendar", "catalog", "audit"}}


def test_init_twice_changes_nothing_the_second_time(capsys):
    assert main(["init"]) == 0
    first = _counts()
    assert first["catalog.Item"] >= 40 and first["calendar.CalendarYear"] >= 23
    from onewindow.catalog.models import Item

    versions = dict(Item.objects.values_list("code", "version"))
    out_first = capsys.readouterr().out
    assert "事项目录 catalog" in out_first

    assert main(["init"]) == 0
    assert _counts() == first
    assert dict(Item.objects.values_list("code", "version")) == versions
    assert "新增 0" in capsys.readouterr().out


def test_init_without_sample_loads_only_the_calendar():
    report = bootstrap.init(with_sample_catalog=False)
    from onewindow.calendar.models import CalendarYear
    from onewindow.catalog.models import Item

    assert CalendarYear.objects.exists() and not Item.objects.exists()
    assert any("calendar" in line for line in report)


def test_demo_accounts_and_history_are_loaded_once():
    bootstrap.init(with_sample_catalog=True)
    first = bootstrap.load_demo(history_size=200)
    from onewindow.cases.models import Case
    from onewindow.projects.models import Project

    history = Case.objects.filter(project__isnull=True)  # the sample projects' cases come on top
    assert history.count() == 200 and Project.objects.count() == 10
    project_cases = Case.objects.filter(project__isnull=False).count()
    bootstrap.load_demo(history_size=200)
    assert history.count() == 200 and Case.objects.filter(project__isnull=False).count() == project_cases
    assert any("demo accounts" in line for line in first)


def test_a_bad_setting_value_is_refused_with_its_name(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from onewindow import settings as project_settings

    monkeypatch.setenv("ONEWINDOW_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_DEBUG"):
        project_settings.envbool("DEBUG", "false")
    monkeypatch.setenv("ONEWINDOW_DB_CONN_MAX_AGE", "soon")
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_DB_CONN_MAX_AGE"):
        project_settings.envint("DB_CONN_MAX_AGE", "60")
