"""The text model behind the dispatch suggestion: which units most likely answer for a work order,
from its words. No Django here: the dispatch module stores and loads it.

- Terms: the text NFKC-normalised, lower-cased, digits folded to 0; words from rjieba (the Rust port of
  jieba, whose dictionary ships inside the wheel) as unigrams and bigrams, plus character 1–3-grams
  (they carry what the segmenter splits wrongly: place names, 没人修, typos). The practice of Chinese
  hotline routing research — TF-IDF over segmented words and characters with a linear or naive-Bayes
  classifier (Wang et al., 数据分析与知识发现 2020(6) on mayors' mailboxes) — is what is followed here.
- Weights: TF-IDF with sublinear tf and l2 norm (scikit-learn's TfidfVectorizer at learning time).
- Classifier: complement naive Bayes (Rennie et al. 2003; scikit-learn's ComplementNB), chosen by
  measuring (docs/dispatch.md): as accurate in the top three as a linear SVM or logistic regression on
  our sample, more robust to unseen phrasings, and learnt from 100,000 orders in under a second.
- Scores: softmax of the classifier's joint log-likelihoods times a factor fitted on a held-out tenth
  of the orders (temperature scaling, Guo et al. 2017), so "0.62" reads as about 62 % likely.

What is stored is plain arrays and a word list (`to_arrays` / `from_arrays`), never a pickled object:
suggesting a unit needs numpy and rjieba but not scikit-learn, which is imported only to learn."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import rjieba

MAX_TEXT = 2000          # characters of an order that count: the rest is usually a pasted reply
MAX_FEATURES = 120_000   # terms kept (most frequent first); the stored weights are terms × units
MIN_DF = 2               # a term seen in one order only says nothing about the next one
ALPHA = 1.0              # ComplementNB smoothing (measured: docs/dispatch.md)
HOLDOUT_SHARE = 0.1      # orders held out to fit the score temperature and report held-out accuracy
HOLDOUT_MIN = 50         # fewer orders than this: no held-out part, temperature 1

_DIGITS = re.compile(r"\d")
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")[:MAX_TEXT].lower()
    return _DIGITS.sub("0", text)


def terms(text: str) -> list[str]:
    """Every term of one order: words, word pairs ("a b") and character n-grams ("#abc")."""
    text = normalise(text)
    words = [w for w in rjieba.cut(text) if not _NON_WORD.fullmatch(w) and w.strip()]
    out = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    for segment in _NON_WORD.split(text):
        n = len(segment)
        out.extend(f"#{segment[i:i + size]}" for size in (1, 2, 3) for i in range(n - size + 1))
    return out


def digest(text: str) -> int:
    """A 63-bit fingerprint of an order's normalised words, to tell orders already learnt from."""
    import hashlib

    key = " ".join(_NON_WORD.split(normalise(text))).strip()
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


@dataclass
class Ranked:
    unit: int                # index into TextModel.units
    score: float             # calibrated probability
    terms: list[str]         # the words that pushed this unit up most


