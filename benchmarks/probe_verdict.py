"""What lifts the overall score's agreement with the raters' verdict?

    python benchmarks/probe_verdict.py --photos ../shared/photos --cache /tmp/x/features.pkl --measure
        [--seeds 5] [--only NAME ...] [--sheets DIR]

The overall score (``fit_heads.py`` steps 3-4) should agree with the three-rater verdict on
0.80 of photos (nested CV); the raters' own eight problem labels fed to the same stacker reach
only 0.769 (``probe_verdict_ceiling.py``), so the rest has to come from the verdict heads.
``--measure`` caches ``fit_heads.measure_all``'s features plus :func:`extra_blocks` (the maps
pooled over the person and over the whole frame, the ImageNet logits) and :func:`framing`
values; ``--sheets`` renders contact sheets of the nested errors (seed 0) per (true, called).

Contact sheets (background-only heads, seed 0: fair->good 23, good->fair 15, poor->fair 15,
fair->poor 13, poor->good 6, good->poor 4). Fair called good, nearly all unanimous: plain
backgrounds, but not professional headshots: tight crops cutting the head, profiles, a
microphone or a ball in hand, full-length casual shots, babies and children's snapshots, grainy
old or black-and-white scans. Good called fair: pleasant out-of-focus outdoor backdrops and dark
studio ones. Poor called good: stock watermarks the text rule missed, a damaged old print.
People judge what the picture is, not only its background.

Every candidate scored by ``fit_heads.nested_verdict`` (heads with PCA size and ridge chosen
inside, stacker, bands: all fitted without the held-out fold), outer fold seeds 0-4, mean +- sd
[per seed], measured 2026-12-07 on the 321 photos:

==========================================================  ======================================
candidate                                                   agreement
==========================================================  ======================================
verdict heads on the background blocks (shipped before)     0.763 +- 0.009 [.763 .748 .776 .760 .766]
... + the ImageNet logits (``VERDICT_LAYOUT``, shipped)     0.776 +- 0.004 [.773 .773 .782 .779 .773]
... + logits, heads fitted to the raters' vote shares       0.778 +- 0.008 [.779 .785 .773 .788 .766]
the ImageNet logits alone                                   0.768 +- 0.006
background + softmax probabilities instead of logits        0.769 +- 0.006
background + the person-pooled stride16/final mean, std     0.768 +- 0.007
background + person + logits                                0.769 +- 0.012
the whole frame's stride16/final mean, std (no background)  0.751 +- 0.012
background + person + whole frame                           0.766 +- 0.005
a direct 3-class head (ordinal on PCA; inner log-loss)      0.761 +- 0.005
heads fitted to the raters' vote shares (ratings.csv)       0.772 +- 0.008
stacker + every raw measure value (ranked on the train rows) 0.769 +- 0.009
background + person heads, stacker + raw values             0.773 +- 0.013
background + logits heads, stacker + raw values            0.762 +- 0.010
stacker + framing values (face place, size, turn; person
extent; chroma; megapixels)                                 0.768 +- 0.010
stacker + raw values + framing                              0.760 +- 0.009
background + logits heads, stacker + framing                0.758 +- 0.014
==========================================================  ======================================

The logits beat the background-only heads on every seed (+0.006 to +0.025, mean +0.013, more
than the seed spread): shipped (``fit_heads.VERDICT_LAYOUT``). Summed over the five seeds the
fair photos called good fall from 129 to 120 and the fair called fair rise from 199 to 215.
Fitting to vote shares on top is within noise (+0.002) and needs ratings.csv; the rest are at
or below the shipped figure: the raw values and framing give the ordinal stacker more inputs
than 257 training photos support (poor called fair rises from 62 to 91 with raw values).
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from headshot_lint.measures._learned import background_share  # noqa: E402

_MAPS = ("stride16", "final")


def extra_blocks(maps, background: np.ndarray) -> dict[str, np.ndarray]:
    """Blocks beyond the background pooling: ``<map>_person_mean`` / ``_person_std`` over the
    cells weighted by their share of non-background (the person and its halo), ``<map>_frame_std``
    over the whole frame (``final_frame_mean`` is already pooled), and ``logits`` (the ImageNet
    class scores) with ``probs`` (their softmax, ``probe_logits.class_blocks``); float64."""
    out: dict[str, np.ndarray] = {}
    for name in _MAPS:
        m = getattr(maps, name)
        c, rows, cols = m.shape
        x = m.reshape(c, -1).astype(np.float64)
        person = 1.0 - background_share(background, rows, cols).reshape(-1).astype(np.float64)
        w = person / person.sum() if person.sum() > 0.25 else np.full(rows * cols, 1.0 / (rows * cols))
        mean = x @ w
        out[f"{name}_person_mean"] = mean
        out[f"{name}_person_std"] = np.sqrt(np.maximum((x * x) @ w - mean * mean, 0.0))
        fm = x.mean(axis=1)
        out[f"{name}_frame_mean"] = fm
        out[f"{name}_frame_std"] = np.sqrt(np.maximum((x * x).mean(axis=1) - fm * fm, 0.0))
    from benchmarks.probe_logits import class_blocks

    scores = class_blocks(maps.logits)
    out["logits"], out["probs"] = scores["logits"], scores["probs"]
    return out


def contact_sheet(tiles: list[tuple[np.ndarray, str]], out, cell: int = 200, per_line: int = 6) -> np.ndarray:
    """Thumbnails (RGB uint8, any size) fitted into ``cell`` x ``cell`` squares, each with its
    caption ("|" starts a new caption line) under it, ``per_line`` to a line; written to ``out``
    (PNG) when given; the sheet (RGB uint8) is returned."""
    import cv2

    caption_h = 34
    boxes = []
    for rgb, caption in tiles:
        s = cell / max(rgb.shape[:2])
        small = cv2.resize(rgb, (max(1, round(rgb.shape[1] * s)), max(1, round(rgb.shape[0] * s))),
                           interpolation=cv2.INTER_AREA)
        box = np.full((cell + caption_h, cell + 6, 3), 255, np.uint8)
        box[:small.shape[0], :small.shape[1]] = small
        for i, text in enumerate(caption.split("|")[:2]):
            cv2.putText(box, text[:34], (2, cell + 13 + 15 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1)
        boxes.append(box)
    if not boxes:
        boxes = [np.full((cell + caption_h, cell + 6, 3), 255, np.uint8)]
    while len(boxes) % per_line:
        boxes.append(np.full_like(boxes[0], 255))
    sheet = np.concatenate([np.concatenate(boxes[i:i + per_line], axis=1)
                            for i in range(0, len(boxes), per_line)], axis=0)
    if out is not None:
        cv2.imwrite(str(out), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    return sheet



#: The framing / photo values :func:`framing` gives, in order.
FRAMING = ("no_face", "face_cx", "face_cy", "face_height", "face_top", "face_bottom", "yaw", "person_top",
           "person_share", "person_left", "person_right", "chroma", "log_megapixels")


def framing(rgb: np.ndarray, matte: np.ndarray, face_box, keypoints, original_size: tuple[int, int]) -> np.ndarray:
    """What the contact sheets of the errors show people weigh besides the background: where the
    face sits and how large (``face_box`` (x0, y0, x1, y1) px or None), how far it is turned
    (nose off the eyes' midpoint over the eye distance, ``keypoints`` right eye, left eye, nose,
    ...), the person's extent in the frame (``matte`` >= 0.5; its top row's share of the height:
    0 = the head touches the top), the mean chroma (0 for black and white) and the original
    size in megapixels (log10); NaN where there is no face. Float64 in ``FRAMING`` order."""
    import cv2

    h, w = rgb.shape[:2]
    out = np.full(len(FRAMING), np.nan)
    out[0] = float(face_box is None)
    if face_box is not None:
        x0, y0, x1, y1 = face_box
        out[1:6] = ((x0 + x1) / 2 / w, (y0 + y1) / 2 / h, (y1 - y0) / h, y0 / h, y1 / h)
        if keypoints is not None and len(keypoints) >= 3:
            (rx, ry), (lx, ly), (nx, ny) = keypoints[:3]
            out[6] = abs(nx - (rx + lx) / 2) / max(1.0, float(np.hypot(lx - rx, ly - ry)))
    person = matte >= 0.5
    if person.any():
        rows, cols = np.flatnonzero(person.any(axis=1)), np.flatnonzero(person.any(axis=0))
        out[7:11] = (rows[0] / h, person.mean(), cols[0] / w, 1 - (cols[-1] + 1) / w)
    else:
        out[7:11] = (1.0, 0.0, 1.0, 1.0)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float64)
    out[11] = float(np.mean(np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)))
    out[12] = float(np.log10(max(1, original_size[0] * original_size[1]) / 1e6))
    return out


def measure_framing(photos: Path, files: Sequence[str], out: Path) -> np.ndarray:
    """:func:`framing` of every photo, analysed upright as the engine does; saved to ``out`` (.npy)."""
    from headshot_lint.engine import _upright_scene
    from headshot_lint.load import load

    rows = []
    for name in files:
        photo = load(Path(photos) / name)
        scene = _upright_scene(photo)
        f = scene.face
        box = None if f is None else (f.box.x0, f.box.y0, f.box.x1, f.box.y1)
        rows.append(framing(scene.rgb, scene.matte, box, None if f is None else f.keypoints, photo.original_size))
    values = np.array(rows)
    np.save(out, values)
    return values


# -- candidates -------------------------------------------------------------------------
def rank_columns(values: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Each column of ``values`` (n, k) as its rank among the ``train`` rows' values, in [0, 1]
    (the share of training values below it, ties counted half): raw measure values on one
    scale whatever their units and tails, fitted on the training rows only."""
    out = np.zeros(values.shape, np.float64)
    for j in range(values.shape[1]):
        ref = np.sort(values[train, j])
        lo = np.searchsorted(ref, values[:, j], "left")
        hi = np.searchsorted(ref, values[:, j], "right")
        out[:, j] = (lo + hi) / (2.0 * len(ref))
    return out


