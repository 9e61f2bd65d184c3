"""The evaluation harness computes the right figures on hand-built labels."""

from __future__ import annotations

import math

import numpy as np

import pytest

from benchmarks._evaluation import (
    Counts, auc, best_threshold, bootstrap_f1, confusion, count, cross_validate, derived_labels, read_labels, sweep,
)


def test_counts_precision_recall_f1_by_hand():
    """3 TP, 1 FP, 2 FN, 4 TN: P = 0.75, R = 0.6, F1 = 2/3."""
    truth = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    pred = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    c = count([bool(t) for t in truth], [bool(p) for p in pred])
    assert (c.tp, c.fp, c.fn, c.tn) == (3, 1, 2, 4)
    assert c.precision == pytest.approx(0.75)
    assert c.recall == pytest.approx(0.6)
    assert c.f1 == pytest.approx(2 / 3)


def test_undefined_ratios_are_nan_not_zero():
    """No positives predicted: precision is undefined, not 0 or 1."""
    c = Counts(tp=0, fp=0, fn=3, tn=5)
    assert math.isnan(c.precision) and c.recall == 0.0


def test_best_threshold_separates_a_separable_set():
    """Values that split cleanly give F1 = 1 with a threshold between the groups."""
    values = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0]
    truth = [False, False, False, True, True, True]
    t, c = best_threshold(values, truth, higher_is_worse=True)
    assert 3.0 < t <= 10.0 and c.f1 == 1.0
    t, c = best_threshold([-v for v in values], truth, higher_is_worse=False)
    assert -10.0 <= t < -3.0 and c.f1 == 1.0


def test_sweep_is_monotonic_in_flagged_count():
    """Raising a higher-is-worse threshold never flags more photos."""
    values = [0.1, 0.5, 0.2, 0.9, 0.4, 0.7]
    truth = [False, True, False, True, False, True]
    flagged = [c.tp + c.fp for _, c in sweep(values, truth, True)]
    assert flagged == sorted(flagged, reverse=True)


def test_cross_validation_pools_every_photo_once():
    """k-fold held-out counts add up to the whole set; a separable set stays perfect."""
    values = [float(i) for i in range(40)]
    truth = [v >= 20 for v in values]
    cv, thresholds = cross_validate(values, truth, True, k=5)
    assert cv.tp + cv.fp + cv.fn + cv.tn == 40
    assert len(thresholds) == 5 and cv.f1 == 1.0


def test_read_labels_derives_sharp_env_and_face_labels(tmp_path):
    """A hand-built labels.csv: bg_kind sharp-env gives sharp_env = 1; faces 0 / 2 give the face labels."""
    header = ("file,repo,commit,path,license,faces,bg_kind,busy,pattern,backlit,camouflage,text_logo,"
              "low_contrast,white_bg,bg_tone,skin,verdict,notes")
    rows = ["a.jpg,r,c,p,MIT,1,sharp-env,1,0,0,0,0,0,0,grey,light,poor,",
            "b.jpg,r,c,p,MIT,0,studio-plain,0,0,0,0,0,0,1,white,n/a,fair,",
            "c.jpg,r,c,p,MIT,2,outdoor-blurred,0,0,0,0,0,0,0,green,dark,good,"]
    (tmp_path / "labels.csv").write_text("\n".join([header] + rows) + "\n", encoding="utf-8")
    got = read_labels(tmp_path)
    assert [r["sharp_env"] for r in got] == ["1", "0", "0"]
    assert [r["no_face"] for r in got] == ["0", "1", "0"]
    assert [r["multiple_faces"] for r in got] == ["0", "0", "1"]
    assert derived_labels({"bg_kind": "outdoor-sharp", "faces": "1"})["sharp_env"] == "1"


def test_confusion_table_counts_verdicts():
    """table[true][predicted]."""
    t = confusion(["good", "good", "poor"], ["good", "fair", "poor"])
    assert t["good"] == {"good": 1, "fair": 1, "poor": 0} and t["poor"]["poor"] == 1


def test_bootstrap_interval_contains_f1_and_narrows_with_more_photos():
    """The 95 % interval holds the point F1, is degenerate for a perfect rule, and shrinks as photos are added."""
    truth = [True] * 10 + [False] * 30
    pred = [True] * 7 + [False] * 3 + [True] * 3 + [False] * 27  # F1 = 14 / 20 = 0.7
    lo, hi = bootstrap_f1(truth, pred, n=500)
    assert lo < 0.7 < hi
    big_lo, big_hi = bootstrap_f1(truth * 10, pred * 10, n=500)
    assert big_lo < 0.7 < big_hi and big_hi - big_lo < (hi - lo) / 2
    assert bootstrap_f1(truth, truth, n=200) == (1.0, 1.0)


