"""Does ``fix`` make photos better, and would a photographer accept the copies?

    python benchmarks/fix_gain.py [--photos ../shared/photos] [--limit N] [--backdrop flat]
        [--sheet /tmp/sheet.png] [--dump rows.json] [--speed]

For every photo: the ``fix`` command's pipeline (:class:`headshot_lint.fix.Job`) with
every fix allowed (``--unsafe-fixes``): audit, plan, correct with its checks (face kept,
no remnant of the old background, no new finding, every finding a fix was for cleared)
and cautious retries, the copy encoded like the original and re-audited. Copies
go to a temporary folder (never next to the photos). Prints: copies written, refused by
reason, the overall score before and after (written copies), what became of each finding
a written copy was for (cleared / reduced / not cleared), the share of written copies
that clear every finding they fixed (a fix that would not is left out of the copy), the
remnant measure of the written copies (:class:`~headshot_lint.fix_check.RemnantCheck`), copies
written without a face (must be 0), and the fix time.
``--sheet`` renders a contact sheet (before | after) of up to 24 written copies;
``--dump`` writes one JSON row per photo; ``--speed`` times the fix of one photo upscaled
to 12 MP.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402

DEFAULT_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"


def refusal_kind(result) -> str:
    """Why a copy was refused, in one word: "ineffective" when a copy passed its checks but
    did not clear what its fixes were for, else what the last attempt failed on."""
    text = result.refused
    if "no face found" in text:
        return "no-face"
    if "would not clear" in text or "did not clear what it was for" in text:
        return "ineffective"
    if not result.attempts:
        if "under the" in text and "px" in text:
            return "crop-too-small"
        if "cannot crop" in text:
            return "crop-impossible"
        return "all-actions-skipped"
    last = result.attempts[-1]
    if not last.face.kept:
        return "face-lost-or-moved"
    if last.remnants is not None and not last.remnants.clean:
        return "remnants"
    if last.new_findings:
        return "new-finding"
    return "other"


def fix_one(src: str, dst: Path, rules, backdrop: str) -> dict:
    """One photo through the ``fix`` command's pipeline; a row of what happened."""
    from headshot_lint import fix as fixes
    from headshot_lint.retouch.write import output_format, write_bytes

    t = time.perf_counter()
    job = fixes.Job(src, rules, unsafe=True)
    row = {"photo": Path(src).name, "before": job.report.score, "todo": [p.action for p in job.todo]}
    if not job.readable or not job.todo:
        row["status"] = "nothing"
        return row
    result = job.correct(output_format(job.meta, dst), backdrop=backdrop)
    row["seconds"] = round(time.perf_counter() - t, 2)
    row["done"] = list(result.done)
    row["skipped"] = list(result.skipped)
    row["notes"] = list(result.notes)
    row["attempts"] = [a.name + ": " + a.short() for a in result.attempts]
    row["face_on_person"] = fixes.subject_box(job.scene) is not None
    if not result.ok:
        row.update(status="refused", reason=refusal_kind(result), refused=result.refused)
        return row
    write_bytes(dst, result.data, force=True)
    rem = result.remnants
    row.update(status="written", fallback=result.fallback, after=result.after.score,
               outcomes={o.code: o.status for o in result.outcomes},
               remnants=None if rem is None else {"area": round(rem.area, 5), "halo": round(rem.halo, 3),
                                                  "face": round(rem.face, 3)},
               copy=str(dst))
    return row


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