def ordinal_head(x: np.ndarray, order: np.ndarray, components: int, ridge: float):
    """A direct 3-class head: standardise ``x``, keep ``components`` principal components, fit
    the ordinal regression (poor < fair < good) on them; returns a function x -> (log-odds of
    good, log-odds of poor)."""
    from benchmarks._logistic import fit_ordinal

    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mu) / sd
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    basis = vt[:min(components, vt.shape[0])]
    top, bottom = fit_ordinal(z @ basis.T, order, ridge)

    def log_odds(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = ((xs - mu) / sd) @ basis.T
        return top[0] + p @ top[1:], bottom[0] + p @ bottom[1:]
    return log_odds


def ordinal_log_loss(good: np.ndarray, poor: np.ndarray, order: np.ndarray) -> float:
    """Mean negative log-likelihood of ``order`` (0 poor, 1 fair, 2 good) under the two log-odds."""
    pg, pp = 1 / (1 + np.exp(-good)), 1 / (1 + np.exp(-poor))
    p = np.where(order == 2, pg, np.where(order == 0, pp, 1 - pg - pp))
    return float(-np.mean(np.log(np.maximum(p, 1e-9))))


def ordinal_log_odds(x: np.ndarray, order: np.ndarray, train: np.ndarray, test: np.ndarray,
                     components=(16, 32, 64), ridges=(1.0, 10.0, 100.0)) -> dict:
    """As ``fit_heads.head_log_odds`` for the direct head: PCA size and ridge chosen by the
    inner 5-fold log-loss on ``train``; ``train`` rows out of fold, ``test`` rows from the head
    fitted on all of ``train``; as {"verdict_good": .., "verdict_poor": ..}."""
    from benchmarks._evaluation import stratified_folds

    n = len(order)
    idx = np.flatnonzero(train)
    folds = stratified_folds(list(order[idx] == 2), 5, 1)

    def oof(c, lam):
        g, p = np.zeros(n), np.zeros(n)
        for fold in folds:
            inner = np.zeros(n, bool)
            inner[idx[fold]] = True
            g[inner], p[inner] = ordinal_head(x[train & ~inner], order[train & ~inner], c, lam)(x[inner])
        return g, p
    best = None
    for c in components:
        for lam in ridges:
            g, p = oof(c, lam)
            loss = ordinal_log_loss(g[train], p[train], order[train])
            if best is None or loss < best[0]:
                best = (loss, c, lam, g, p)
    _, c, lam, g, p = best
    if test.any():
        g[test], p[test] = ordinal_head(x[train], order[train], c, lam)(x[test])
    return {"verdict_good": g, "verdict_poor": p}


def soft_log_odds(x: np.ndarray, y: np.ndarray, target: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """As ``fit_heads.head_log_odds`` for one head fitted to ``target`` (the share of raters who
    gave the label) instead of the 0/1 consensus ``y`` (PCA size and ridge still chosen by F1
    against ``y``)."""
    from benchmarks.fit_heads import head_log_odds

    return head_log_odds(x, {"head": y}, train, test, targets={"head": target})["head"]


# -- the run -----------------------------------------------------------------------------
VERDICTS = ("poor", "fair", "good")
#: Extra blocks the person / frame candidates read (``extra_blocks``).
PERSON = ("stride16_person_mean", "stride16_person_std", "final_person_mean", "final_person_std")
FRAME = ("stride16_frame_mean", "stride16_frame_std", "final_frame_mean", "final_frame_std")


def rater_shares(photos, files: Sequence[str]) -> dict[str, np.ndarray]:
    """Per verdict, the share of a photo's raters (ratings.csv) who gave it."""
    import csv

    votes: dict[str, list[str]] = {}
    with open(Path(photos) / "ratings.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            votes.setdefault(r["file"], []).append(r["verdict"])
    return {v: np.array([np.mean([g == v for g in votes[name]]) for name in files]) for v in VERDICTS}


class Context:
    """Everything a candidate reads: the cached features, labels, rules, the rule heads'
    log-odds memoised per training split (they are the same for every candidate)."""

    def __init__(self, photos: Path, cache: Path) -> None:
        from benchmarks import fit_heads
        from benchmarks._evaluation import read_labels
        from headshot_lint.rules import load_pack

        self.photos = photos
        self.rows = read_labels(photos)
        self.files = [r["file"] for r in self.rows]
        with open(cache, "rb") as f:
            self.data = pickle.load(f)
        assert self.data["files"] == self.files, "cache is of another photo set"
        self.truth = np.array([r["verdict"] for r in self.rows])
        self.order = np.array([fit_heads.VERDICT_ORDER[v] for v in self.truth])
        self.labels = {"verdict_good": self.truth == "good", "verdict_poor": self.truth == "poor",
                       **{h: fit_heads.truth_of(self.rows, h) for h in fit_heads.RULE_HEADS}}
        self.rules = {r.name: r for r in load_pack("default").select(["ALL"])}
        self.rule_names = sorted(self.rules)
        self.stages = fit_heads.written_stages(self.data)
        self.cap = fit_heads.verdict_cap(self.data, self.rules, self.rule_names)
        self.x = fit_heads.matrix(self.data, fit_heads.LAYOUT)
        self.shares = rater_shares(photos, self.files)
        framing_file = cache.with_suffix(".framing.npy")
        self.framing = np.load(framing_file) if framing_file.is_file() else None
        self._memo: dict = {}

    def block(self, names: Sequence[str]) -> np.ndarray:
        from benchmarks import fit_heads

        return fit_heads.matrix(self.data, names)

    def rule_log_odds(self, train: np.ndarray, test: np.ndarray) -> dict:
        from benchmarks import fit_heads

        key = train.tobytes()
        if key not in self._memo:
            self._memo[key] = fit_heads.head_log_odds(
                self.x, {h: self.labels[h] for h in fit_heads.RULE_HEADS}, train, test)
        return dict(self._memo[key])

    def raw_values(self, min_share: float = 0.9) -> tuple[list[str], np.ndarray]:
        """Every measured value reported for at least ``min_share`` of the photos and not
        constant (missing ones at the median)."""
        keys = sorted({k for m in self.data["measured"] for k in m})
        cols, names = [], []
        for k in keys:
            have = np.array([k in m for m in self.data["measured"]])
            if have.mean() < min_share:
                continue
            v = np.array([m.get(k, np.nan) for m in self.data["measured"]], np.float64)
            v[~np.isfinite(v)] = np.nanmedian(v)
            if np.ptp(v) > 0:
                cols.append(v)
                names.append(k)
        return names, np.array(cols).T

    def nested(self, seed: int, verdict_log_odds=None, design=None) -> tuple[np.ndarray, np.ndarray]:
        """Held-out verdicts and scores (``fit_heads.nested_verdict``); ``verdict_log_odds``:
        (train, test) -> {"verdict_good", "verdict_poor"} log-odds (default: the shipped heads)."""
        from benchmarks import fit_heads

        def log_odds(train, test):
            lo = self.rule_log_odds(train, test)
            if verdict_log_odds is None:
                lo.update(fit_heads.head_log_odds(
                    self.x, {h: self.labels[h] for h in fit_heads.STACK_HEADS}, train, test))
            else:
                lo.update(verdict_log_odds(train, test))
            return lo
        return fit_heads.nested_verdict(self.x, self.labels, self.truth, self.data, self.rules,
                                        self.rule_names, self.stages, self.cap, seed, log_odds, design)


def candidates(ctx: Context) -> dict:
    """Candidate name -> (verdict heads' log-odds function or None, stacker design or None)."""
    from benchmarks import fit_heads

    def heads_on(x):
        return lambda train, test: fit_heads.head_log_odds(
            x, {h: ctx.labels[h] for h in fit_heads.STACK_HEADS}, train, test)

    def soft_on(x):
        return lambda train, test: {
            "verdict_good": soft_log_odds(x, ctx.labels["verdict_good"], ctx.shares["good"], train, test),
            "verdict_poor": soft_log_odds(x, ctx.labels["verdict_poor"], ctx.shares["poor"], train, test)}

    def with_raw(columns):
        def design(lo, train):
            d = fit_heads.stack_design(lo, ctx.data["scores"], ctx.rule_names, ctx.rules, ctx.stages)
            return np.hstack([d, rank_columns(columns, train)])
        return design

    layout = list(fit_heads.LAYOUT)
    x_person = ctx.block(layout + list(PERSON))
    x_frame = ctx.block(FRAME)
    x_all = ctx.block(layout + list(PERSON) + list(FRAME))
    x_logits = ctx.block(layout + ["logits"])
    _, raw = ctx.raw_values()
    found = {}
    if ctx.framing is not None:
        fr = ctx.framing.copy()
        fr[~np.isfinite(fr)] = np.take(np.nanmedian(fr, axis=0), np.nonzero(~np.isfinite(fr))[1])
        found = {"stacker + framing values (ranked)": (None, with_raw(fr)),
                 "stacker + raw values + framing values": (None, with_raw(np.hstack([raw, fr]))),
                 "heads on bg + logits, stacker + framing": (heads_on(x_logits), with_raw(fr))}
    return {**found, 
        "background heads (shipped before)": (None, None),
        "heads on background + person": (heads_on(x_person), None),
        "heads on the whole frame": (heads_on(x_frame), None),
        "heads on background + person + frame": (heads_on(x_all), None),
        "heads on background + ImageNet logits": (heads_on(x_logits), None),
        "heads on ImageNet logits alone": (heads_on(ctx.block(["logits"])), None),
        "direct 3-class (ordinal) head": (lambda tr, te: ordinal_log_odds(ctx.x, ctx.order, tr, te), None),
        "heads fitted to the raters' shares": (soft_on(ctx.x), None),
        "stacker + raw measure values (ranked)": (None, with_raw(raw)),
        "heads on bg + person, stacker + raw values": (heads_on(x_person), with_raw(raw)),
        "heads on bg + logits fitted to the raters' shares": (soft_on(x_logits), None),
        "heads on bg + person + logits": (heads_on(ctx.block(layout + list(PERSON) + ["logits"])), None),
        "heads on bg + logits, stacker + raw values": (heads_on(x_logits), with_raw(raw)),
        "heads on bg + ImageNet probabilities": (heads_on(ctx.block(layout + ["probs"])), None),
    }


def main(argv: list[str] | None = None) -> int:
    import argparse
    import statistics

    from benchmarks.evaluate import DEFAULT_PHOTOS

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--cache", type=Path, required=True,
                    help="feature cache written by this script's --measure (fit_heads' cache plus extra blocks)")
    ap.add_argument("--measure", action="store_true", help="measure the photos into --cache first")
    ap.add_argument("--framing", action="store_true", help="measure the framing values (next to --cache) first")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=None, help="candidates whose name contains one of these")
    ap.add_argument("--sheets", type=Path, default=None,
                    help="render contact sheets of the shipped stacker's nested errors (seed 0) into this folder")
    args = ap.parse_args(argv)
    if args.measure:
        measure(args.photos, args.cache)
    if args.measure or args.framing:
        from benchmarks._evaluation import read_labels

        measure_framing(args.photos, [r["file"] for r in read_labels(args.photos)], args.cache.with_suffix(".framing.npy"))
    ctx = Context(args.photos, args.cache)
    if args.sheets:
        sheets(ctx, args.sheets)
    print(f"{len(ctx.truth)} photos; nested 5-fold agreement with the consensus verdict, {args.seeds} outer seeds")
    for name, (log_odds, design) in candidates(ctx).items():
        if args.only and not any(o in name for o in args.only):
            continue
        t0 = time.time()
        got, conf = [], np.zeros((3, 3), int)
        for seed in range(args.seeds):
            held, _ = ctx.nested(seed, log_odds, design)
            got.append(float(np.mean(held == ctx.truth)))
            for i, t in enumerate(VERDICTS):
                for j, p in enumerate(VERDICTS):
                    conf[i, j] += int(np.sum((ctx.truth == t) & (held == p)))
        print(f"  {name:<44} {statistics.mean(got):.3f} +- {statistics.pstdev(got):.3f}  "
              f"[{' '.join(f'{g:.3f}' for g in got)}]  confusion (rows true poor/fair/good, summed over seeds) "
              f"{conf.tolist()}  {time.time() - t0:.0f} s", flush=True)
    return 0


def measure(photos: Path, cache: Path) -> None:
    """``fit_heads.measure_all`` with :func:`extra_blocks` added to every photo's pooled blocks."""
    from benchmarks import fit_heads
    from benchmarks._evaluation import read_labels

    fit_heads.measure_all(photos, [r["file"] for r in read_labels(photos)], cache, fresh=True,
                          extra_blocks=extra_blocks)


def sheets(ctx: Context, folder: Path) -> None:
    """Contact sheets of the shipped stacker's nested (seed 0) errors, one per (true, called) pair,
    lowest score first, and of a sample of correct ones for comparison."""
    from headshot_lint.load import load

    folder.mkdir(parents=True, exist_ok=True)
    held, score = ctx.nested(0)
    groups = [(t, p) for t in VERDICTS for p in VERDICTS]
    for t, p in groups:
        idx = np.flatnonzero((ctx.truth == t) & (held == p))
        if t == p:
            idx = idx[:: max(1, len(idx) // 24)][:24]
        idx = idx[np.argsort(score[idx])]
        tiles = []
        for i in idx:
            r = ctx.rows[i]
            problems = [k for k in ("busy", "pattern", "sharp_env", "backlit", "camouflage", "text_logo",
                                    "low_contrast", "white_bg") if r.get(k) == "1"]
            tiles.append((np.array(load(ctx.photos / r["file"]).rgb),
                          f"{r['file'][:30]}|{t}->{p} {score[i]:.0f} a{r.get('agree_verdict')} "
                          f"{','.join(x[:5] for x in problems)}"))
        out = folder / f"{t}_called_{p}.png"
        contact_sheet(tiles, out)
        print(f"  {out}: {len(idx)} photos")


if __name__ == "__main__":
    raise SystemExit(main())
