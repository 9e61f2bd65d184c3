"""How far a second person agrees with the labels: the ceiling a rule can be measured against.

    python benchmarks/label_agreement.py [--photos ../shared/photos] [--ratings benchmarks/second_rater.csv]
    python benchmarks/label_agreement.py --sheets OUT_DIR [--seed 7]   # blank sheets for a new rater

The targets ask F1 >= 0.85 against one person's labels. Where a second, independent rater
cannot reproduce those labels that well, no detector can be *measured* above it either: the
F1 a rule can show is capped by how consistently the label itself is given.

``--sheets`` draws, per label, 16 photos labelled positive and 24 labelled negative
(stratified, seeded), shuffles them and renders numbered contact sheets (PNG, no labels, no
file names) for a rater to judge by the definitions in ``shared/photos/README.md``, plus a
CSV to fill in. Scoring compares the ratings with ``labels.csv`` and, on the same photos,
the shipped rule (its findings at the shipped thresholds). It prints and writes
``docs/label_agreement.md``:

- counts, F1 and Cohen's kappa of the second rater against the labels on the sample;
- "F1 at prevalence": the same rater's recall and specificity carried to the label's
  prevalence among all labelled photos, ``P = R p / (R p + (1 - S)(1 - p))``, because the
  sample holds 40 % positives where the collection holds 12-26 %, which flatters precision;
- the rule's F1 on the same sample and at prevalence, and its F1 against the second rater.

``benchmarks/second_rater.csv`` (file, label, 0/1) holds the ratings of session 6 (320:
40 per label): one rater, the developer, judging numbered 230 px thumbnails (and, for
``low_contrast``, a 32 px render of the centre square) by the README's definitions, with
neither file names nor labels on the sheets. Not a stranger to the collection: earlier
sessions' notes had named a few of these photos and their labels. It names photos only; the
photos stay in ``shared/photos`` and are never copied.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from benchmarks._evaluation import LABEL_RULES, Counts, count, fmt, read_labels, run_audits  # noqa: E402
from benchmarks.evaluate import DEFAULT_PHOTOS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RATINGS = ROOT / "benchmarks" / "second_rater.csv"
LABELS = ("busy", "pattern", "sharp_env", "camouflage", "low_contrast", "text_logo", "backlit", "white_bg")
POSITIVES, NEGATIVES = 16, 24  #: per label and sample


def kappa(c: Counts) -> float:
    """Cohen's kappa of two binary raters from their confusion counts, in [-1, 1]."""
    n = c.tp + c.fp + c.fn + c.tn
    po = (c.tp + c.tn) / n
    pe = ((c.tp + c.fp) * (c.tp + c.fn) + (c.fn + c.tn) * (c.fp + c.tn)) / n ** 2
    return (po - pe) / (1 - pe) if pe < 1 else float("nan")


def f1_at_prevalence(c: Counts, prevalence: float) -> float:
    """F1 with the recall and specificity of ``c`` at another share of positives, in [0, 1]."""
    if c.tp + c.fn == 0 or c.tn + c.fp == 0:
        return float("nan")
    r = c.tp / (c.tp + c.fn)
    fpr = c.fp / (c.fp + c.tn)
    p = r * prevalence / (r * prevalence + fpr * (1 - prevalence)) if r or fpr else float("nan")
    return 2 * p * r / (p + r) if p + r else 0.0


def read_ratings(path: Path) -> Dict[str, Dict[str, bool]]:
    """label -> file -> the second rater's 0/1."""
    out: Dict[str, Dict[str, bool]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["label"], {})[row["file"]] = row["second_rater"].strip() == "1"
    return out


def draw(rows: Sequence[Mapping[str, str]], label: str, seed: int) -> List[str]:
    """``POSITIVES`` + ``NEGATIVES`` files for ``label``, stratified and shuffled (seeded)."""
    rng = random.Random(f"{seed}:{label}")
    pos = [r["file"] for r in rows if r[label] == "1"]
    neg = [r["file"] for r in rows if r[label] == "0"]
    pick = rng.sample(pos, min(POSITIVES, len(pos))) + rng.sample(neg, min(NEGATIVES, len(neg)))
    rng.shuffle(pick)
    return pick


