"""fit_heads' verdict machinery on generated data: the verdict heads read their own layout,
the nested loop's seed shuffles the folds, and a stale cache without the logits is re-measured."""

import pickle

import numpy as np
import pytest

from benchmarks import fit_heads
from headshot_lint.measures import _learned
from headshot_lint.perception.embedding import FeatureMaps


def test_the_verdict_layout_adds_the_logits_and_the_rule_heads_keep_theirs():
    assert fit_heads.VERDICT_LAYOUT[:-1] == fit_heads.LAYOUT and fit_heads.VERDICT_LAYOUT[-1] == "logits"
    assert fit_heads.HEADS["verdict_good"][1] == fit_heads.VERDICT_LAYOUT
    assert fit_heads.HEADS["busy"][1] == fit_heads.LAYOUT


def test_pooled_blocks_carry_the_logits():
    rng = np.random.default_rng(0)
    maps = FeatureMaps(rng.random((2, 8, 8), np.float32), rng.random((3, 4, 4), np.float32),
                       rng.random((4, 2, 2), np.float32), np.arange(5, dtype=np.float32))
    blocks = _learned.pooled_blocks(maps, np.ones((64, 64), bool))
    assert blocks["logits"].dtype == np.float64 and blocks["logits"].tolist() == [0, 1, 2, 3, 4]


def test_all_log_odds_gives_the_verdict_heads_their_own_features():
    rng = np.random.default_rng(1)
    n = 120
    x = rng.normal(size=(n, 12))           # the rule head can see its label here
    vx = rng.normal(size=(n, 12))          # the verdict head can see its label only here
    busy, good = x[:, 0] > 0, vx[:, 0] > 0
    labels = {"busy": busy, "verdict_good": good}
    train = np.ones(n, bool)
    train[:30] = False
    lo = fit_heads.all_log_odds(x, vx, labels, train, ~train)
    assert np.corrcoef(lo["busy"][~train], x[~train, 0])[0, 1] > 0.7
    assert np.corrcoef(lo["verdict_good"][~train], vx[~train, 0])[0, 1] > 0.7
    same = fit_heads.all_log_odds(x, None, labels, train, ~train)
    assert abs(np.corrcoef(same["verdict_good"][~train], vx[~train, 0])[0, 1]) < 0.5


def test_nested_verdict_seeds_shuffle_the_folds():
    rng = np.random.default_rng(2)
    n = 150
    x = rng.normal(size=(n, 10))
    s = x[:, 0] + 0.8 * rng.normal(size=n)
    truth = np.array(["poor", "fair", "good"], dtype=object)[np.digitize(s, np.quantile(s, [0.3, 0.7]))]
    labels = {"verdict_good": truth == "good", "verdict_poor": truth == "poor"}
    data = {"scores": [{} for _ in range(n)]}
    cap = np.full(n, 100.0)
    a = fit_heads.nested_verdict(x, labels, truth, data, {}, [], {}, cap, seed=0)[1]
    b = fit_heads.nested_verdict(x, labels, truth, data, {}, [], {}, cap, seed=0)[1]
    c = fit_heads.nested_verdict(x, labels, truth, data, {}, [], {}, cap, seed=1)[1]
    # the same seed gives the same scores (to the last bits numpy's SIMD exp/log leave to the
    # arrays' alignment), another seed other folds
    assert np.allclose(a, b, rtol=1e-9, atol=1e-9) and not np.allclose(a, c)


def test_a_cache_without_the_logits_is_not_reused(tmp_path):
    cache = tmp_path / "c.pkl"
    fresh = {"files": ["a.jpg"], "measured": [{}], "blocks": [{"final_mean": np.zeros(2), "logits": np.zeros(3)}]}
    cache.write_bytes(pickle.dumps(fresh))
    assert fit_heads.measure_all(tmp_path, ["a.jpg"], cache)["blocks"][0]["logits"].shape == (3,)
    stale = {"files": ["a.jpg"], "measured": [{}], "blocks": [{"final_mean": np.zeros(2)}]}
    cache.write_bytes(pickle.dumps(stale))
    with pytest.raises(Exception):  # measures again: the photo a.jpg is not there
        fit_heads.measure_all(tmp_path, ["a.jpg"], cache)
