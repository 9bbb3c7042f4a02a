"""The learnt model lives in the database: every app server loads it once and picks up a newer one."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest
from django.conf import settings
from django.db import connection

from onewindow.complaints import dispatch
from onewindow.complaints.models import DispatchModel

from .fixtures import csv_bytes, held_out, history

pytestmark = pytest.mark.django_db


def test_the_model_is_stored_as_plain_arrays_and_json_not_pickle(dongxing):
    dispatch.learn(history())
    row = DispatchModel.objects.get()
    with np.load(io.BytesIO(bytes(row.arrays)), allow_pickle=False) as arrays:
        assert set(arrays.files) == {"idf", "weights", "counts", "temperature"}
        assert arrays["weights"].dtype == np.float32 and arrays["weights"].shape == (row.features_count, 4)
    assert row.units_count == 4 and row.examples_count == len(history())
    assert row.quality["n"] > 0 and 0 <= row.quality["top3"] <= 1  # a tenth held out to fit the scores


def test_a_process_loads_the_model_once_and_again_when_a_newer_version_is_saved(dongxing, django_assert_num_queries):
    dispatch.learn(history())
    dispatch.suggest("油烟扰民")
    first = dispatch._loaded
    with django_assert_num_queries(1):  # only "which version is newest?"
        dispatch.suggest("占道经营")
    assert dispatch._loaded is first and first.version == 1
    dispatch.learn(held_out())  # as another server would
    dispatch.suggest("占道经营")
    assert dispatch._loaded.version == 2 and dispatch._loaded.examples_count == len(history()) + len(held_out())


def test_a_corrupt_model_row_is_refused_not_trusted(dongxing):
    dispatch.learn(history())
    DispatchModel.objects.update(vocabulary='["only one term"]')
    with pytest.raises(ValueError, match="inconsistent"):
        dispatch.suggest("油烟")


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="another process needs a database it can reach (the SQLite test database is in memory)")
def test_another_process_learns_and_this_one_picks_the_new_version_up(transactional_db, tmp_path):
    from onewindow.orgs.sample import load_sample_orgs

    load_sample_orgs()
    dispatch.learn(history())
    assert dispatch.suggest("油烟")[0].unit_name == "东兴市城市管理综合执法局" and dispatch._loaded.version == 1
    path = tmp_path / "more.csv"
    path.write_bytes(csv_bytes([("北仑大道工地夜间施工噪音大", "东兴市住房和城乡建设局"),
                                ("中山路工地凌晨还在打桩", "东兴市住房和城乡建设局"),
                                ("建设路工地施工扬尘很大", "东兴市住房和城乡建设局")]))
    db = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONEWINDOW_")}
    env.update({"ONEWINDOW_DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                                          f"{db['PORT'] or 5432}/{db['NAME']}",
                "ONEWINDOW_DATA_DIR": str(tmp_path), "ONEWINDOW_SECRET_KEY": "dispatch-test"})
    onewindow = os.path.join(os.path.dirname(sys.executable), "onewindow")
    learnt = subprocess.run([onewindow, "complaints", "learn", str(path)], env=env, capture_output=True, text=True,
                            timeout=120)
    assert learnt.returncode == 0, learnt.stderr
    assert "v2" in learnt.stdout
    suggestions = dispatch.suggest("兴东路工地晚上施工吵得睡不着")
    assert dispatch._loaded.version == 2 and suggestions[0].unit_name == "东兴市住房和城乡建设局"
    told = subprocess.run([onewindow, "complaints", "suggest", "解放路有人占道经营"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert told.returncode == 0 and told.stdout.startswith("1. 东兴市城市管理综合执法局"), told.stderr
