"""The verdict probe's pieces (generated data): extra pooled blocks, contact sheets, ranked raw
values, the direct ordinal head, soft-target heads, rater shares; and fit_heads' nested verdict."""

import numpy as np
import pytest

from benchmarks import fit_heads
from benchmarks.probe_verdict import (contact_sheet, extra_blocks, ordinal_head, ordinal_log_loss,
                                      ordinal_log_odds, rank_columns, rater_shares, soft_log_odds)
from headshot_lint.perception.embedding import FeatureMaps


def _maps(rows=8, cols=6):
    rng = np.random.default_rng(0)
    s16 = rng.random((4, rows, cols)).astype(np.float32)
    final = rng.random((5, rows // 2, cols // 2)).astype(np.float32)
    return FeatureMaps(rng.random((3, rows * 2, cols * 2)).astype(np.float32), s16, final,
                       np.array([0.0, 1.0, 3.0], np.float32))


def test_extra_blocks_pool_the_person_cells_and_the_frame():
    maps = _maps()
    background = np.ones((80, 60), bool)
    background[:, 30:] = False  # the right half is the person
    # make the person's half of stride16 distinctive
    maps.stride16[:, :, 3:] = 7.0
    got = extra_blocks(maps, background)
    assert np.allclose(got["stride16_person_mean"], 7.0)
    assert np.allclose(got["stride16_person_std"], 0.0, atol=1e-6)
    assert np.allclose(got["stride16_frame_mean"], maps.stride16.reshape(4, -1).mean(axis=1))
    assert got["final_person_mean"].shape == (5,)
    assert np.isclose(got["probs"].sum(), 1.0) and got["probs"].argmax() == 2
    assert np.allclose(got["logits"], [0, 1, 3])


def test_extra_blocks_without_a_person_pool_the_whole_frame():
    maps = _maps()
    got = extra_blocks(maps, np.ones((80, 60), bool))
    assert np.allclose(got["stride16_person_mean"], got["stride16_frame_mean"])


def test_contact_sheet_lays_out_tiles_and_writes_a_png(tmp_path):
    tiles = [(np.full((50, 40, 3), 30 * i, np.uint8), f"photo{i}|fair->good 70") for i in range(7)]
    sheet = contact_sheet(tiles, tmp_path / "s.png", cell=64, per_line=3)
    assert sheet.shape[0] == 3 * (64 + 34) and sheet.shape[1] == 3 * 70
    assert (tmp_path / "s.png").stat().st_size > 0
    assert sheet[10, 70 + 10].tolist() == [30, 30, 30]  # second tile's thumbnail
    assert contact_sheet([], None, cell=32, per_line=2).shape == (32 + 34, 2 * 38, 3)


def test_rank_columns_uses_only_the_training_rows():
    v = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    train = np.array([True, True, True, True, False])
    got = rank_columns(v, train)[:, 0]
    assert got.tolist() == [0.125, 0.375, 0.625, 0.875, 1.0]


def _ordinal_data(n=150, d=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    s = x[:, 0] + 0.5 * x[:, 1] + 0.3 * rng.normal(size=n)
    order = np.digitize(s, np.quantile(s, [0.3, 0.7]))
    return x, order


def test_ordinal_head_ranks_good_above_poor():
    x, order = _ordinal_data()
    good, poor = ordinal_head(x, order, 8, 1.0)(x)
    assert good[order == 2].mean() > good[order == 0].mean() + 2
    assert poor[order == 0].mean() > poor[order == 2].mean() + 2
    assert ordinal_log_loss(good, poor, order) < ordinal_log_loss(good * 0, poor * 0, order)


def test_ordinal_log_odds_hold_out_the_test_rows():
    x, order = _ordinal_data()
    test = np.zeros(len(order), bool)
    test[::5] = True
    lo = ordinal_log_odds(x, order, ~test, test, components=(4, 8), ridges=(1.0,))
    g = lo["verdict_good"]
    assert g[test & (order == 2)].mean() > g[test & (order == 0)].mean() + 1
    # the test rows' values do not depend on their own labels
    flipped = order.copy()
    flipped[test] = 2 - flipped[test]
    lo2 = ordinal_log_odds(x, flipped, ~test, test, components=(4, 8), ridges=(1.0,))
    assert np.allclose(lo2["verdict_good"][test], g[test])


def test_soft_log_odds_follow_the_share():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(120, 10))
    share = 1 / (1 + np.exp(-2 * x[:, 0]))
    y = share > 0.5
    test = np.zeros(120, bool)
    test[:30] = True
    lo = soft_log_odds(x, y, share, ~test, test)
    assert np.corrcoef(lo[test], x[test, 0])[0, 1] > 0.8


def test_rater_shares(tmp_path):
    (tmp_path / "ratings.csv").write_text(
        "file,rater,verdict\na.jpg,D,good\na.jpg,E,fair\na.jpg,F,good\nb.jpg,D,poor\n", encoding="utf-8")
    got = rater_shares(tmp_path, ["a.jpg", "b.jpg"])
    assert got["good"].tolist() == pytest.approx([2 / 3, 0])
    assert got["poor"].tolist() == [0, 1]


class _Rule:
    def __init__(self, check=False):
        self.input_check = check

    def score(self, v):
        return 100.0


def test_nested_verdict_recovers_a_verdict_the_heads_can_see():
    rng = np.random.default_rng(2)
    n = 200
    x = rng.normal(size=(n, 30))
    s = x[:, 0] + 0.2 * rng.normal(size=n)
    truth = np.array(["poor", "fair", "good"], dtype=object)[np.digitize(s, np.quantile(s, [0.3, 0.7]))]
    labels = {"verdict_good": truth == "good", "verdict_poor": truth == "poor"}
    rules = {"r": _Rule(), "input": _Rule(True)}
    data = {"scores": [{"r": 100.0, "input": 100.0 if i else 10.0} for i in range(n)]}
    cap = fit_heads.verdict_cap(data, rules, sorted(rules))
    assert cap[0] == 10.0 and (cap[1:] == 100.0).all()
    held, score = fit_heads.nested_verdict(x, labels, truth, data, rules, sorted(rules), {}, cap, seed=3)
    assert score[0] <= 10.0
    assert np.mean(held == truth) > 0.75
    # a design that hides the heads leaves only chance
    blind, _ = fit_heads.nested_verdict(x, labels, truth, data, rules, sorted(rules), {}, cap, seed=3,
                                        design=lambda lo, train: rng.normal(size=(n, 2)))
    assert np.mean(blind == truth) < 0.6


def test_framing_reads_face_place_turn_person_extent_and_colour():
    from benchmarks.probe_verdict import FRAMING, framing

    rgb = np.full((100, 80, 3), 128, np.uint8)
    matte = np.zeros((100, 80), np.float32)
    matte[20:, 10:70] = 1.0
    got = dict(zip(FRAMING, framing(rgb, matte, (20, 30, 60, 70), ((30, 45), (50, 45), (40, 55)), (4000, 5000))))
    assert got["no_face"] == 0 and got["face_cx"] == 0.5 and got["face_height"] == 0.4
    assert got["face_top"] == 0.3 and got["yaw"] == 0.0
    assert got["person_top"] == 0.2 and got["person_left"] == 0.125 and got["person_right"] == 0.125
    assert got["chroma"] < 1 and got["log_megapixels"] == pytest.approx(np.log10(20))
    turned = dict(zip(FRAMING, framing(rgb, matte, (20, 30, 60, 70), ((30, 45), (50, 45), (50, 55)), (10, 10))))
    assert turned["yaw"] == 0.5
    red = rgb.copy()
    red[..., 0], red[..., 1:] = 200, 40
    assert dict(zip(FRAMING, framing(red, matte, None, None, (10, 10))))["chroma"] > 30
    none = dict(zip(FRAMING, framing(rgb, matte * 0, None, None, (10, 10))))
    assert none["no_face"] == 1 and np.isnan(none["face_cx"]) and none["person_top"] == 1.0
