"""The text model scores an order exactly as scikit-learn's TfidfVectorizer + ComplementNB would,
from stored arrays alone."""

import numpy as np

from onewindow.complaints import textmodel

from .fixtures import held_out, history


def test_own_vectorising_and_scoring_equal_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import ComplementNB

    texts, units = zip(*history(), strict=True)
    model = textmodel.learn(list(texts), list(units)).model
    vectorizer = TfidfVectorizer(analyzer=textmodel.terms, sublinear_tf=True, min_df=2, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    classifier = ComplementNB(alpha=textmodel.ALPHA).fit(matrix, [model.units.index(u) for u in units])
    for text, _unit in held_out():
        expected = (vectorizer.transform([text]) @ classifier.feature_log_prob_.T)[0]
        columns, values = model.vector(text)
        assert np.allclose(model.likelihoods(columns, values), expected, rtol=1e-4)


def test_terms_are_words_word_pairs_and_character_ngrams_with_digits_folded():
    found = textmodel.terms("路灯坏了3个月！")
    assert "路灯" in found and "#灯坏" in found and "#0" in found
    assert any(" " in t for t in found)  # word pairs
    assert "！" not in "".join(found)


def test_round_trip_through_arrays_keeps_the_ranking():
    texts, units = zip(*history(), strict=True)
    model = textmodel.learn(list(texts), list(units)).model
    again = textmodel.TextModel.from_arrays(model.to_arrays(), vocabulary=model.vocabulary, units=model.units)
    assert again.top([t for t, _u in held_out()]) == model.top([t for t, _u in held_out()])


def test_temperature_is_fitted_on_held_out_orders_when_there_are_enough():
    from onewindow.complaints import sample

    rows = list(sample.orders(600, seed=5, aliases=0))
    learnt = textmodel.learn([t for t, _ in rows], [u for _, u in rows])
    assert learnt.holdout_n > 30 and learnt.holdout_top3 > 0.8
    assert learnt.model.temperature != 1.0


def test_the_sample_history_is_reproducible_and_holds_phrasings_back():
    from onewindow.complaints import sample

    assert list(sample.orders(50, seed=9)) == list(sample.orders(50, seed=9))
    topic = sample.TOPICS[0]
    assert set(sample._phrasings(topic, "seen")).isdisjoint(sample._phrasings(topic, "unseen"))
    assert set(sample._phrasings(topic, "seen")) | set(sample._phrasings(topic, "unseen")) == set(topic.phrasings)
