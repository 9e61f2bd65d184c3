"""Fit the learned heads (HL101 busy, HL102 pattern, HL103 sharp environment, the verdict)
on the background embedding of the labelled photos, and write ``rules/heads/*.json``.

    python benchmarks/fit_heads.py [--photos ../shared/photos] [--cache FILE] [--write]

1. Features: every photo is loaded, analysed upright (as the engine does), run once
   through EfficientNet-Lite0 (``Scene.embedding``) and pooled over its background
   (``measures/_learned.pooled_blocks``); the blocks, and the rule values and rule
   qualities of the default pack, are cached in ``--cache`` (a temp file by default,
   keyed by the photos' names and sizes) so refits take seconds.
2. Each head: standardise, PCA, ridge logistic regression (``benchmarks/_heads.py``);
   the PCA size, the ridge and the threshold are chosen by an inner 5-fold CV. A head in
   ``STACKS`` (busy) gets a second stage: a logistic regression of its out-of-fold log-odds
   beside values its measure reports (the clutter share, the other faces). Printed:
   in-sample figures (everything chosen and fitted on all photos) and nested 5-fold CV
   figures (chosen and fitted without the held-out fold), P/R/F1 with 95 % bootstrap
   intervals, on all photos and on the unanimous ones (agree_<label> == 3).
3. The verdict: a stacker (an ordinal ridge logistic regression over poor < fair < good)
   reads the verdict heads' log-odds (heads on the background blocks and the network's ImageNet
   class scores, ``VERDICT_LAYOUT``) and every rule's quality and gives the overall score
   ``50 * (1 + p_good - p_poor)``; fitted on out-of-fold head log-odds, bands chosen on its
   own out-of-fold scores; nested-CV agreement is printed beside the rule score alone.
4. ``--write`` writes each head (weights over the raw feature layout, the fitted
   threshold, the figures, and the sha256 of labels.csv) to ``rules/heads/<name>.json``.
   The rule files name them (their measures read them); their thresholds are copied to
   the rule TOML by hand, with the figures into its ``calibration`` line. Refit order: all
   heads with ``--write``; then ``--fresh --only verdict --write`` (the verdict reads the rule
   qualities the new heads give), and bands into ``model.py``. About 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import pickle
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks._evaluation import (best_threshold, bootstrap_f1, count, feature_cache,  # noqa: E402
                                    read_labels, stratified_folds)
from benchmarks._heads import choose, fit_head, nested_scores, out_of_fold_logistic  # noqa: E402
from benchmarks._logistic import fit_logistic, fit_ordinal  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

#: The blocks every head reads. Compared by nested CV (F1 busy / pattern / sharp_env): without
#: the final map's spread 0.81 / 0.59 / 0.86; stride 8 and 16 only 0.82 / 0.54 / 0.87; adding the
#: final map over the whole frame, 90th percentiles of the stride 8/16 cells or the rule values:
#: within +-0.02 (noise); input long side 224 / 256 / 448 / 640 px instead of 320: 0.76-0.80 busy.
#: EfficientNet-Lite1 / Lite2 instead of Lite0, or flip averaging: no better (benchmarks/probe_backbone.py).
#: The ImageNet class scores (whole photo, background, person greyed out), joined or as a stacked
#: second head: no better beyond the seed spread (benchmarks/probe_logits.py). The generated
#: composites of fixtures/generate.py as extra training rows (every class or the pattern ones,
#: weighted 0.1-1, blurred or not): no better either (benchmarks/probe_composites.py). For pattern,
#: the background cells' self-similarity in embedding space (mean resultant length of the unit
#: stride-8/16 cell vectors, cosine to the 1- and 2-cell neighbours, the top component's share,
#: log energy; AUC 0.26-0.79, energy highest) as a second stage beside the head: 0.52-0.58 over
#: outer seeds 0-4, alone 0.44-0.48, against the head's 0.58 (a scratch probe, 2026-12-07).
LAYOUT = ("stride8_mean", "stride8_std", "stride16_mean", "stride16_std", "final_mean", "final_std")
#: Second stages: head -> (measure, its values read beside the head's log-odds). busy: nested CV
#: F1 0.84 -> 0.87-0.89 over five fold seeds with the clutter share and the other faces (people
#: right behind the subject are inside the person matte); the same for pattern (periodicity)
#: 0.58 -> 0.47-0.54 and sharp_env (edge evidence) 0.85 -> 0.85: not used there. Multi-task stages
#: (the other labels' heads' out-of-fold log-odds beside, as ``probe_pattern.nested_stage``; outer
#: fold seeds 0-4, 2026-12-07): busy + the sharp_env head 0.854 +- 0.009, + sharp_env and pattern
#: 0.853 +- 0.008, against 0.858 +- 0.010; sharp_env + the busy head 0.855 +- 0.012, + busy and
#: pattern 0.854 +- 0.008, against its head's own stage 0.857 +- 0.011: not used. sharp_env's head
#: stacked on unblurred_environment's values (outer seeds 0-4, 2026-12-07; set STACKS["sharp_env"]):
#: environment_evidence 0.859 (0.850-0.866), sharp_edge_density 0.854 (0.831-0.866), it with
#: orientation_diversity and background_blur_px 0.862 (0.853-0.871), background_blur_px and
#: face_focus 0.857 (0.845-0.871), against the head alone 0.858 (0.846-0.867): not used.
STACKS = {"busy": ("busy_background", ("clutter_fraction", "other_faces"))}
STACK_HEAD_RIDGE = 1.0
#: The verdict heads read the background blocks and the network's 1000 ImageNet class scores of
#: the whole photo (the "what is this picture" the contact sheets of the verdict's errors point
#: at: snapshots, stage shots, babies, profiles people call fair on a plain background). Nested
#: 5-fold agreement of the verdict over outer fold seeds 0-4 (benchmarks/probe_verdict.py):
#: background only 0.763 +- 0.009, with the logits 0.776 +- 0.004 (higher on every seed, by
#: 0.006-0.025); the other inputs tried are in that probe's docstring.
VERDICT_LAYOUT = LAYOUT + ("logits",)
#: The heads: file stem -> (label column, feature layout).
HEADS = {name: (column, layout) for name, column, layout in (
    ("busy", "busy", LAYOUT), ("pattern", "pattern", LAYOUT), ("sharp_env", "sharp_env", LAYOUT),
    ("verdict_good", "verdict=good", VERDICT_LAYOUT), ("verdict_poor", "verdict=poor", VERDICT_LAYOUT))}


# -- features -------------------------------------------------------------------
def measure_all(photos: Path, files: Sequence[str], cache: Path, fresh: bool = False,
                extra_blocks: Callable[[Any, np.ndarray], dict] | None = None) -> dict:
    """Pooled blocks, rule values and rule qualities per photo (cached in ``cache``). Probes pass
    ``extra_blocks`` (feature maps, background mask -> more named blocks) to measure candidate
    inputs beside the shipped ones in the same pass."""
    if cache.is_file() and not fresh:
        with open(cache, "rb") as f:
            data = pickle.load(f)
        if data.get("files") == list(files) and "measured" in data and "logits" in data["blocks"][0]:
            return data
    from headshot_lint.engine import _upright_scene, overall_score
    from headshot_lint.load import load
    from headshot_lint.measures import registry
    from headshot_lint.measures._learned import pooled_blocks
    from headshot_lint.model import NOT_ASSESSABLE
    from headshot_lint.rules import LOAD_MEASURE, load_pack

    rules = load_pack("default").select(["ALL"])
    inputs = {r.name for r in rules if r.input_check}
    fns = registry()
    blocks, values, scores, overall, ms, measured = [], [], [], [], [], []
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        t0, c0 = time.perf_counter(), time.process_time()
        maps = scene.embedding
        ms.append((1000 * (time.perf_counter() - t0), 1000 * (time.process_time() - c0)))
        pooled = pooled_blocks(maps, scene.background_mask)
        if extra_blocks is not None:
            pooled.update(extra_blocks(maps, scene.background_mask))
        blocks.append({k: v.astype(np.float32) for k, v in pooled.items()})
        got, v, q = {}, {}, {}
        for rule in rules:
            if rule.measure == LOAD_MEASURE:
                q[rule.name] = 100.0
                continue
            if rule.measure not in got:
                try:
                    got[rule.measure] = fns[rule.measure](scene)
                except FileNotFoundError:  # a head not written yet: fit, --write, then --fresh
                    got[rule.measure] = None
            m = got[rule.measure]
            if m is None:
                continue
            if m.status != NOT_ASSESSABLE and rule.value in m.values:
                v[rule.name] = float(m.values[rule.value])
                q[rule.name] = rule.score(v[rule.name])
        judged = [s for n, s in q.items() if s < 100.0 or n not in inputs]
        measured.append({f"{m.name}.{k}": float(val) for m in got.values() if m is not None
                         for k, val in m.values.items()})
        values.append(v)
        scores.append(q)
        overall.append(overall_score(judged))
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    complete = all(m is not None for m in got.values())
    data = {"files": list(files), "complete": complete, "blocks": blocks, "values": values, "scores": scores,
            "overall": overall, "embedding_ms": ms, "measured": measured}
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(data, f)
    tmp.replace(cache)
    return data


def matrix(data: dict, layout: Sequence[str]) -> np.ndarray:
    return np.array([np.concatenate([b[k] for k in layout]) for b in data["blocks"]], np.float64)


def truth_of(rows: list[dict], column: str) -> np.ndarray:
    if "=" in column:
        key, want = column.split("=")
        return np.array([r[key] == want for r in rows])
    return np.array([r[column] == "1" for r in rows])


# -- second stage -----------------------------------------------------------------
def supporting(data: dict, measure: str, keys: Sequence[str]) -> np.ndarray:
    """(n, len(keys)) values of ``measure`` per photo (0 where it could not judge)."""
    return np.array([[m.get(f"{measure}.{k}", 0.0) for k in keys] for m in data["measured"]], np.float64)


def _oof_head(x: np.ndarray, y: np.ndarray, rows: np.ndarray, c: int, lam: float) -> np.ndarray:
    """Log-odds of ``rows``, each from the head fitted on the other inner folds of ``rows``."""
    out = np.zeros(len(y))
    idx = np.flatnonzero(rows)
    for fold in stratified_folds(list(y[idx]), 5, 1):
        inner = np.zeros(len(y), bool)
        inner[idx[fold]] = True
        out[inner] = fit_head(x[rows & ~inner], y[rows & ~inner], c, lam).log_odds(x[inner])
    return out


def fit_stacked(x: np.ndarray, y: np.ndarray, supp: np.ndarray, rows: np.ndarray):
    """Head, second stage (bias first) and threshold fitted on ``rows``: the stage is fitted to
    the head's out-of-fold log-odds beside ``supp``, the threshold is the best on the stage's
    own out-of-fold values."""
    c, lam, _ = choose(x[rows], y[rows])
    head = fit_head(x[rows], y[rows], c, lam)
    s = np.c_[_oof_head(x, y, rows, c, lam), supp]
    stage = fit_logistic(s[rows], y[rows].astype(float), STACK_HEAD_RIDGE)
    oof = out_of_fold_logistic(s, y, rows, STACK_HEAD_RIDGE)
    t, _ = best_threshold(list(oof[rows]), list(y[rows]), True)
    return head, stage, t, c, lam


def stacked_value(head, stage: np.ndarray, x: np.ndarray, supp: np.ndarray) -> np.ndarray:
    return stage[0] + np.c_[head.log_odds(x), supp] @ stage[1:]


def nested_stacked(x: np.ndarray, y: np.ndarray, supp: np.ndarray, seed: int = 0) -> np.ndarray:
    """Held-out decisions: head, second stage and threshold fitted without the fold."""
    decided = np.zeros(len(y), bool)
    for fold in stratified_folds(list(y), 5, seed):
        held = np.zeros(len(y), bool)
        held[fold] = True
        head, stage, t, _, _ = fit_stacked(x, y, supp, ~held)
        decided[held] = stacked_value(head, stage, x[held], supp[held]) >= t
    return decided


# -- figures --------------------------------------------------------------------
def figures(y: np.ndarray, decided: np.ndarray, unanimous: np.ndarray) -> dict:
    """P, R, F1 and the F1's 95 % bootstrap interval, on all photos and on the unanimous ones."""
    out = {}
    for part, keep in (("all", np.ones(len(y), bool)), ("unanimous", unanimous)):
        c = count(list(y[keep]), list(decided[keep]))
        lo, hi = bootstrap_f1(list(y[keep]), list(decided[keep]), n=1000)
        out[part] = {"photos": int(keep.sum()), "positives": int(y[keep].sum()), "precision": _r(c.precision),
                     "recall": _r(c.recall), "f1": _r(c.f1), "f1_95": [_r(lo), _r(hi)]}
    return out