def _sheets(photos: Path, out: Path, seed: int) -> None:
    import cv2
    import numpy as np

    rows = read_labels(photos)
    out.mkdir(parents=True, exist_ok=True)
    lines = ["file,label,second_rater"]
    for label in LABELS:
        files = draw(rows, label, seed)
        tiles = []
        for i, name in enumerate(files):
            im = cv2.imread(str(photos / name))
            h, w = im.shape[:2]
            k = min(230 / h, 300 / w)
            small = cv2.resize(im, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
            tile = np.full((260, 420, 3), 255, np.uint8)
            tile[:small.shape[0], :small.shape[1]] = small
            if label == "low_contrast":  # what a 32 px thumbnail leaves, enlarged to be seen
                s = min(h, w)
                sq = im[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
                tile[:96, 310:406] = cv2.resize(cv2.resize(sq, (32, 32), interpolation=cv2.INTER_AREA), (96, 96))
            cv2.putText(tile, f"#{i}", (5, 252), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 255), 2)
            tiles.append(tile)
            lines.append(f"{name},{label},")
        for part in range(0, len(tiles), 20):
            block = tiles[part:part + 20]
            block += [np.full_like(tiles[0], 255)] * (-len(block) % 5)
            sheet = np.vstack([np.hstack(block[k:k + 5]) for k in range(0, len(block), 5)])
            cv2.imwrite(str(out / f"{label}_{part // 20}.png"), sheet)
    (out / "ratings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote sheets and {out / 'ratings.csv'} (fill in 0/1 in photo order #0, #1, ...)")


def _score(photos: Path, ratings_path: Path, docs: Path | None) -> int:
    rows = read_labels(photos)
    by_file = {r["file"]: r for r in rows}
    ratings = read_ratings(ratings_path)
    files = sorted({f for per in ratings.values() for f in per})
    results = {r.file: r for r in run_audits(photos, files)}
    table = ["| label | rule | photos (labelled +) | rater vs labels TP FP FN TN | F1 | κ | F1 at prevalence "
             "| rule vs labels F1 | rule F1 at prevalence | rule vs rater F1 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, per in ratings.items():
        names = LABEL_RULES.get(label, ())
        sample = sorted(per)
        truth = [by_file[f][label] == "1" for f in sample]
        second = [per[f] for f in sample]
        prevalence = sum(r[label] == "1" for r in rows) / len(rows)
        c = count(truth, second)
        cells = [label, ", ".join(names), f"{len(sample)} ({sum(truth)})", f"{c.tp} {c.fp} {c.fn} {c.tn}",
                 fmt(c.f1), f"{kappa(c):.2f}", fmt(f1_at_prevalence(c, prevalence))]
        if names:
            pred = [names[0] in results[f].flagged for f in sample]
            rc = count(truth, pred)
            cells += [fmt(rc.f1), fmt(f1_at_prevalence(rc, prevalence)), fmt(count(second, pred).f1)]
        else:
            cells += ["–"] * 3
        table.append("| " + " | ".join(cells) + " |")
    text = "\n".join(table)
    print(text)
    if docs is not None:
        docs.write_text(
            "# Agreement of a second rater with the labels\n\n"
            f"Generated by `python benchmarks/label_agreement.py` from `{ratings_path.relative_to(ROOT)}` "
            "(see the script's docstring for how the sample was drawn and judged). Do not edit by hand.\n\n"
            "F1 and κ are on the stratified sample (40 % positives); \"at prevalence\" carries recall and "
            "specificity to the label's share among all labelled photos. The rule columns judge the same "
            "photos with the shipped thresholds.\n\n" + text + "\n", encoding="utf-8")
        print(f"wrote {docs}")
    return 0


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS, help="folder with JPEGs and labels.csv")
    ap.add_argument("--ratings", type=Path, default=DEFAULT_RATINGS, help="second rater's CSV (file,label,second_rater)")
    ap.add_argument("--sheets", type=Path, help="write blank contact sheets and a CSV for a new rater here instead")
    ap.add_argument("--seed", type=int, default=7, help="seed of the sample --sheets draws")
    ap.add_argument("--docs", type=Path, default=ROOT / "docs" / "label_agreement.md", help="Markdown to (re)write")
    ap.add_argument("--no-docs", action="store_true", help="do not write the Markdown file")
    args = ap.parse_args(argv)
    if args.sheets is not None:
        _sheets(args.photos, args.sheets, args.seed)
        return 0
    return _score(args.photos, args.ratings, None if args.no_docs else args.docs)


if __name__ == "__main__":
    raise SystemExit(main())
