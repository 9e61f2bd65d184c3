"""Learned heads on the background embedding: features, head files, evidence cells.

A head is data (``rules/heads/<name>.json``, written by ``benchmarks/fit_heads.py``):
a bias and one weight per feature, over a named layout of blocks pooled from the
scene's EfficientNet-Lite0 maps (:attr:`Scene.embedding`) over the background. Its
value is log-odds that people would give the label; the rule file holds the threshold.
A head file may add a second stage that combines the log-odds with values the measure
reports (busy: the clutter share and the other faces). The pooled means are linear in the
map's cells, so the head's weights on a mean block also score each background cell: the
cells that push the verdict hardest are the evidence a person can look at. ``verdict.json``
holds the learned overall score (:class:`VerdictStack`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..model import Region
from ..perception.embedding import FeatureMaps
from ..scene import Scene

#: A feature-map cell counts as background when this share of it is background.
CELL_BACKGROUND = 0.5
#: With fewer background cells than this the head judges the whole frame (weighted by
#: the share of background in each cell), so a tight crop still gets a value.
_MIN_CELLS = 1.0
#: Maps by the name the layouts use.
_MAPS = ("stride8", "stride16", "final")


@dataclass(frozen=True)
class Head:
    """One fitted head, as its file gives it."""

    name: str  #: file stem, e.g. "busy"
    layout: tuple[tuple[str, int], ...]  #: (block, size) in order, e.g. ("stride16_mean", 112)
    bias: float
    weights: np.ndarray  #: float64 (n_features,)
    source: str  #: the file it came from
    #: Optional second stage: log-odds = stack_bias + stack_weights . (head log-odds, the
    #: measure's own values named in stack_inputs); () when the head's log-odds is the value.
    stack_inputs: tuple[str, ...] = ()
    stack_bias: float = 0.0
    stack_weights: np.ndarray | None = None

    def log_odds(self, features: np.ndarray) -> float:
        return float(self.bias + features @ self.weights)

    def stacked(self, head_log_odds: float, supporting: dict[str, float]) -> float:
        """The value the rule judges: the head's log-odds, combined with the measure's
        supporting values when the file has a second stage."""
        if not self.stack_inputs:
            return head_log_odds
        x = np.array([head_log_odds] + [float(supporting[k]) for k in self.stack_inputs])
        return float(self.stack_bias + x @ self.stack_weights)

    def block_weights(self, block: str) -> np.ndarray | None:
        """The weights of one block of the layout, or None when the head does not read it."""
        start = 0
        for name, size in self.layout:
            if name == block:
                return self.weights[start:start + size]
            start += size
        return None


def heads_dir() -> Path:
    from ..rules import rules_dir

    return rules_dir() / "heads"


@functools.lru_cache(maxsize=None)
def load_head(name: str) -> Head:
    """The head ``rules/heads/<name>.json`` (read once per process)."""
    path = heads_dir() / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    layout = tuple((str(b), int(n)) for b, n in data["layout"])
    weights = np.asarray(data["weights"], np.float64)
    if weights.shape != (sum(n for _, n in layout),):
        raise ValueError(f"{path}: {weights.size} weights for a layout of {sum(n for _, n in layout)} features")
    stack = data.get("stack")
    if stack is None:
        return Head(name, layout, float(data["bias"]), weights, str(path))
    inputs = tuple(stack["inputs"])
    stack_weights = np.asarray(stack["weights"], np.float64)
    if stack_weights.shape != (len(inputs) + 1,):
        raise ValueError(f"{path}: stack needs one weight for the head and one per input")
    return Head(name, layout, float(data["bias"]), weights, str(path), inputs, float(stack["bias"]), stack_weights)


def background_share(background: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Each (rows, cols) cell's share of background, float32 in [0, 1] (area average)."""
    return cv2.resize(background.astype(np.float32), (cols, rows), interpolation=cv2.INTER_AREA)


def cell_weights(background: np.ndarray, rows: int, cols: int, share: np.ndarray | None = None) -> np.ndarray:
    """Weights of a (rows, cols) feature map's cells for background pooling, float32 summing to 1:
    the cells at least ``CELL_BACKGROUND`` background, or, when there are none, every cell by its
    share of background (the whole frame evenly when it has almost none). ``share``: the
    :func:`background_share` already computed."""
    share = background_share(background, rows, cols) if share is None else share
    w = (share >= CELL_BACKGROUND).astype(np.float32)
    if w.sum() < _MIN_CELLS:
        w = share if share.sum() >= 0.25 else np.ones_like(share)
    return w / w.sum()