def _r(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 3)


def _line(title: str, fig: dict) -> str:
    parts = []
    for part in ("all", "unanimous"):
        f = fig[part]
        parts.append(f"{part} ({f['photos']}, {f['positives']} pos): P {f['precision']} R {f['recall']} "
                     f"F1 {f['f1']} [{f['f1_95'][0]}, {f['f1_95'][1]}]")
    return f"  {title:<10} " + "; ".join(parts)


# -- the verdict ----------------------------------------------------------------
#: Heads whose log-odds the verdict stacker reads, and the rules whose quality comes from a head.
STACK_HEADS = ("verdict_good", "verdict_poor")
#: The verdicts in order, for the ordinal stacker.
VERDICT_ORDER = {"poor": 0, "fair": 1, "good": 2}
RULE_HEADS = {"busy": "busy-background", "pattern": "patterned-background", "sharp_env": "unblurred-environment"}
#: The stacker is one proportional-odds (ordinal) logistic regression: one direction through
#: the inputs and two cut points (poor | fair | good), written as the good and poor weight
#: vectors the engine reads. Nested 5-fold agreement over outer fold seeds 0-2 (the same
#: out-of-fold head log-odds for every variant): two one-vs-rest regressions, ridge 3 / 10 /
#: 30: 0.758 / 0.754 / 0.762; ordinal, ridge 3 / 10 / 30: 0.762 / 0.765 / 0.767 (seed by seed
#: +0.021, +0.009, +0.010 over the former ridge-10 pair; unanimous 0.799 against 0.789); the
#: busy / pattern / sharp_env log-odds as extra inputs: 0.759-0.768, not used.
STACK_RIDGE = 30.0
#: Below, the clip of the head log-odds the stacker reads.
LOG_ODDS_CLIP = 10.0


