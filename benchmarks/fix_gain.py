"""Does ``fix`` make photos better? check -> fix -> check over labelled real photos.

    python benchmarks/fix_gain.py [--photos ../shared/photos] [--limit N] [--backdrop flat]
        [--sheet /tmp/sheet.png] [--speed]

For every photo: audit, plan with every fix allowed (``--unsafe-fixes``), apply,
write the corrected copy to a temporary folder (never next to the photos), audit
the copy. Prints per-rule mean scores before and after, the overall score, how many
findings disappeared, the share of photos with a background finding that score
higher, whether the face was kept (same box within 2 %), and the fix time.
``--sheet`` also renders a contact sheet (before | after | 32 px circle) of up to a
dozen fixed photos; ``--speed`` times the fix of one photo upscaled to 12 MP.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"
#: Actions that change the background (what "a background finding" asks for).
BACKGROUND_ACTIONS = frozenset({"replace-background", "blur-background"})


def fix_one(src: str, dst: Path, rules, backdrop: str):
    """(report before, plan, seconds to fix, face kept, written path or None)."""
    from headshot_lint import fix as fixes
    from headshot_lint.engine import audit
    from headshot_lint.load import load, load_full
    from headshot_lint.retouch.write import write_like
    from headshot_lint.scene import Scene

    before = audit(src, rules=rules)
    planned = fixes.plan(before.findings, unsafe=True)
    todo = [p for p in planned if p.applies]
    if not todo or before.size is None:
        return before, planned, 0.0, (1.0, 0.0), None
    t = time.perf_counter()
    rgb, meta = load_full(src)
    scene = Scene(load(src))
    fixed, _ = fixes.apply(todo, rgb, scene, backdrop=backdrop)
    write_like(dst, fixed, meta, force=True)
    seconds = time.perf_counter() - t
    return before, planned, seconds, fixes.face_check(scene, fixed), dst


def circle(rgb: np.ndarray, scene_face, size: int = 32) -> np.ndarray:
    """The photo as a 32 px circular avatar around the face, shown 4x enlarged."""
    h, w = rgb.shape[:2]
    if scene_face is not None:
        (cx, cy), side = scene_face
    else:
        cx, cy, side = w / 2, h / 2, min(w, h)
    half = int(min(side / 2, cx, cy, w - cx, h - cy))
    half = max(half, 8)
    crop = rgb[max(0, int(cy) - half):int(cy) + half, max(0, int(cx) - half):int(cx) + half]
    small = cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
    big = cv2.resize(small, (size * 4, size * 4), interpolation=cv2.INTER_NEAREST)
    mask = np.zeros(big.shape[:2], np.uint8)
    cv2.circle(mask, (size * 2, size * 2), size * 2, 1, -1)
    big[mask == 0] = 255
    return big


def sheet(rows: list[tuple[str, str]], out: Path, height: int = 300) -> None:
    """Contact sheet: before | after | 32 px circle of the after, one row per photo."""
    from headshot_lint.load import load
    from headshot_lint.scene import Scene

    lines = []
    for src, dst in rows:
        tiles = []
        for path in (src, dst):
            rgb = np.array(load(path).rgb)
            s = height / rgb.shape[0]
            tiles.append(cv2.resize(rgb, (max(1, round(rgb.shape[1] * s)), height), interpolation=cv2.INTER_AREA))
        photo = load(dst)
        face = Scene(photo).face
        spec = None
        if face is not None:
            b = face.box
            spec = (b.center, 2.2 * max(b.width, b.height))
        av = circle(np.array(photo.rgb), spec)
        pad = np.full((height, av.shape[1], 3), 255, np.uint8)
        pad[(height - av.shape[0]) // 2:(height - av.shape[0]) // 2 + av.shape[0]] = av
        line = np.concatenate([tiles[0], np.full((height, 6, 3), 255, np.uint8), tiles[1],
                               np.full((height, 6, 3), 255, np.uint8), pad], axis=1)
        cv2.putText(line, Path(src).name[:40], (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 0, 0), 1)
        lines.append(line)
    width = max(x.shape[1] for x in lines)
    lines = [np.pad(x, ((0, 6), (0, width - x.shape[1]), (0, 0)), constant_values=255) for x in lines]
    cv2.imwrite(str(out), cv2.cvtColor(np.concatenate(lines, axis=0), cv2.COLOR_RGB2BGR))


def speed(photo: str, rules, backdrop: str, repeats: int = 3) -> dict:
    """Median seconds of each stage of a fix on ``photo`` upscaled to 4000x3000 (12 MP)."""
    from headshot_lint import fix as fixes
    from headshot_lint.engine import audit
    from headshot_lint.load import load, load_full
    from headshot_lint.retouch.write import write_like
    from headshot_lint.scene import Scene
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="hl-speed-") as tmp:
        big = Path(tmp) / "12mp.jpg"
        im = Image.open(photo).convert("RGB")
        w, h = im.size
        size = (4000, 3000) if w >= h else (3000, 4000)
        im.resize(size, Image.Resampling.BICUBIC).save(big, quality=92)
        todo = [p for p in fixes.plan(audit(str(big), rules=rules).findings, unsafe=True) if p.applies]
        if not todo:
            todo = [fixes.PlannedFix("replace-background", "", {"recommended_hex": "#808080"}, "retouch",
                                     ("HL301",), ("background-tone",), fixes.APPLY)]
        stages: dict[str, list[float]] = {}
        for i in range(repeats + 1):
            t0 = time.perf_counter()
            rgb, meta = load_full(big)
            t1 = time.perf_counter()
            scene = Scene(load(big))
            _ = scene.matte, scene.face
            t2 = time.perf_counter()
            fixed, _ = fixes.apply(todo, rgb, scene, backdrop=backdrop)
            t3 = time.perf_counter()
            write_like(Path(tmp) / "out.jpg", fixed, meta, force=True)
            t4 = time.perf_counter()
            if i == 0:
                continue  # warm-up
            for k, v in (("load_full", t1 - t0), ("perceive", t2 - t1), ("apply", t3 - t2),
                         ("write", t4 - t3), ("total", t4 - t0)):
                stages.setdefault(k, []).append(v)
        return {"actions": [p.action for p in todo], **{k: statistics.median(v) for k, v in stages.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    ap.add_argument("--limit", type=int, default=0, help="only the first N photos")
    ap.add_argument("--backdrop", default="flat", choices=("flat", "gradient"))
    ap.add_argument("--pack", default="default")
    ap.add_argument("--sheet", type=Path, help="write a contact sheet PNG here (never into the repo)")
    ap.add_argument("--speed", action="store_true", help="also time a fix at 12 MP")
    args = ap.parse_args(argv)

    from headshot_lint.engine import audit
    from headshot_lint.rules import load_pack

    rules = load_pack(args.pack).select(None, None)
    photos = sorted(str(p) for p in args.photos.glob("*.jpg"))
    if args.limit:
        photos = photos[:args.limit]
    per_rule: dict[str, list[tuple[float, float]]] = {}
    rows, sheet_rows = [], []
    gone = total_findings = 0
    with tempfile.TemporaryDirectory(prefix="hl-fix-gain-") as tmp:
        for src in photos:
            before, planned, seconds, kept, dst = fix_one(src, Path(tmp) / Path(src).name, rules, args.backdrop)
            if dst is None:
                continue
            after = audit(str(dst), rules=rules)
            for name, q in before.scores.items():
                if name in after.scores:
                    per_rule.setdefault(name, []).append((q, after.scores[name]))
            was = {f.code for f in before.findings}
            now = {f.code for f in after.findings}
            total_findings += len(was)
            gone += len(was - now)
            bg = any(p.applies and p.action in BACKGROUND_ACTIONS for p in planned)
            rows.append((src, before.score, after.score, bg, kept, seconds))
            if len(sheet_rows) < 12:
                sheet_rows.append((src, str(dst)))
            lost = ("  FACE LOST" if kept[0] < 0.5 else "") + (f"  box moved {100 * kept[1]:.1f} %" if kept[1] > 0.02 else "")
            print(f"{Path(src).name:48s} {before.score:5.1f} -> {after.score:5.1f}  "
                  f"{','.join(sorted(was))} -> {','.join(sorted(now)) or '-'}  {seconds:.2f}s{lost}")
        if args.sheet and sheet_rows:
            sheet(sheet_rows, args.sheet)
            print(f"contact sheet: {args.sheet}")
    print(f"\nphotos: {len(photos)}, fixed: {len(rows)}")
    print(f"{'rule':32s} {'n':>4s} {'before':>7s} {'after':>7s}")
    for name, pairs in sorted(per_rule.items()):
        b = statistics.mean(p[0] for p in pairs)
        a = statistics.mean(p[1] for p in pairs)
        print(f"{name:32s} {len(pairs):4d} {b:7.1f} {a:7.1f}")
    bg_rows = [r for r in rows if r[3]]
    if rows:
        print(f"{'overall':32s} {len(rows):4d} {statistics.mean(r[1] for r in rows):7.1f} "
              f"{statistics.mean(r[2] for r in rows):7.1f}")
    if bg_rows:
        better = sum(r[2] > r[1] for r in bg_rows)
        print(f"with a background fix: {len(bg_rows)}; score higher: {better} ({100 * better / len(bg_rows):.0f} %); "
              f"mean overall {statistics.mean(r[1] for r in bg_rows):.1f} -> {statistics.mean(r[2] for r in bg_rows):.1f}")
    print(f"findings disappeared: {gone} of {total_findings}")
    print(f"face found again (IoU >= 0.5): {sum(r[4][0] >= 0.5 for r in rows)} of {len(rows)}; "
          f"same box within 2 %: {sum(r[4][1] <= 0.02 for r in rows)}; within 5 %: {sum(r[4][1] <= 0.05 for r in rows)}")
    if rows:
        print(f"fix time per photo (as stored, median): {statistics.median(r[5] for r in rows):.2f} s")
    if args.speed and photos:
        s = speed(photos[0], rules, args.backdrop)
        print("12 MP fix, median of 3 (s): " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                                       for k, v in s.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