def test_feature_ceiling_collects_every_value_of_every_measure(tmp_path):
    """The ceiling script sees what the rules see: each rule's judged value is one of its columns."""
    import cv2
    from skimage import data

    from benchmarks.feature_ceiling import collect

    cv2.imwrite(str(tmp_path / "a.jpg"), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(tmp_path / "plain.png"), np.full((200, 160, 3), 128, np.uint8))  # no face: values missing
    x, names, judged, rules = collect(tmp_path, ["a.jpg", "plain.png"])
    assert x.shape == (2, len(names)) and len(names) > 40
    assert not np.isnan(x).any()
    for rule in rules.values():
        column = f"{rule.measure}.{rule.value}"
        if rule.measure != "load" and not math.isnan(judged[rule.name][0]):
            assert x[0, names.index(column)] == judged[rule.name][0], rule.name
    assert (x[1] == -1.0).any(), "a photo without a face must have missing (-1) values"


def test_label_agreement_kappa_and_prevalence_by_hand():
    """Cohen's kappa is 1 for identical raters and 0 for chance agreement; F1 carried to the
    sample's own prevalence is the sample's F1, and to a rarer label it is lower (precision
    falls), which is why the agreement table reports both."""
    from benchmarks._evaluation import Counts
    from benchmarks.label_agreement import f1_at_prevalence, kappa

    assert kappa(Counts(tp=16, fp=0, fn=0, tn=24)) == pytest.approx(1.0)
    assert kappa(Counts(tp=10, fp=10, fn=10, tn=10)) == pytest.approx(0.0)
    c = Counts(tp=12, fp=9, fn=4, tn=15)
    assert f1_at_prevalence(c, 16 / 40) == pytest.approx(c.f1)
    assert f1_at_prevalence(c, 0.15) < c.f1
    assert f1_at_prevalence(Counts(tp=16, fp=0, fn=0, tn=24), 0.1) == pytest.approx(1.0)


def test_label_agreement_draws_a_stratified_repeatable_sample():
    from benchmarks.label_agreement import NEGATIVES, POSITIVES, draw

    rows = [{"file": f"p{i}.jpg", "busy": "1" if i % 5 == 0 else "0"} for i in range(200)]
    pick = draw(rows, "busy", seed=3)
    assert pick == draw(rows, "busy", seed=3) and pick != draw(rows, "busy", seed=4)
    positives = sum(int(p[1:-4]) % 5 == 0 for p in pick)
    assert (positives, len(pick) - positives) == (POSITIVES, NEGATIVES) and len(set(pick)) == len(pick)


def test_human_ceiling_scores_each_rater_against_the_agreeing_other_two(tmp_path):
    """One rater against the other two where they agree, pooled: photo a (1,1,0) gives the
    dissenter a miss and each agreeing rater a hit (the others split); photo b (0,0,0) three
    true negatives; photo c (1,0,1) likewise one miss. Verdicts give an agreement."""
    from benchmarks._evaluation import human_ceiling

    rows = ["file,rater,busy,verdict", "a,A,1,good", "a,B,1,good", "a,C,0,fair",
            "b,A,0,poor", "b,B,0,poor", "b,C,0,poor", "c,A,1,good", "c,B,0,good", "c,C,1,good"]
    (tmp_path / "ratings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    f1, pairs = human_ceiling(tmp_path, "busy")
    # pairs: a: C judged against A=B=1 (FN); A and B against a split: skipped. b: 3 TN. c: B against 1 (FN).
    assert pairs == 5 and f1 == 0.0
    agreement, n = human_ceiling(tmp_path, "verdict")
    # a: C against good (miss); b: 3 hits; c: 3 hits
    assert n == 7 and abs(agreement - 6 / 7) < 1e-9
    assert human_ceiling(tmp_path / "missing", "busy")[1] == 0


def test_nested_choice_picks_on_the_other_folds_and_judges_every_photo_once():
    """The rule that matches the labels wins every fold; a tie goes to the earlier option; each
    photo is decided once, by the option chosen without it."""
    from benchmarks._evaluation import nested_choice

    truth = [i % 3 == 0 for i in range(30)]
    preds = {"never": [False] * 30, "right": list(truth), "always": [True] * 30}
    pooled, chosen, out = nested_choice(truth, preds, ["never", "right", "always"], k=5, seed=1)
    assert chosen == ["right"] * 5 and out == truth
    assert (pooled.tp, pooled.fp, pooled.fn, pooled.tn) == (10, 0, 0, 20)
    _, chosen, _ = nested_choice(truth, {"a": list(truth), "b": list(truth)}, ["a", "b"])
    assert set(chosen) == {"a"}


def test_auc_counts_ties_half_and_unjudged_photos_as_dropped_or_lowest():
    assert auc([3, 2, 1, 0], [True, True, False, False]) == 1.0
    assert auc([0, 1, 2, 3], [True, True, False, False]) == 0.0
    assert auc([1, 1, 1, 1], [True, False, True, False]) == 0.5
    nan = float("nan")
    # a photo the measure could not judge: dropped, or ranked below every value (not flagged)
    assert auc([2, nan, 1, 0], [True, True, False, False]) == 1.0
    assert auc([2, nan, 1, 0], [True, True, False, False], missing="lowest") == 0.5