def best_bands(score: np.ndarray, truth: Sequence[str]) -> tuple[float, float, float]:
    """(good_from, fair_from, agreement) maximising agreement of the banded score with ``truth``;
    whole numbers, as the score is shown rounded down (a band from 66.2 would show 66.1 as
    "66/100 fair" beside 66.3 as "66/100 good")."""
    cuts = np.unique(np.ceil(score))
    truth = np.asarray(truth)
    best = (0.0, 0.0, -1.0)
    for i, good in enumerate(cuts):
        for fair in cuts[:i + 1]:
            agree = float(np.mean(band(score, good, fair) == truth))
            if agree > best[2]:
                best = (float(good), float(fair), agree)
    return best


def band(score: np.ndarray, good: float, fair: float) -> np.ndarray:
    return np.where(score >= good, "good", np.where(score >= fair, "fair", "poor"))


def head_log_odds(x: np.ndarray, labels: dict, train: np.ndarray, test: np.ndarray,
                  targets: dict | None = None) -> dict:
    """Per head: log-odds of the ``train`` rows out of fold (inner 5-fold) and of the ``test``
    rows from the head fitted on all of ``train``; PCA size and ridge chosen on ``train``. A head
    named in ``targets`` is fitted to that target (e.g. the share of raters who gave the label)
    instead of its 0/1 label, which still deals the folds and scores the choice."""
    n = len(train)
    out = {}
    idx = np.flatnonzero(train)
    for name, y in labels.items():
        t = y if targets is None or name not in targets else targets[name]
        c, lam, _ = choose(x[train], y[train], target=None if t is y else t[train])
        lo = np.zeros(n)
        for fold in stratified_folds(list(y[idx]), 5, 1):
            inner = np.zeros(n, bool)
            inner[idx[fold]] = True
            lo[inner] = fit_head(x[train & ~inner], t[train & ~inner], c, lam).log_odds(x[inner])
        if test.any():
            lo[test] = fit_head(x[train], t[train], c, lam).log_odds(x[test])
        out[name] = lo
    return out