def pooled_blocks(maps: FeatureMaps, background: np.ndarray,
                  shares: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every block a layout may name: ``<map>_mean`` and ``<map>_std`` over the background
    cells of each map, ``final_frame_mean`` over the whole frame, and ``logits``, the network's
    1000 ImageNet class scores of the whole photo (the verdict heads read them); float64 vectors.
    ``shares``: each map's :func:`background_share`, when already computed."""
    out: dict[str, np.ndarray] = {}
    for name in _MAPS:
        m = getattr(maps, name)
        c, rows, cols = m.shape
        x = m.reshape(c, -1).astype(np.float64)
        share = None if shares is None else shares[name]
        w = cell_weights(background, rows, cols, share).reshape(-1).astype(np.float64)
        mean = x @ w
        out[f"{name}_mean"] = mean
        out[f"{name}_std"] = np.sqrt(np.maximum((x * x) @ w - mean * mean, 0.0))
    out["final_frame_mean"] = maps.final.reshape(maps.final.shape[0], -1).mean(axis=1).astype(np.float64)
    out["logits"] = np.asarray(maps.logits, np.float64)
    return out


def _scene_shares(scene: Scene) -> dict[str, np.ndarray]:
    """Each feature map's :func:`background_share` for a scene (read by the pooling and by
    every head's evidence cells)."""
    bg = scene.background_mask
    return {name: background_share(bg, *getattr(scene.embedding, name).shape[1:]) for name in _MAPS}


def _scene_blocks(scene: Scene) -> dict[str, np.ndarray]:
    return pooled_blocks(scene.embedding, scene.background_mask, scene.derived(_scene_shares))


def features(scene: Scene, head: Head) -> np.ndarray:
    """The head's feature vector for a scene, in its layout. The pooled blocks are computed
    once per scene (1-2 ms) and shared by every head that reads it (five or six a photo)."""
    blocks = scene.derived(_scene_blocks)
    return np.concatenate([blocks[name] for name, _ in head.layout])


def evidence_cells(scene: Scene, head: Head, label: str, top: int = 3) -> tuple[Region, ...]:
    """Boxes of the background cells that raise the head's log-odds most (at most ``top``,
    only cells that raise it), on the coarsest map whose background mean the head reads."""
    for name in ("final", "stride16", "stride8"):
        w = head.block_weights(f"{name}_mean")
        if w is None:
            continue
        m = getattr(scene.embedding, name)
        c, rows, cols = m.shape
        share = scene.derived(_scene_shares)[name]
        score = (w @ m.reshape(c, -1).astype(np.float64)).reshape(rows, cols)
        score = np.where(share >= CELL_BACKGROUND, score - np.median(score[share >= CELL_BACKGROUND])
                         if (share >= CELL_BACKGROUND).any() else score, -np.inf)
        order = np.argsort(score, axis=None)[::-1][:top]
        cell_w, cell_h = scene.width / cols, scene.height / rows
        regions = []
        for i in order:
            if not np.isfinite(score.flat[i]) or score.flat[i] <= 0:
                break
            r, col = divmod(int(i), cols)
            regions.append(Region.from_pixels(col * cell_w, r * cell_h, (col + 1) * cell_w, (r + 1) * cell_h,
                                              scene.width, scene.height, label))
        return tuple(regions)
    return ()


def judge(scene: Scene, head_name: str, label: str, supporting: dict[str, float] | None = None
          ) -> tuple[float, tuple[Region, ...]]:
    """The value the rule judges (the head's log-odds, through its second stage when the file
    has one, reading ``supporting`` values), rounded to 0.001, and the head's evidence cells."""
    head = load_head(head_name)
    value = head.stacked(head.log_odds(features(scene, head)), supporting or {})
    return round(value, 3), evidence_cells(scene, head, label)


@dataclass(frozen=True)
class VerdictStack:
    """The learned overall score (``rules/heads/verdict.json``): P(good) and P(poor) from an
    ordinal logistic regression (two weight vectors sharing one direction) over the verdict
    heads' log-odds and the rules' qualities."""

    heads: tuple[str, ...]  #: heads whose log-odds come first, clipped to +-clip
    rules: tuple[str, ...]  #: rule names whose quality / 100 follow (1 when a rule did not judge)
    clip: float
    good: np.ndarray  #: bias, then one weight per input
    poor: np.ndarray
    #: The rules judged by learned heads: the learned score applies when one of them is selected.
    learned_rules: frozenset[str] = frozenset()

    def quality(self, scene: Scene, rule_qualities: dict[str, float]) -> float:
        """Learned overall quality in [0, 100]: ``50 * (1 + p_good - p_poor)``."""
        inputs = [float(np.clip(load_head(h).log_odds(features(scene, load_head(h))), -self.clip, self.clip))
                  for h in self.heads]
        inputs += [rule_qualities.get(name, 100.0) / 100.0 for name in self.rules]
        x = np.asarray(inputs)
        p_good = 1.0 / (1.0 + np.exp(-(self.good[0] + x @ self.good[1:])))
        p_poor = 1.0 / (1.0 + np.exp(-(self.poor[0] + x @ self.poor[1:])))
        return float(50.0 * (1.0 + p_good - p_poor))


@functools.lru_cache(maxsize=1)
def verdict_stack() -> VerdictStack:
    """The stacker ``benchmarks/fit_heads.py`` wrote to ``rules/heads/verdict.json``."""
    path = heads_dir() / "verdict.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    stack = VerdictStack(tuple(data["heads"]), tuple(data["rules"]), float(data["clip"]),
                         np.asarray(data["good"], np.float64), np.asarray(data["poor"], np.float64),
                         frozenset(data["learned_rules"]))
    n = len(stack.heads) + len(stack.rules) + 1
    if stack.good.shape != (n,) or stack.poor.shape != (n,):
        raise ValueError(f"{path}: weights do not match {len(stack.heads)} heads and {len(stack.rules)} rules")
    return stack