def sheet(rows: list[tuple[str, str]], out: Path, height: int = 240) -> None:
    """Contact sheet: before | after, two photos per line, the file name on each."""
    from headshot_lint.load import load

    tiles = []
    for src, dst in rows:
        pair = []
        for path in (src, dst):
            rgb = np.array(load(path).rgb)
            s = height / rgb.shape[0]
            pair.append(cv2.resize(rgb, (max(1, round(rgb.shape[1] * s)), height), interpolation=cv2.INTER_AREA))
        tile = np.concatenate([pair[0], np.full((height, 4, 3), 255, np.uint8), pair[1]], axis=1)
        cv2.putText(tile, Path(src).name[:36], (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 0, 0), 1)
        tiles.append(tile)
    width = max(t.shape[1] for t in tiles)
    tiles = [np.pad(t, ((0, 8), (0, width - t.shape[1] + 8), (0, 0)), constant_values=255) for t in tiles]
    if len(tiles) % 2:
        tiles.append(np.full_like(tiles[0], 255))
    lines = [np.concatenate(tiles[i:i + 2], axis=1) for i in range(0, len(tiles), 2)]
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
    ap.add_argument("--dump", type=Path, help="write the rows as JSON here")
    ap.add_argument("--speed", action="store_true", help="also time a fix at 12 MP")
    args = ap.parse_args(argv)

    from headshot_lint.fix_check import FACE_SEE_THROUGH_MAX, HALO_MAX, REMNANT_MAX_AREA
    from headshot_lint.rules import load_pack

    rules = load_pack(args.pack).select(None, None)
    photos = sorted(str(p) for p in args.photos.glob("*.jpg"))
    if args.limit:
        photos = photos[:args.limit]
    rows = []
    with tempfile.TemporaryDirectory(prefix="hl-fix-gain-") as tmp:
        for src in photos:
            row = fix_one(src, Path(tmp) / Path(src).name, rules, args.backdrop)
            rows.append(row)
            if row["status"] == "written":
                print(f"{row['photo']:44s} {row['before']:5.1f} -> {row['after']:5.1f}  "
                      f"{' '.join(f'{c}:{v}' for c, v in row['outcomes'].items())}"
                      f"{'  (' + row['fallback'] + ')' if row['fallback'] else ''}", flush=True)
            elif row["status"] == "refused":
                print(f"{row['photo']:44s} {row['before']:5.1f} REFUSED {row['reason']}: {row['refused'][:160]}",
                      flush=True)
        written = [r for r in rows if r["status"] == "written"]
        if args.sheet and written:
            sheet([(str(args.photos / r["photo"]), r["copy"]) for r in written[:24]], args.sheet)
            print(f"contact sheet: {args.sheet}")
    if args.dump:
        args.dump.write_text(json.dumps(rows, indent=1))
    refused = [r for r in rows if r["status"] == "refused"]
    print(f"\nphotos: {len(rows)}, with a fix to apply: {len(written) + len(refused)}, written: {len(written)}, "
          f"refused: {len(refused)}")
    for kind, n in collections.Counter(r["reason"] for r in refused).most_common():
        print(f"  refused, {kind}: {n}")
    if written:
        delta = [r["after"] - r["before"] for r in written]
        print(f"re-audit of the written copies: overall score {statistics.mean(r['before'] for r in written):.1f} -> "
              f"{statistics.mean(r['after'] for r in written):.1f} (mean); change median {statistics.median(delta):+.1f}, "
              f"min {min(delta):+.1f}, max {max(delta):+.1f}; lower than before in {sum(d < 0 for d in delta)}")
        outcomes = collections.Counter(v for r in written for v in r["outcomes"].values())
        total = sum(outcomes.values())
        print(f"findings the written copies were for: {total}; cleared {outcomes['cleared']} "
              f"({100 * outcomes['cleared'] / max(total, 1):.0f} %), reduced {outcomes['reduced']}, "
              f"not cleared {outcomes['not cleared']}")
        every = sum(all(v == "cleared" for v in r["outcomes"].values()) for r in written)
        some = sum(any(v == "cleared" for v in r["outcomes"].values()) for r in written)
        print(f"written copies clearing every finding they fixed: {every} ({100 * every / len(written):.0f} %); "
              f"at least one: {some} ({100 * some / len(written):.0f} %)")
        by_code: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for r in written:
            for c, v in r["outcomes"].items():
                by_code[c][v] += 1
        for c in sorted(by_code):
            n = sum(by_code[c].values())
            print(f"  {c}: {n:3d} fixed, cleared {by_code[c]['cleared']}, reduced {by_code[c]['reduced']}, "
                  f"not cleared {by_code[c]['not cleared']}")
        bg = [r for r in written if r["remnants"] is not None]
        if bg:
            area = [r["remnants"]["area"] for r in bg]
            halo = [r["remnants"]["halo"] for r in bg]
            face = [r["remnants"].get("face", 0.0) for r in bg]
            print(f"remnants of the old background, {len(bg)} written copies with a background fix: old background kept "
                  f"(pieces, patches, smears, see-through subject) median {100 * statistics.median(area):.3f} %, max {100 * max(area):.3f} % (limit "
                  f"{100 * REMNANT_MAX_AREA:.1f} %); halo median {100 * statistics.median(halo):.0f} %, max "
                  f"{100 * max(halo):.0f} % (limit {100 * HALO_MAX:.0f} %); face seen through: max {100 * max(face):.0f} % "
                  f"of its core (limit {100 * FACE_SEE_THROUGH_MAX:.0f} %); over a limit: "
                  f"{sum(a > REMNANT_MAX_AREA for a in area) + sum(h > HALO_MAX for h in halo) + sum(f > FACE_SEE_THROUGH_MAX for f in face)}")
        print(f"written without a face on a person: {sum(not r['face_on_person'] for r in written)}; "
              f"via a cautious retry: {sum(bool(r['fallback']) for r in written)} "
              f"({collections.Counter(r['fallback'] for r in written if r['fallback']).most_common()})")
        print(f"fix time per photo (median, incl. checks and re-audit): "
              f"{statistics.median(r['seconds'] for r in written + refused if 'seconds' in r):.2f} s")
    if args.speed and photos:
        s = speed(photos[0], rules, args.backdrop)
        print(f"12 MP fix ({', '.join(s['actions'])}; {s['attempt']}), load average "
              + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        for k, v in s["stages"].items():
            print(f"  {k:18s} wall " + " ".join(f"{x[0]:.2f}" for x in v)
                  + f"  (median {statistics.median(x[0] for x in v):.2f})   cpu "
                  + " ".join(f"{x[1]:.2f}" for x in v) + f"  (median {statistics.median(x[1] for x in v):.2f}) s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