def written_stages(data: dict) -> dict:
    """Per learned rule head with a second stage in its written file: a function from the head's
    log-odds to the rule's value (the stage's low-dimensional weights are taken as written)."""
    out = {}
    for head in RULE_HEADS:
        record = json.loads((ROOT / "rules" / "heads" / f"{head}.json").read_text(encoding="utf-8"))
        if "stack" in record:
            measure = STACKS[head][0]
            supp = supporting(data, measure, record["stack"]["inputs"])
            w = np.array(record["stack"]["weights"])
            out[head] = (lambda lo, b=record["stack"]["bias"], w=w, supp=supp: b + np.c_[lo, supp] @ w)
    return out


def stack_design(lo: dict, scores: list[dict], rule_names: Sequence[str], rules: dict,
                 stages: dict | None = None) -> np.ndarray:
    """Stacker inputs: the verdict heads' clipped log-odds, then each rule's quality / 100 (100
    when it did not judge); the learned rules' qualities come from ``lo`` (out of fold),
    through their second stage (``stages``) where they have one."""
    cols = [np.clip(lo[h], -LOG_ODDS_CLIP, LOG_ODDS_CLIP) for h in STACK_HEADS]
    by_rule = {rule: head for head, rule in RULE_HEADS.items()}
    stages = stages or {}
    for name in rule_names:
        if name in by_rule:
            head = by_rule[name]
            value = stages[head](lo[head]) if head in stages else lo[head]
            cols.append(np.array([rules[name].score(v) for v in value]) / 100.0)
        else:
            cols.append(np.array([s.get(name, 100.0) for s in scores]) / 100.0)
    return np.array(cols).T


