"""Shared core of evaluate.py and calibrate.py: labels, one audit pass, metrics.

Pure functions over plain data, so tests can check them on hand-built labels.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

#: Which label column judges which rule(s). Derived labels (``sharp_env``,
#: ``no_face``, ``multiple_faces``) are computed by :func:`derived_labels`.
#: The one table of this fact.
LABEL_RULES: Dict[str, Tuple[str, ...]] = {
    "busy": ("busy-background",),
    "pattern": ("patterned-background",),
    "backlit": ("backlit-subject",),
    "camouflage": ("clothing-camouflage",),
    "text_logo": ("text-or-logo",),
    "low_contrast": ("small-size-contrast",),
    "white_bg": ("white-background-clipping",),
    "sharp_env": ("unblurred-environment",),
    "no_face": ("no-face",),
    "multiple_faces": ("multiple-faces",),
}
#: bg_kind values that mean "an environment that is not blurred".
SHARP_KINDS = frozenset({"sharp-env", "outdoor-sharp"})
VERDICTS = ("good", "fair", "poor")


@dataclass(frozen=True)
class Counts:
    """Confusion counts of one binary rule against one label."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else float("nan")

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)


def count(truth: Sequence[bool], predicted: Sequence[bool]) -> Counts:
    """Confusion counts of two equally long boolean sequences."""
    if len(truth) != len(predicted):
        raise ValueError(f"truth and predicted differ in length: {len(truth)} != {len(predicted)}")
    tp = sum(t and p for t, p in zip(truth, predicted))
    fp = sum((not t) and p for t, p in zip(truth, predicted))
    fn = sum(t and not p for t, p in zip(truth, predicted))
    return Counts(tp, fp, fn, len(truth) - tp - fp - fn)


