"""Probe (issue #19): which cheap values, added to HL201's evidence, tell a silhouette from a
normal face before a light backdrop? Reproduces the comparison behind ``person_l``.

    python benchmarks/probe_backlight.py [--photos ../shared/photos] [--seeds 10] [--select]

Measures every photo once (``backlight`` and its :class:`Exposure`, the half view), computes
the candidates below from the same masks, and prints the nested 5-fold CV F1 (weights and
threshold refitted without the held-out fold, ``benchmarks/_logistic.nested_cv``) over
``--seeds`` fold seeds, mean +- sd, of ``stops_lit`` + ``clipped_fraction`` (the evidence before
2026-12-07) plus each candidate, ridge 1 and 3. ``--select`` also chooses the candidate and the
ridge (1/3/10) inside every outer fold by an inner nested CV (slow: about 8 min).

Looked at first (contact sheets of the errors with the face's lit side and the brightest
background patch drawn): the false alarms were a profile whose "face" was the hair bun, a
front-lit dark-skinned face with specular highlights on light grey, a grimacing face on a light
wall, faces in some shade at the beach and under a sunny sky, a driver beside a bright car
window, a street crowd; their bodies and clothes were lit. The silhouettes are dark throughout.

Results on 321 photos, 10 seeds, ridge 3 unless said (2026-12-07): the pair 0.811 +- 0.019.
Added: the person's mean L* 0.883 +- 0.006 (shipped as ``person_l``), median 0.869 +- 0.010,
25th percentile 0.860, median without the face 0.862, matte-weighted mean 0.862, median of the
upper half 0.823, 75th percentile 0.824; the face's local detail (mean |L* - blur|) 0.840 +-
0.027, its IQR 0.833, its 90/10 spread in stops 0.828 (ridge 1), its highlights (p98 - p50)
0.793-0.809, skin chroma / L* 0.836 (ridge 1), chroma 0.810; the head ring's median in stops
from the lit side 0.828, the share of the ring >= the lit side + 40 L* 0.790, >= L* 80 0.810,
the background above the head in stops 0.822, the bright area's chroma 0.821, the background's
IQR 0.813, std 0.811, bright_l - background_l 0.812, ``bright_offset`` (capped at 10 head widths)
0.799. Candidate and ridge chosen inside the folds among all of them: 0.836 +- 0.021 (the inner
choice is noisy, a person-lightness value in about 2 folds of 3). Without ``clipped_fraction``
(stops_lit + person mean) 0.884 +- 0.006: clipping is redundant once the person counts, kept
for the white-sweep case. The faceless photos the matte misses (a small figure in a doorway, a
figure dissolved in flare) stay not assessable: two labelled-clean photos are not assessable for
the same reason (a 1927 group photo, a face-only crop), so "no person found" is no evidence.

2026-12-07, second round (helper ``photometric``), each added to the three shipped then
(stops_lit, clipped_fraction, person_l: 0.883 +- 0.006), 10 seeds, ridge 3 (values from cached
half views by a throwaway script). Errors looked at first: a dark-skinned face lit from the front
on light grey, a driver before a bright side window, a street crowd whose face is off the matte, a
face in shade at the beach; missed: an old man before a bright window (lit side L* 47), a faceless
sunset silhouette whose top-of-person includes glare in the hair, and the two not assessable.
Judging the face against its own skin (the brief's idea) did not help: face spread p98/p50 in
stops 0.863, p90/p10 0.867, detail in L* 0.862 and in stops 0.862, std of log luminance 0.867,
chroma 0.866, face median minus the rest of the person 0.85-0.86, lit side minus person mean
0.86, share of saturated face pixels 0.883; the face's p50/p75/p95/p98/p99 instead of its p90 in
stops_lit 0.821/0.838/0.795/0.790/0.772; without a face, the top of the person's median or p75
0.788/0.842. background_l 0.887, bright_l 0.872, person median 0.880, person share of the frame
0.877; ridge 10 0.885, 30 0.888; stops_lit x person_l 0.864. What cleared the spread: the gap in
stops from the median L* of the background right around the person's upper half to the face's
lit side, 0.898-0.914 for band widths 1 px to 4 % of the long side (median; p25 0.900, p75
0.893), shipped as ``stops_near`` on the band ``bright_l`` already reads: 0.911 +- 0.006; chosen
inside the folds among 38 candidates 0.896 +- 0.015 (a near-band gap in 47 of 50 folds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from benchmarks._evaluation import Counts, count, read_labels, stratified_folds  # noqa: E402
from benchmarks._logistic import fit_and_threshold, log_odds, nested_cv  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

BASE = ("stops_lit", "clipped_fraction")


def _stops(a: float, b: float) -> float:
    from headshot_lint.measures.backlight import _stops as stops
    return stops(a, b)


def candidates(scene) -> dict | None:
    """The measure's values and the candidates of one photo; None when not assessable."""
    import cv2
    from headshot_lint.measures._views import half_view
    from headshot_lint.measures.backlight import backlight, subject_exposure

    m = backlight(scene)
    if m.status != "ok":
        return None
    x = dict(m.values)
    x["bright_offset"] = min(x.get("bright_offset", 10.0), 10.0)
    v, e = half_view(scene), subject_exposure(scene)
    lab, bg, person, s = v.lab, v.background, v.person, e.subject
    lum = lab[..., 0]
    sp, pl = lum[s], lum[person] if person.any() else lum[s]
    p = {q: float(np.percentile(sp, q)) for q in (10, 25, 50, 75, 90, 98)}
    x.update(face_hi=p[98] - p[50], face_hi_stops=_stops(p[98], p[50]), face_iqr=p[75] - p[25],
             face_spread_stops=_stops(p[90], p[10]))
    ab = lab[..., 1:][s]
    x["chroma"] = float(np.median(np.hypot(ab[:, 0], ab[:, 1])))
    x["chroma_rel"] = x["chroma"] / (p[50] + 5)
    ys, xs = np.nonzero(s)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    hw, hh = x1 - x0, y1 - y0
    x["face_detail"] = float(np.abs(lum - cv2.GaussianBlur(lum, (0, 0), max(1.0, hw / 20)))[s].mean())
    ring = np.zeros_like(bg)
    ring[max(0, int(y0 - 0.7 * hh)):int(y1 + 0.5 * hh), max(0, int(x0 - hw)):int(x1 + hw)] = True
    ring &= bg
    bgl = lum[bg]
    x.update(bg_iqr=float(np.subtract(*np.percentile(bgl, [75, 25]))), bg_std=float(bgl.std()),
             bright_minus_bg=x["bright_l"] - x["background_l"])
    rl = lum[ring] if ring.sum() >= 12 else bgl
    x.update(ring_l=float(np.median(rl)), ring_bright_share=float((rl >= x["lit_l"] + 40).mean()),
             ring_share80=float((rl >= 80).mean()), stops_ring=_stops(float(np.median(rl)), x["lit_l"]))
    above = np.zeros_like(bg)
    above[:max(int(y0), 1), max(0, int(x0 - hw)):int(x1 + hw)] = True
    above &= bg
    x["stops_above"] = _stops(float(np.median(lum[above])) if above.sum() >= 12 else x["background_l"], x["lit_l"])
    bright = bg & (lum >= np.percentile(bgl, 90))
    ab = lab[..., 1:][bright]
    x["bright_chroma"] = float(np.median(np.hypot(ab[:, 0], ab[:, 1])))
    x.update(person_mean=float(pl.mean()), person_med=float(np.median(pl)), person_p25=float(np.percentile(pl, 25)),
             person_p75=float(np.percentile(pl, 75)))
    rows = np.nonzero(person.any(axis=1))[0]
    up = person.copy()
    if rows.size:
        up[int((rows[0] + rows[-1]) / 2):] = False
    x["person_upper_med"] = float(np.median(lum[up])) if up.any() else x["person_med"]
    rest = person & ~s
    x["person_noface_med"] = float(np.median(lum[rest])) if rest.sum() > 20 else x["person_med"]
    x["matte_wmean"] = float((lum * v.matte).sum() / max(float(v.matte.sum()), 1.0))
    return x


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--select", action="store_true", help="also choose the candidate inside the folds (slow)")
    args = ap.parse_args(argv)
    from headshot_lint.load import load
    from headshot_lint.scene import Scene

    rows = read_labels(args.photos)
    y = np.array([r["backlit"] == "1" for r in rows])
    got = [candidates(Scene(load(args.photos / r["file"]))) for r in rows]
    names = [k for k in next(g for g in got if g) if k not in BASE + ("evidence", "person_l")]

    def cols(c):
        return np.array([[g[k] if g else np.nan for k in c] for g in got], float)

    def spread(c, lam):
        f1 = [nested_cv(cols(c), y, lam, 5, s, 0.01).f1 for s in range(args.seeds)]
        return float(np.mean(f1)), float(np.std(f1))

    print("pair %.3f +- %.3f" % spread(BASE, 3.0))
    res = sorted(((*spread(BASE + (n,), lam), n, lam) for n in names for lam in (1.0, 3.0)), reverse=True)
    for m, sd, n, lam in res:
        print(f"  + {n:20s} ridge {lam:g}: {m:.3f} +- {sd:.3f}")
    if args.select:
        configs = [(BASE, lam) for lam in (1.0, 3.0, 10.0)] + [(BASE + (n,), lam) for n in names for lam in (1.0, 3.0, 10.0)]
        xs = {c: cols(c) for c, _ in configs}
        f1s = []
        for seed in range(args.seeds):
            total = Counts()
            for fold in stratified_folds(list(y), 5, seed):
                held = np.zeros(len(y), bool)
                held[fold] = True
                _, c, lam = max(((nested_cv(xs[c][~held], y[~held], lam, 5, 100 + seed, 0.01).f1, c, lam)
                                 for c, lam in configs), key=lambda t: t[0])
                w, t = fit_and_threshold(xs[c][~held], y[~held], lam, 0.01)
                total = total + count(list(y[held]), list(log_odds(w, xs[c][held]) >= t))
            f1s.append(total.f1)
        print(f"candidate and ridge chosen inside the folds: {np.mean(f1s):.3f} +- {np.std(f1s):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