def fit_stacker(d: np.ndarray, truth: np.ndarray, rows: np.ndarray) -> dict:
    """Weights (bias first) giving P(good) and P(poor) from ``d`` (see ``STACK_RIDGE``): the
    ordinal regression fitted on ``d[rows]``."""
    order = np.array([VERDICT_ORDER[v] for v in truth[rows]])
    good, poor = fit_ordinal(d[rows], order, STACK_RIDGE)
    return {"good": good, "poor": poor}


def stacked_quality(stacker: dict, d: np.ndarray) -> np.ndarray:
    """Learned overall quality in [0, 100]: 50 * (1 + p_good - p_poor)."""
    p = {w: 1.0 / (1.0 + np.exp(-(wts[0] + d @ wts[1:]))) for w, wts in stacker.items()}
    return 50.0 * (1.0 + p["good"] - p["poor"])


def _oof_quality(d: np.ndarray, truth: np.ndarray, rows: np.ndarray, seed: int = 2) -> np.ndarray:
    """Stacked quality of ``rows``, each from a stacker fitted without its fold."""
    q = np.zeros(len(truth))
    idx = np.flatnonzero(rows)
    for fold in stratified_folds(list(truth[idx] == "good"), 5, seed):
        held = np.zeros(len(truth), bool)
        held[idx[fold]] = True
        q[held] = stacked_quality(fit_stacker(d, truth, rows & ~held), d[held])
    return q


def verdict_cap(data: dict, rules: dict, rule_names: Sequence[str]) -> np.ndarray:
    """Per photo the lowest quality of a failed input check (100 when none failed): the engine
    caps the overall score there."""
    inputs = [name for name in rule_names if rules[name].input_check]
    return np.array([min([s.get(k, 100.0) for k in inputs] + [100.0]) for s in data["scores"]])


