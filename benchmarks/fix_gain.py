"""Does ``fix`` make photos better? check -> fix -> check over labelled real photos.

    python benchmarks/fix_gain.py [--photos ../shared/photos] [--limit N] [--backdrop flat]
        [--sheet /tmp/sheet.png] [--speed]

For every photo: audit, plan with every fix allowed (``--unsafe-fixes``), correct
as the ``fix`` command does (with its face check and fallbacks), write the copy to a
temporary folder (never next to the photos), audit the copy. Prints per-rule mean
scores before and after, the overall score (a refused copy counts as unchanged), how
many findings disappeared, the share of photos with a background finding that score
higher, the face kept / moved / refused beside the detector's jitter on the original
re-encoded without a fix, and the fix time.
``--sheet`` also renders a contact sheet (before | after | 32 px circle) of up to a
dozen fixed photos; ``--speed`` times the fix of one photo upscaled to 12 MP.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"
#: Actions that change the background (what "a background finding" asks for).
BACKGROUND_ACTIONS = frozenset({"replace-background", "blur-background"})


def fix_one(src: str, dst: Path, rules, backdrop: str):
    """(report before, plan, seconds to fix, Correction or None, baseline FaceCheck or None,
    merged-box check or None, written path or None).

    The fix is the ``fix`` command's: :func:`headshot_lint.fix.correct` with the copy
    encoded like the original, so the face check sees the bytes that are written; a
    refused copy is not written. The baseline is the same face check on the original
    pixels re-encoded the same way (no fix): the detector's own jitter.
    """
    from headshot_lint import fix as fixes
    from headshot_lint.engine import audit
    from headshot_lint.load import load, load_full
    from headshot_lint.retouch.write import encode, output_format, write_bytes
    from headshot_lint.scene import Scene

    before = audit(src, rules=rules)
    planned = fixes.plan(before.findings, unsafe=True)
    todo = [p for p in planned if p.applies]
    if not todo or before.size is None:
        return before, planned, 0.0, None, None, None, None
    t = time.perf_counter()
    rgb, meta = load_full(src)
    scene = Scene(load(src))
    fmt = output_format(meta, dst)
    result = fixes.correct(todo, rgb, scene, backdrop=backdrop, encode=lambda px: encode(px, meta, fmt))
    if result.ok:
        write_bytes(dst, result.data, force=True)
    seconds = time.perf_counter() - t
    # None: no face on the person in the original (nothing a fix could lose).
    baseline = fixes.face_check(scene, encode(rgb, meta, fmt)) if fixes.subject_box(scene) else None
    merged = merged_box_check(scene, result.data) if result.ok else None
    return before, planned, seconds, result, baseline, merged, dst if result.ok else None


def merged_box_check(before, data: bytes) -> tuple[float, float]:
    """The check as first written (kept for comparison): the largest, most central merged
    detection before against the best-overlapping merged detection after, (IoU, shift).
    It follows MediaPipe's range switches and background false positives."""
    from headshot_lint.load import load
    from headshot_lint.scene import Scene

    if before.face is None:
        return 1.0, 0.0
    after = Scene(load(data, long_side=max(before.width, before.height)))
    b = before.face.box
    sx, sy = after.width / before.width, after.height / before.height
    scaled = type(b)(b.x0 * sx, b.y0 * sy, b.x1 * sx, b.y1 * sy)
    overlapping = [f.box for f in after.faces if f.box.iou(scaled) > 0]
    if not overlapping:
        return 0.0, 1.0
    a = max(overlapping, key=scaled.iou)
    dx = max(abs(a.x0 - scaled.x0), abs(a.x1 - scaled.x1)) / after.width
    dy = max(abs(a.y0 - scaled.y0), abs(a.y1 - scaled.y1)) / after.height
    return float(a.iou(scaled)), float(max(dx, dy))


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
    """Seconds of each stage of a fix on ``photo`` upscaled to 4000x3000 (12 MP), as the
    ``fix`` command runs it (including the face check on the encoded copy): per run,
    wall-clock and CPU (``time.process_time``: all threads of this process; on a shared
    machine wall time also counts waiting for a core)."""
    from headshot_lint import fix as fixes
    from headshot_lint.engine import audit
    from headshot_lint.load import load, load_full
    from headshot_lint.retouch.write import encode, output_format, write_bytes
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
        stages: dict[str, list[tuple[float, float]]] = {}
        fallback = ""
        for i in range(repeats + 1):
            marks = [(time.perf_counter(), time.process_time())]
            rgb, meta = load_full(big)
            marks.append((time.perf_counter(), time.process_time()))
            scene = Scene(load(big))
            _ = scene.matte, scene.face
            marks.append((time.perf_counter(), time.process_time()))
            fmt = output_format(meta, big)
            result = fixes.correct(todo, rgb, scene, backdrop=backdrop, encode=lambda px: encode(px, meta, fmt))
            marks.append((time.perf_counter(), time.process_time()))
            if result.ok:
                write_bytes(Path(tmp) / "out.jpg", result.data, force=True)
            marks.append((time.perf_counter(), time.process_time()))
            fallback = result.fallback or ("refused" if not result.ok else "as planned")
            if i == 0:
                continue  # warm-up
            for k, (a, b) in zip(("load_full", "perceive", "fix+encode+check", "write"), zip(marks, marks[1:])):
                stages.setdefault(k, []).append((b[0] - a[0], b[1] - a[1]))
            stages.setdefault("total", []).append((marks[-1][0] - marks[0][0], marks[-1][1] - marks[0][1]))
        return {"actions": [p.action for p in todo], "attempt": fallback, "stages": stages}


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
            before, planned, seconds, result, baseline, merged, dst = fix_one(
                src, Path(tmp) / Path(src).name, rules, args.backdrop)
            if result is None:
                continue
            bg = any(p.applies and p.action in BACKGROUND_ACTIONS for p in planned)
            was = {f.code for f in before.findings}
            total_findings += len(was)
            if dst is None:  # refused: nothing written, nothing gained
                rows.append(Row(src, before.score, before.score, bg, result, baseline, merged, seconds))
                print(f"{Path(src).name:48s} {before.score:5.1f} -> REFUSED  {result.refused}  {seconds:.2f}s")
                continue
            after = audit(str(dst), rules=rules)
            for name, q in before.scores.items():
                if name in after.scores:
                    per_rule.setdefault(name, []).append((q, after.scores[name]))
            now = {f.code for f in after.findings}
            gone += len(was - now)
            rows.append(Row(src, before.score, after.score, bg, result, baseline, merged, seconds))
            if len(sheet_rows) < 12:
                sheet_rows.append((src, str(dst)))
            note = (f"  ({result.fallback})" if result.fallback else "") + \
                (f"  baseline {baseline.short()}" if baseline is not None and not baseline.kept else "") + \
                ("" if result.attempts[0][1].kept else f"  as planned: {result.attempts[0][1].short()}")
            print(f"{Path(src).name:48s} {before.score:5.1f} -> {after.score:5.1f}  "
                  f"{','.join(sorted(was))} -> {','.join(sorted(now)) or '-'}  {seconds:.2f}s{note}")
        if args.sheet and sheet_rows:
            sheet(sheet_rows, args.sheet)
            print(f"contact sheet: {args.sheet}")
    print(f"\nphotos: {len(photos)}, with a fix to apply: {len(rows)}, written: "
          f"{sum(r.result.ok for r in rows)}, refused: {sum(not r.result.ok for r in rows)}")
    print(f"{'rule (written copies)':32s} {'n':>4s} {'before':>7s} {'after':>7s}")
    for name, pairs in sorted(per_rule.items()):
        b = statistics.mean(p[0] for p in pairs)
        a = statistics.mean(p[1] for p in pairs)
        print(f"{name:32s} {len(pairs):4d} {b:7.1f} {a:7.1f}")
    if rows:
        print(f"{'overall (refused = unchanged)':32s} {len(rows):4d} {statistics.mean(r.before for r in rows):7.1f} "
              f"{statistics.mean(r.after for r in rows):7.1f}")
    bg_rows = [r for r in rows if r.background]
    if bg_rows:
        better = sum(r.after > r.before for r in bg_rows)
        print(f"with a background fix: {len(bg_rows)}; score higher: {better} ({100 * better / len(bg_rows):.0f} %); "
              f"mean overall {statistics.mean(r.before for r in bg_rows):.1f} -> "
              f"{statistics.mean(r.after for r in bg_rows):.1f} (refused count as unchanged)")
    print(f"findings disappeared: {gone} of {total_findings}")
    if rows:
        face_report(rows)
        print(f"fix time per photo (as stored, median, incl. face check): {statistics.median(r.seconds for r in rows):.2f} s")
    if args.speed and photos:
        s = speed(photos[0], rules, args.backdrop)
        print(f"12 MP fix ({', '.join(s['actions'])}; {s['attempt']}), load average "
              + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        for k, v in s["stages"].items():
            print(f"  {k:18s} wall " + " ".join(f"{x[0]:.2f}" for x in v)
                  + f"  (median {statistics.median(x[0] for x in v):.2f})   cpu "
                  + " ".join(f"{x[1]:.2f}" for x in v) + f"  (median {statistics.median(x[1] for x in v):.2f}) s")
    return 0


@dataclass
class Row:
    src: str
    before: float
    after: float
    background: bool
    result: object  # headshot_lint.fix.Correction
    baseline: object  # FaceCheck of the re-encoded original; None without a face on the person
    merged: object  # merged_box_check of the written copy, or None
    seconds: float


def face_report(rows: list[Row]) -> None:
    """Face kept / moved / lost / refused, beside the detector's jitter with no fix."""
    from headshot_lint.fix import MIN_PERSON_WITHOUT_FACE as MIN_PERSON

    faced = [r for r in rows if r.baseline is not None]
    written = [r for r in faced if r.result.ok]
    tried = [r for r in faced if r.result.attempts]  # not those whose every action was skipped
    print(f"face (subject's box, same detector range, on the written bytes), {len(faced)} photos with a face "
          f"on the person, {len(tried)} with pixels changed: as planned found "
          f"{sum(r.result.attempts[0][1].found for r in tried)}, same box within 2 % "
          f"{sum(r.result.attempts[0][1].kept for r in tried)}; written {len(written)} (face kept "
          f"{sum(r.result.check.kept for r in written)}, {sum(bool(r.result.fallback) for r in written)} via a "
          f"fallback), refused {len(faced) - len(written)}; actions skipped in "
          f"{sum(bool(r.result.skipped) for r in rows)} photos")
    blind = [r for r in rows if r.baseline is None]
    print(f"no face on the person in the original: {len(blind)}; refused (person under "
          f"{100 * MIN_PERSON:.0f} % of the photo): {sum(not r.result.ok for r in blind)}, written unchecked: "
          f"{sum(r.result.ok for r in blind)}")
    base = [r.baseline for r in rows if r.baseline is not None]
    print(f"baseline jitter (original re-encoded, no fix): of {len(base)} with a face, box moved > 2 % in "
          f"{sum(not b.kept for b in base)}, lost in {sum(not b.found for b in base)}")
    merged = [r.merged for r in written if r.merged is not None]
    if merged:
        print(f"first check (merged primary box, any range; kept for comparison): of {len(merged)} written, "
              f"found {sum(m[0] >= 0.5 for m in merged)}, within 2 % {sum(m[1] <= 0.02 for m in merged)}")


if __name__ == "__main__":
    sys.exit(main())