def human_ceiling(photos: Path, label: str) -> Tuple[float, int]:
    """(F1 or agreement, pairs) of one rater against the other two where those two agree,
    pooled over every photo and rater of ``photos/ratings.csv``: how well a careful person
    reproduces the consensus. Binary labels give F1; ``verdict`` gives agreement. NaN when
    the folder has no ratings."""
    path = photos / "ratings.csv"
    if not path.is_file():
        return float("nan"), 0
    by_file: Dict[str, List[str]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get(label, "") != "":
                by_file.setdefault(row["file"], []).append(row[label])
    one: List[str] = []
    others: List[str] = []
    for votes in by_file.values():
        if len(votes) != 3:
            continue
        for i in range(3):
            a, b = (votes[j] for j in range(3) if j != i)
            if a == b:
                one.append(votes[i])
                others.append(a)
    if label == "verdict":
        return (sum(x == y for x, y in zip(one, others)) / len(one) if one else float("nan")), len(one)
    return count([x == "1" for x in others], [x == "1" for x in one]).f1, len(one)


def feature_cache(photos: Path, files: Sequence[str], stem: str) -> Path:
    """A pickle in the temp folder for features measured on ``files`` of ``photos``, keyed by
    their names and sizes, so a changed photo set never reads another set's features."""
    key = hashlib.sha256("\n".join(f"{n}:{(photos / n).stat().st_size}" for n in files).encode()).hexdigest()
    return Path(tempfile.gettempdir()) / f"{stem}-{key[:16]}.pkl"


def auc(values, truth, missing: str = "drop") -> float:
    """Probability that a positive photo's value exceeds a negative one's (ties count half), in
    [0, 1]: 0.5 is no separation. NaN values (photos a measure could not judge) are dropped, or
    with ``missing="lowest"`` ranked below every value (not flagged, as the rules count them)."""
    import numpy as np

    v, y = np.asarray(values, float), np.asarray(truth, bool)
    if missing == "lowest":
        v = np.where(np.isnan(v), -np.inf, v)
    else:
        v, y = v[~np.isnan(v)], y[~np.isnan(v)]
    pos, neg = v[y], v[~y]
    return float(((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (len(pos) * len(neg)))


def read_labels(photos: Path) -> List[Dict[str, str]]:
    """Rows of ``photos/labels.csv`` (schema in ``shared/photos/README.md``), with derived labels."""
    with open(photos / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row.update(derived_labels(row))
    return rows


def derived_labels(row: Mapping[str, str]) -> Dict[str, str]:
    """Labels the CSV implies but does not hold as columns."""
    try:
        faces = int(row.get("faces") or 0)
    except ValueError:
        faces = 0
    return {
        "sharp_env": "1" if row.get("bg_kind") in SHARP_KINDS else "0",
        "no_face": "1" if faces == 0 else "0",
        "multiple_faces": "1" if faces >= 2 else "0",
    }


@dataclass(frozen=True)
class PhotoResult:
    """What one audit said about one photo, reduced to what evaluation needs."""

    file: str
    score: Optional[float]
    flagged: Mapping[str, str]  #: rule name -> severity of its finding
    values: Mapping[str, float]  #: rule name -> the native value the rule judges
    skipped: Tuple[str, ...]  #: rule names that could not judge the photo
    seconds: float


def run_audits(photos: Path, files: Iterable[str], pack: str = "default",
               progress: Optional[Callable[[int], None]] = None) -> List[PhotoResult]:
    """Audit every file once with every rule of ``pack`` selected."""
    from headshot_lint.engine import audit
    from headshot_lint.rules import load_pack

    rp = load_pack(pack)
    rules = rp.select(["ALL"])
    results = []
    for i, name in enumerate(files):
        t0 = time.perf_counter()
        report = audit(photos / name, rules=rules)
        dt = time.perf_counter() - t0
        values = {}
        for rule in rules:
            m = report.measurements.get(rule.measure)
            if m is not None and rule.value in m.values:
                values[rule.name] = float(m.values[rule.value])
        results.append(PhotoResult(name, report.score, {f.rule: f.severity for f in report.findings}, values,
                                   tuple(s.rule for s in report.skipped), dt))
        if progress:
            progress(i)
    return results


def verdict_of(score: Optional[float]) -> str:
    """good / fair / poor of an overall score (bands defined in the package)."""
    from headshot_lint.model import verdict_of as _v

    return _v(score)


def confusion(truth: Sequence[str], predicted: Sequence[str], classes: Sequence[str] = VERDICTS
              ) -> Dict[str, Dict[str, int]]:
    """table[true][predicted] = count."""
    table = {t: {p: 0 for p in classes} for t in classes}
    for t, p in zip(truth, predicted):
        if t in table and p in table[t]:
            table[t][p] += 1
    return table


# -- calibration ----------------------------------------------------------------

def sweep(values: Sequence[float], truth: Sequence[bool], higher_is_worse: bool
          ) -> List[Tuple[float, Counts]]:
    """Counts at every candidate threshold (each distinct value), best-first order kept."""
    candidates = sorted(set(v for v in values if not math.isnan(v)))
    points = []
    for t in candidates:
        pred = [(v >= t) if higher_is_worse else (v <= t) for v in values]
        points.append((t, count(truth, pred)))
    return points


def best_threshold(values: Sequence[float], truth: Sequence[bool], higher_is_worse: bool
                   ) -> Tuple[float, Counts]:
    """Threshold with the best F1 (ties: the most conservative, i.e. fewest positives),
    placed halfway to the next value so it does not sit on a training photo."""
    points = sweep(values, truth, higher_is_worse)
    if not points:
        return float("nan"), Counts()
    best_i = max(range(len(points)), key=lambda i: (_nan0(points[i][1].f1), -(points[i][1].tp + points[i][1].fp)))
    t, c = points[best_i]
    neighbour = points[best_i - 1][0] if higher_is_worse and best_i > 0 else (
        points[best_i + 1][0] if not higher_is_worse and best_i + 1 < len(points) else t)
    return (t + neighbour) / 2 if neighbour != t else t, c


def recall_leaning_threshold(values: Sequence[float], truth: Sequence[bool], higher_is_worse: bool,
                             slack: float) -> Tuple[float, Counts]:
    """The threshold that flags the most photos among those whose F1 is within ``slack`` of the
    best (``slack`` 0 is :func:`best_threshold`): where the F1 curve is flat, a missed problem
    costs the user more than one more warning. Placed halfway to the next value."""
    points = sweep(values, truth, higher_is_worse)
    if not points:
        return float("nan"), Counts()
    top = max(_nan0(c.f1) for _, c in points)
    best_i = max((i for i in range(len(points)) if _nan0(points[i][1].f1) >= top - slack - 1e-12),
                 key=lambda i: (points[i][1].tp + points[i][1].fp, _nan0(points[i][1].f1)))
    t, c = points[best_i]
    neighbour = points[best_i - 1][0] if higher_is_worse and best_i > 0 else (
        points[best_i + 1][0] if not higher_is_worse and best_i + 1 < len(points) else t)
    return (t + neighbour) / 2 if neighbour != t else t, c


def stratified_folds(truth: Sequence[bool], k: int = 5, seed: int = 0) -> List[List[int]]:
    """``k`` folds of indices, positives and negatives shuffled (``seed``) and dealt in turn."""
    rng = random.Random(seed)
    pos = [i for i, t in enumerate(truth) if t]
    neg = [i for i, t in enumerate(truth) if not t]
    rng.shuffle(pos)
    rng.shuffle(neg)
    folds: List[List[int]] = [[] for _ in range(k)]
    for j, i in enumerate(pos + neg):
        folds[j % k].append(i)
    return folds


def cross_validate(values: Sequence[float], truth: Sequence[bool], higher_is_worse: bool, k: int = 5,
                   seed: int = 0) -> Tuple[Counts, List[float]]:
    """Stratified k-fold: pick the threshold on k-1 folds, count on the held-out fold.

    Returns the pooled held-out counts and the k chosen thresholds (their spread shows
    how stable the calibration is).
    """
    total, thresholds = Counts(), []
    for fold in stratified_folds(truth, k, seed):
        held = set(fold)
        train = [i for i in range(len(values)) if i not in held]
        t, _ = best_threshold([values[i] for i in train], [truth[i] for i in train], higher_is_worse)
        thresholds.append(t)
        test = sorted(held)
        pred = [(values[i] >= t) if higher_is_worse else (values[i] <= t) for i in test]
        total = total + count([truth[i] for i in test], pred)
    return total, thresholds


def nested_choice(truth: Sequence[bool], preds: Mapping[str, Sequence[bool]], options: Sequence[str], k: int = 5,
                  seed: int = 0) -> Tuple[Counts, List[str], List[bool]]:
    """Stratified k-fold choice among fixed decision rules: in each fold the option with the best
    F1 on the other folds (the earlier of equals) decides the held-out photos. Returns the pooled
    held-out counts, the option chosen per fold and the held-out decisions."""
    pooled, chosen, out = Counts(), [], [False] * len(truth)
    for fold in stratified_folds(truth, k, seed):
        held = set(fold)
        train = [i for i in range(len(truth)) if i not in held]
        best = max(options, key=lambda o: (count([truth[i] for i in train], [preds[o][i] for i in train]).f1,
                                           -list(options).index(o)))
        chosen.append(best)
        pooled = pooled + count([truth[i] for i in fold], [preds[best][i] for i in fold])
        for i in fold:
            out[i] = preds[best][i]
    return pooled, chosen, out


def bootstrap_f1(truth: Sequence[bool], predicted: Sequence[bool], n: int = 2000, seed: int = 0,
                 level: float = 0.95) -> Tuple[float, float]:
    """Percentile bootstrap interval of F1, ``level`` coverage, over photos drawn with replacement.

    Says how much an F1 figure would move on another sample of the same kind of photos:
    with 30-40 positives one photo moves F1 by 0.01-0.03 and the 95 % interval reaches
    0.06-0.13 either side, so a difference of 0.02 between two detectors is no evidence.
    Resamples without a positive or a prediction (F1 undefined) count as 0.
    """
    rng = random.Random(seed)
    m = len(truth)
    if m == 0:
        return float("nan"), float("nan")
    cells = [(bool(t), bool(p)) for t, p in zip(truth, predicted)]
    scores = []
    for _ in range(n):
        tp = fp = fn = 0
        for t, p in (cells[rng.randrange(m)] for _ in range(m)):
            tp += t and p
            fp += p and not t
            fn += t and not p
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    scores.sort()
    tail = (1.0 - level) / 2
    return scores[int(tail * (n - 1))], scores[int(round((1.0 - tail) * (n - 1)))]


def _nan0(x: float) -> float:
    return 0.0 if math.isnan(x) else x


def fmt(x: float) -> str:
    """Three decimals, or an en dash for an undefined ratio."""
    return "–" if isinstance(x, float) and math.isnan(x) else f"{x:.3f}"
