"""Learned heads: the head files fit the features, judge sensibly, and point at background."""

from __future__ import annotations

import json

import numpy as np
import pytest
from skimage import data

from headshot_lint.engine import learned_score
from headshot_lint.load import load
from headshot_lint.measures import _learned
from headshot_lint.measures.blur import unblurred_environment
from headshot_lint.measures.clutter import busy_background
from headshot_lint.scene import Scene

HEADS = ("busy", "pattern", "sharp_env", "verdict_good", "verdict_poor")


@pytest.fixture(scope="module")
def astronaut() -> Scene:
    return Scene(load(data.astronaut()))


@pytest.mark.parametrize("name", HEADS)
def test_head_layouts_match_the_pooled_features(name, astronaut):
    head = _learned.load_head(name)
    blocks = _learned.pooled_blocks(astronaut.embedding, astronaut.background_mask)
    for block, size in head.layout:
        assert blocks[block].shape == (size,), block
    record = json.loads((_learned.heads_dir() / f"{name}.json").read_text())
    assert len(record["labels_sha256"]) == 64 and record["figures"]["nested_cv"]["all"]["f1"] is not None


def test_a_flat_grey_frame_is_less_busy_and_less_of_a_sharp_scene_than_the_astronaut(astronaut):
    grey = Scene(load(np.full((480, 640, 3), 128, np.uint8)))
    assert busy_background(grey).values["busy_log_odds"] < busy_background(astronaut).values["busy_log_odds"]
    assert (unblurred_environment(grey).values["environment_log_odds"]
            < unblurred_environment(astronaut).values["environment_log_odds"])


def test_evidence_cells_lie_on_the_background(astronaut):
    cells = [r for r in busy_background(astronaut).regions if r.label == "looks busy to the head"]
    assert cells
    bg = astronaut.background_mask
    h, w = bg.shape
    for r in cells:
        patch = bg[int(r.y0 * h):int(np.ceil(r.y1 * h)), int(r.x0 * w):int(np.ceil(r.x1 * w))]
        assert patch.mean() >= 0.5, r


def test_a_rule_the_learned_score_does_not_know_caps_it(astronaut):
    known = {name: 100.0 for name in _learned.verdict_stack().rules}
    free = learned_score(known, astronaut)
    assert learned_score({**known, "acme-brand-colour": 12.0}, astronaut) == min(free, 12.0)


def test_the_learned_score_falls_when_a_rule_fails(astronaut):
    known = {name: 100.0 for name in _learned.verdict_stack().rules}
    failing = {**known, "backlit-subject": 5.0}
    assert learned_score(failing, astronaut) < learned_score(known, astronaut)


def test_a_second_stage_reads_only_values_its_measure_declares():
    from headshot_lint.measures import specs

    head = _learned.load_head("busy")
    assert head.stack_inputs, "busy's file has a second stage"
    assert set(head.stack_inputs) <= set(specs()["busy_background"].units)


def test_other_faces_raise_the_busy_value():
    head = _learned.load_head("busy")
    alone = head.stacked(0.0, {"clutter_fraction": 0.05, "other_faces": 0.0})
    assert head.stacked(0.0, {"clutter_fraction": 0.05, "other_faces": 2.0}) > alone