class TextModel:
    """Vocabulary (term → column), idf per term, weights terms × units, the units' names and counts."""

    def __init__(self, *, vocabulary: Sequence[str], idf: np.ndarray, weights: np.ndarray,
                 units: Sequence[str], counts: Sequence[int], temperature: float = 1.0):
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        # Each term's weight over the units' mean: what a term says for one unit against the others.
        self.lift = self.weights - self.weights.mean(axis=1, keepdims=True)
        self.units = list(units)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.temperature = float(temperature)

    # --- features ---------------------------------------------------------------------------------
    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The order's TF-IDF vector as (columns, values), as TfidfVectorizer(sublinear_tf) makes it."""
        counted = Counter(i for i in map(self.index.get, terms(text)) if i is not None)
        if not counted:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        columns = np.fromiter(counted.keys(), dtype=np.int64, count=len(counted))
        values = (1.0 + np.log(np.fromiter(counted.values(), dtype=np.float32, count=len(counted))))
        values *= self.idf[columns]
        values /= np.sqrt(np.dot(values, values))
        return columns, values

    def likelihoods(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        return values @ self.weights[columns]

    def probabilities(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        if len(columns) == 0:  # not one known term: the units by how often they answered orders
            return self.counts / self.counts.sum()
        return softmax(self.likelihoods(columns, values) * self.temperature)

    # --- ranking ----------------------------------------------------------------------------------
    def rank(self, text: str, *, k: int = 3, explain: int = 3, exclude: Iterable[int] = ()) -> list[Ranked]:
        columns, values = self.vector(text)
        probabilities = self.probabilities(columns, values)
        excluded = set(exclude)
        order = [int(i) for i in np.argsort(-probabilities, kind="stable") if int(i) not in excluded][:k]
        ranked = []
        for unit in order:
            why: list[str] = []
            if len(columns) and explain:
                push = values * self.lift[columns, unit]
                best = np.argsort(-push)[: explain * 4]
                strong = push[best[0]] / 4 if len(best) else 0.0
                why = _readable([self.vocabulary[columns[i]] for i in best if push[i] > strong > 0], explain)
            ranked.append(Ranked(unit=unit, score=float(probabilities[unit]), terms=why))
        return ranked

    def top(self, texts: Iterable[str], k: int = 3) -> list[list[int]]:
        out = []
        for text in texts:
            probabilities = self.probabilities(*self.vector(text))
            out.append([int(i) for i in np.argsort(-probabilities, kind="stable")[:k]])
        return out

    # --- storage ----------------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"idf": self.idf, "weights": self.weights, "counts": self.counts,
                "temperature": np.array([self.temperature], dtype=np.float64)}

    @classmethod
    def from_arrays(cls, arrays, *, vocabulary: Sequence[str], units: Sequence[str]) -> TextModel:
        model = cls(vocabulary=vocabulary, idf=arrays["idf"], weights=arrays["weights"], units=units,
                    counts=arrays["counts"], temperature=float(arrays["temperature"][0]))
        if model.weights.shape != (len(model.vocabulary), len(model.units)) or len(model.idf) != len(model.vocabulary):
            raise ValueError("stored dispatch model is inconsistent: weights, vocabulary and units disagree")
        return model


def _readable(found: list[str], n: int) -> list[str]:
    """Up to n words for people; character n-grams only when no word qualifies."""
    words = [t for t in found if not t.startswith("#") and " " not in t]
    chosen: list[str] = []
    for term in words or found:
        shown = term.lstrip("#").replace(" ", "")
        if len(shown) > 1 and not any(shown in c or c in shown for c in chosen):
            chosen.append(shown)
        if len(chosen) == n:
            break
    return chosen


def softmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class Learnt:
    model: TextModel
    holdout_n: int
    holdout_top1: float | None
    holdout_top3: float | None


def learn(texts: Sequence[str], labels: Sequence[str], *, progress: Callable[[int], None] | None = None,
          seed: int = 0, max_features: int = MAX_FEATURES) -> Learnt:
    """Learn from orders (`texts`) and the units that answered them (`labels`, at least two units).

    A tenth of the orders (when there are at least HOLDOUT_MIN) is held out first to fit the score
    temperature and report held-out top-1/top-3 accuracy; the model kept is then learnt from all."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import ComplementNB

    units = sorted(set(labels))
    if len(units) < 2:
        raise ValueError("at least two units are needed to learn from")
    y = _codes(labels, units)

    def analysed(text: str) -> list[str]:
        if progress:
            progress(1)
        return terms(text)

    vectorizer = TfidfVectorizer(analyzer=analysed, sublinear_tf=True, min_df=min(MIN_DF, len(texts)),
                                 max_features=max_features, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    vocabulary = [""] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        vocabulary[column] = term
    counts = np.bincount(y, minlength=len(units)).tolist()

    temperature, holdout_n, top1, top3 = 1.0, 0, None, None
    if len(texts) >= HOLDOUT_MIN:
        rng = np.random.default_rng(seed)
        held = rng.random(len(texts)) < HOLDOUT_SHARE
        part = ComplementNB(alpha=ALPHA).fit(matrix[~held], y[~held])
        if part.classes_.size == len(units) and held.any():
            scores = np.asarray(matrix[held] @ part.feature_log_prob_.T)
            temperature = _fit_temperature(scores, y[held])
            best = np.argsort(-scores, axis=1)[:, :3]
            holdout_n = int(held.sum())
            top1 = float(np.mean(best[:, 0] == y[held]))
            top3 = float(np.mean((best == y[held][:, None]).any(axis=1)))
    classifier = ComplementNB(alpha=ALPHA).fit(matrix, y)
    model = TextModel(vocabulary=vocabulary, idf=vectorizer.idf_, weights=classifier.feature_log_prob_.T,
                      units=units, counts=counts, temperature=temperature)
    return Learnt(model=model, holdout_n=holdout_n, holdout_top1=top1, holdout_top3=top3)


def _codes(labels: Sequence[str], units: list[str]) -> np.ndarray:
    position = {u: i for i, u in enumerate(units)}
    return np.fromiter((position[u] for u in labels), dtype=np.int64, count=len(labels))


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The factor t minimising the negative log-likelihood of softmax(t·scores) on held-out orders."""
    def loss(t: float) -> float:
        z = scores * t
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(truth)), truth]))

    low, high = math.log(1e-3), math.log(1e3)  # golden-section search on log t
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if loss(math.exp(a)) < loss(math.exp(b)):
            high = b
        else:
            low = a
    return math.exp((low + high) / 2)