def all_log_odds(x: np.ndarray, verdict_x: np.ndarray | None, labels: dict, train: np.ndarray,
                 test: np.ndarray) -> dict:
    """:func:`head_log_odds` of every head in ``labels``: the verdict heads (``STACK_HEADS``) on
    ``verdict_x`` (their ``VERDICT_LAYOUT``; ``x`` when None), the rest on ``x``."""
    if verdict_x is None:
        return head_log_odds(x, labels, train, test)
    lo = head_log_odds(x, {h: y for h, y in labels.items() if h not in STACK_HEADS}, train, test)
    lo.update(head_log_odds(verdict_x, {h: y for h, y in labels.items() if h in STACK_HEADS}, train, test))
    return lo


def nested_verdict(x: np.ndarray, labels: dict, truth: np.ndarray, data: dict, rules: dict,
                   rule_names: Sequence[str], stages: dict, cap: np.ndarray, seed: int = 0,
                   log_odds=None, design=None, verdict_x: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Held-out verdicts and scores of every photo: in each of 5 outer folds (shuffled by
    ``seed``) the heads (PCA size and ridge chosen inside), the stacker and the bands are fitted
    on the other four; the verdict heads read ``verdict_x`` (see :func:`all_log_odds`). For
    probes: ``log_odds``, a function (train, test) -> per-head log-odds as :func:`head_log_odds`
    gives them, replaces the heads; ``design``, a function (log-odds, train) -> stacker
    inputs, replaces :func:`stack_design`."""
    n = len(truth)
    held, score = np.empty(n, dtype=object), np.zeros(n)
    for fold in stratified_folds(list(truth == "good"), 5, seed):
        test = np.zeros(n, bool)
        test[fold] = True
        lo = all_log_odds(x, verdict_x, labels, ~test, test) if log_odds is None else log_odds(~test, test)
        d = (stack_design(lo, data["scores"], rule_names, rules, stages) if design is None
             else design(lo, ~test))
        g, f, _ = best_bands(np.minimum(_oof_quality(d, truth, ~test), cap)[~test], truth[~test])
        score[test] = np.minimum(stacked_quality(fit_stacker(d, truth, ~test), d[test]), cap[test])
        held[test] = band(score[test], g, f)
    return held, score


def verdict_fit(x: np.ndarray, rows: list[dict], data: dict, rules: dict, rule_names: Sequence[str],
                seed: int = 0, verdict_x: np.ndarray | None = None) -> dict:
    """The stacker and bands on all photos, with in-sample and nested-CV agreement (outer folds
    shuffled by ``seed``; 0 is the figure the files record). The rule heads read ``x``, the
    verdict heads ``verdict_x`` (``x`` when None)."""
    truth = np.array([r["verdict"] for r in rows])
    unanimous = np.array([r.get("agree_verdict") == "3" for r in rows])
    labels = {"verdict_good": truth == "good", "verdict_poor": truth == "poor",
              **{h: truth_of(rows, h) for h in RULE_HEADS}}
    n = len(truth)
    everything, nothing = np.ones(n, bool), np.zeros(n, bool)
    # A failed input check caps the score at its quality, as the engine does.
    cap = verdict_cap(data, rules, rule_names)

    def agreement(decided: np.ndarray) -> dict:
        return {"agreement": _r(np.mean(decided == truth)),
                "agreement_unanimous": _r(np.mean(decided[unanimous] == truth[unanimous])),
                **{f"f1_{c}": _r(count(list(truth == c), list(decided == c)).f1) for c in ("good", "poor")}}

    # Deployed: stacker on out-of-fold head log-odds of all photos; bands on its own out-of-fold quality.
    stages = written_stages(data)
    lo = all_log_odds(x, verdict_x, labels, everything, nothing)
    d = stack_design(lo, data["scores"], rule_names, rules, stages)
    stacker = fit_stacker(d, truth, everything)
    good, fair, _ = best_bands(np.minimum(_oof_quality(d, truth, everything), cap), truth)
    out = {"stacker": stacker, "good_from": good, "fair_from": fair,
           "in_sample": agreement(band(np.minimum(stacked_quality(stacker, d), cap), good, fair))}
    # The rule score alone, bands refitted (HL101-HL103 qualities from heads fitted on all photos).
    rule_score = np.array(data["overall"], float)
    g0, f0, _ = best_bands(rule_score, truth)
    out["rule_score_in_sample"] = {"good_from": g0, "fair_from": f0, **agreement(band(rule_score, g0, f0))}
    # Nested: heads, stacker and bands chosen without the held-out fold.
    held, _ = nested_verdict(x, labels, truth, data, rules, rule_names, stages, cap, seed, verdict_x=verdict_x)
    held_rule = np.empty(n, dtype=object)
    for fold in stratified_folds(list(truth == "good"), 5, seed):
        test = np.zeros(n, bool)
        test[fold] = True
        g0, f0, _ = best_bands(rule_score[~test], truth[~test])
        held_rule[test] = band(rule_score[test], g0, f0)
    out["nested_cv"] = agreement(held)
    out["rule_score_nested_cv"] = agreement(held_rule)
    return out


# -- main -----------------------------------------------------------------------
def labels_digest(photos: Path) -> str:
    return hashlib.sha256((photos / "labels.csv").read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, default=None, help="feature cache (default: a file in the temp folder)")
    ap.add_argument("--only", nargs="*", default=None, help="heads to fit (default: all)")
    ap.add_argument("--write", action="store_true", help="write rules/heads/<name>.json")
    ap.add_argument("--fresh", action="store_true", help="measure again (after writing heads or changing rules)")
    ap.add_argument("--fold-seeds", type=int, default=1,
                    help="nested CV repeated over this many outer fold splits (seeds 0..N-1); the spread "
                         "tells a real gain from fold noise (about +-0.01 F1 on busy and sharp_env)")
    args = ap.parse_args(argv)

    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    cache = args.cache or feature_cache(args.photos, files, "headshot-lint-heads")
    print(f"features of {len(files)} photos (cache {cache})")
    data = measure_all(args.photos, files, cache, args.fresh)
    ms = np.array(data["embedding_ms"]).reshape(len(files), -1)
    print(f"embedding (1 thread, long side 320 px), ms per photo: wall median {np.median(ms[:, 0]):.1f}, "
          f"90th pct {np.percentile(ms[:, 0], 90):.1f}; CPU median {np.median(ms[:, -1]):.1f} "
          "(wall time counts waiting for a core on a busy machine; CPU time is the cost on one core)")
    digest = labels_digest(args.photos)
    stacks: dict = {}

    for name, (column, layout) in HEADS.items():
        if args.only and name not in args.only:
            continue
        x = matrix(data, layout)
        y = truth_of(rows, column)
        agree_col = "agree_verdict" if column.startswith("verdict") else f"agree_{column}"
        unanimous = np.array([r.get(agree_col) == "3" for r in rows])
        stack = None
        if name in STACKS:
            measure, keys = STACKS[name]
            supp = supporting(data, measure, keys)
            head, stage, t, c, lam = fit_stacked(x, y, supp, np.ones(len(y), bool))
            in_sample = figures(y, stacked_value(head, stage, x, supp) >= t, unanimous)
            held_by_seed = [nested_stacked(x, y, supp, seed) for seed in range(args.fold_seeds)]
            stack = {"inputs": list(keys), "bias": float(stage[0]), "weights": [float(w) for w in stage[1:]]}
            stacks[name] = (measure, keys, stage)
        else:
            c, lam, t = choose(x, y)
            head = fit_head(x, y, c, lam)
            in_sample = figures(y, head.log_odds(x) >= t, unanimous)
            held_by_seed = [nested_scores(x, y, seed=seed)[1] for seed in range(args.fold_seeds)]
        nested = figures(y, held_by_seed[0], unanimous)
        print(f"{name}: label {column}, {x.shape[1]} features, PCA {c}, ridge {lam:g}, threshold {t:+.3f}"
              + (f", second stage {stack}" if stack else ""))
        print(_line("in-sample", in_sample))
        print(_line("nested CV", nested))
        if len(held_by_seed) > 1:
            f1s = [count(list(y), list(h)).f1 for h in held_by_seed]
            nested["f1_by_fold_seed"] = [_r(f) for f in f1s]
            print(f"  nested CV F1 over {len(f1s)} fold splits: mean {np.mean(f1s):.3f}, "
                  f"min {min(f1s):.3f}, max {max(f1s):.3f}")
        if args.write:
            sizes = {k: len(data["blocks"][0][k]) for k in layout}
            out = {"name": name, "label": column, "photos": len(files), "labels_sha256": digest,
                   "fitted_by": "benchmarks/fit_heads.py",
                   "features": "EfficientNet-Lite0 maps (input long side 320 px) pooled over the background "
                               "cells" + (", and its 1000 ImageNet class scores of the whole photo" if "logits" in layout
                                          else "") + "; see measures/_learned.py",
                   "layout": [[k, sizes[k]] for k in layout], "components": c, "ridge": lam,
                   "threshold": round(t, 4), "figures": {"in_sample": in_sample, "nested_cv": nested},
                   "bias": float(head.bias), "weights": [float(f"{w:.6g}") for w in head.weights]}
            if stack:
                out["stack"] = stack
            path = ROOT / "rules" / "heads" / f"{name}.json"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
            print(f"  wrote {path.relative_to(ROOT)}")

    if not data["complete"]:
        print("verdict: skipped (the learned rules had no head files when the features were measured: "
              "run again with --write, then with --fresh)")
    elif not args.only or "verdict" in args.only:
        from headshot_lint.rules import load_pack

        rules = {r.name: r for r in load_pack("default").select(["ALL"])}
        rule_names = sorted(rules)
        fit = verdict_fit(matrix(data, LAYOUT), rows, data, rules, rule_names,
                          verdict_x=matrix(data, VERDICT_LAYOUT))
        stacker = fit.pop("stacker")
        if args.fold_seeds > 1:
            truth = np.array([r["verdict"] for r in rows])
            labels = {"verdict_good": truth == "good", "verdict_poor": truth == "poor",
                      **{h: truth_of(rows, h) for h in RULE_HEADS}}
            got = [fit["nested_cv"]["agreement"]] + [
                float(np.mean(nested_verdict(matrix(data, LAYOUT), labels, truth, data, rules, rule_names,
                                             written_stages(data), verdict_cap(data, rules, rule_names), seed,
                                             verdict_x=matrix(data, VERDICT_LAYOUT))[0]
                              == truth)) for seed in range(1, args.fold_seeds)]
            fit["nested_cv"]["agreement_by_fold_seed"] = [_r(g) for g in got]
            print(f"  verdict nested agreement over {len(got)} fold splits: {np.mean(got):.3f} +- {np.std(got):.3f}")
        print("verdict:", json.dumps(fit, indent=1))
        print(f"  paste into model.py: GOOD_FROM = {fit['good_from']:g}, FAIR_FROM = {fit['fair_from']:g}")
        if args.write:
            out = {"name": "verdict", "label": "verdict", "photos": len(files), "labels_sha256": digest,
                   "fitted_by": "benchmarks/fit_heads.py",
                   "meaning": "learned overall quality = 50 * (1 + p_good - p_poor); an ordinal regression: p = sigmoid(bias + "
                              "weights . inputs), inputs: the heads' log-odds clipped to +-clip, then each "
                              "rule's quality / 100 (1 when it did not judge); bands in model.py",
                   "heads": list(STACK_HEADS), "rules": rule_names, "clip": LOG_ODDS_CLIP,
                   "learned_rules": sorted(RULE_HEADS.values()),
                   "good": [round(float(w), 6) for w in stacker["good"]],
                   "poor": [round(float(w), 6) for w in stacker["poor"]], "figures": fit}
            path = ROOT / "rules" / "heads" / "verdict.json"
            path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
            print(f"  wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
