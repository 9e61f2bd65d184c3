"""Mutation fuzzer for ``load`` and the whole ``audit``: bad bytes must never crash or hang.

Seeds are small valid images made here (JPEG baseline/progressive/grey/EXIF-rotated
with a thumbnail, PNG RGB/RGBA/palette+tRNS/16-bit/interlaced, GIF, WebP, TIFF). Each
input is a seed with 1-4 mutations (bit flips, interesting bytes, insertions, deletions,
splices from another seed, truncation, and format-aware header edits: JPEG SOF/DQT/DHT/
SOS fields, PNG IHDR fields and chunk data with the CRC recomputed so the mutation
reaches the decoder). Input ``i`` of seed ``S`` depends only on ``(S, i)``, so any finding
can be re-made with ``make_input(S, i)``.

Each worker resets its peak RSS before an input (Linux ``clear_refs``) and reports the
peak after it: the run prints the distribution of peak RSS per input and of what each
input added over the RSS it started from.

The contract checked per input, in a worker subprocess with a watchdog:

* ``load(bytes)`` returns a Photo (uint8 (H, W, 3), read-only, long side <= 640) or
  raises a ``LoadError`` subclass; anything else is a **crash**;
* ``audit(bytes)`` returns a Report with a score in [0, 100]; any exception is a **crash**;
* a worker that dies (segfault, abort, out of memory) is a **crash**;
* an input that takes longer than ``--timeout`` s is a **hang** (the worker is killed
  and restarted).

Crashing and hanging inputs are saved to ``--out`` (``<seed>-<i>.<kind>.bin`` plus a
``.txt`` with the traceback). Usage::

    PYTHONPATH=src:. python benchmarks/fuzz.py --n 10000 --seed 1 [--workers 1] [--timeout 10]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import random
import struct
import sys
import time
import traceback
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

SEED_SIDE = 128  # px: small seeds keep an audit at ~50 ms

# ---------------------------------------------------------------- seeds


def make_seeds(side: int = SEED_SIDE) -> List[Tuple[str, bytes]]:
    """Small valid images of every format and several JPEG/PNG flavours."""
    import numpy as np
    from PIL import Image
    from skimage import data

    rgb = Image.fromarray(data.astronaut()).resize((side, side * 3 // 4), Image.Resampling.BILINEAR)

    def enc(im: "Image.Image", fmt: str, **kw) -> bytes:
        buf = io.BytesIO()
        im.save(buf, fmt, **kw)
        return buf.getvalue()

    exif = Image.Exif()
    exif[0x0112] = 6
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray((np.indices(rgb.size[::-1])[1] * 2 % 256).astype("uint8")))
    grey16 = Image.fromarray((np.asarray(rgb.convert("L"), np.uint16) * 257).astype(np.uint16))
    return [
        ("baseline.jpg", enc(rgb, "JPEG", quality=90)),
        ("progressive.jpg", enc(rgb, "JPEG", quality=80, progressive=True)),
        ("grey-420-restart.jpg", enc(rgb.convert("L"), "JPEG", quality=75)),
        ("exif6.jpg", enc(rgb.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=85, exif=exif)),
        ("rgb.png", enc(rgb, "PNG")),
        ("rgba.png", enc(rgba, "PNG")),
        ("palette-trns.png", enc(rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=32), "PNG",
                                 transparency=0)),
        ("grey16.png", enc(grey16, "PNG")),
        ("interlaced.png", enc(rgb, "PNG", interlace=1) if _png_can_interlace() else enc(rgb.convert("L"), "PNG")),
        ("anim.gif", enc(rgb.convert("P"), "GIF", save_all=True, append_images=[rgb.rotate(90).convert("P")])),
        ("lossy.webp", enc(rgb, "WEBP", quality=70)),
        ("lzw.tiff", enc(rgb, "TIFF", compression="tiff_lzw")),
    ]


def _png_can_interlace() -> bool:
    import PIL

    return tuple(int(x) for x in PIL.__version__.split(".")[:2]) >= (11, 0)


# ---------------------------------------------------------------- mutations

_INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0xD8, 0xD9, 0xDA, 0xC0, 0xC2, 0xC4)
_INTERESTING_DIMS = (0, 1, 2, 15, 16, 17, 255, 256, 4096, 14142, 20000, 65535, 0x7FFFFFFF, 0xFFFFFFFF)


def _bitflip(d: bytearray, r: random.Random, _s) -> None:
    for _ in range(r.randint(1, 8)):
        if d:
            i = r.randrange(len(d))
            d[i] ^= 1 << r.randrange(8)


def _interesting(d: bytearray, r: random.Random, _s) -> None:
    for _ in range(r.randint(1, 4)):
        if d:
            d[r.randrange(len(d))] = r.choice(_INTERESTING_BYTES)


def _insert(d: bytearray, r: random.Random, _s) -> None:
    at = r.randrange(len(d) + 1)
    d[at:at] = bytes(r.randrange(256) for _ in range(r.choice((1, 2, 4, 16, 200))))


def _delete(d: bytearray, r: random.Random, _s) -> None:
    if len(d) > 2:
        at = r.randrange(len(d) - 1)
        del d[at:at + r.choice((1, 2, 4, 16, 200))]


def _splice(d: bytearray, r: random.Random, seeds: List[bytes]) -> None:
    other = r.choice(seeds)
    a = r.randrange(len(other))
    piece = other[a:a + r.choice((4, 16, 64, 512))]
    at = r.randrange(len(d) + 1)
    if r.random() < 0.5:
        d[at:at + len(piece)] = piece  # overwrite
    else:
        d[at:at] = piece  # insert


def _duplicate(d: bytearray, r: random.Random, _s) -> None:
    if d:
        a = r.randrange(len(d))
        d[a:a] = d[a:a + r.choice((8, 64, 1024))]


def _truncate(d: bytearray, r: random.Random, _s) -> None:
    del d[r.randrange(len(d) + 1):]


def _jpeg_segments(d: bytearray) -> List[Tuple[int, int, int]]:
    """(marker, payload start, payload length) of the JPEG header segments up to SOS."""
    out, i = [], 2
    while i + 4 <= len(d) and d[i] == 0xFF:
        marker = d[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", bytes(d[i + 2:i + 4]))[0]
        out.append((marker, i + 4, max(0, min(length - 2, len(d) - i - 4))))  # clipped to the data
        if marker == 0xDA:
            break
        i += 2 + length
    return out


def _jpeg_header(d: bytearray, r: random.Random, _s) -> None:
    segs = [s for s in _jpeg_segments(d) if s[2] > 0]
    if not segs:
        return _interesting(d, r, _s)
    marker, start, length = r.choice(segs)
    if marker in (0xC0, 0xC1, 0xC2) and length >= 7 and r.random() < 0.6:
        field_at = start + r.choice((0, 1, 3, 5))  # precision, height, width, components
        if field_at == start or field_at == start + 5:
            d[field_at] = r.choice((0, 1, 2, 3, 4, 8, 12, 16, 255))
        else:
            struct.pack_into(">H", d, field_at, r.choice(_INTERESTING_DIMS) & 0xFFFF)
        return None
    for _ in range(r.randint(1, 3)):
        d[start + r.randrange(length)] = r.choice(_INTERESTING_BYTES + (r.randrange(256),))
    return None


def _png_chunks(d: bytearray) -> List[Tuple[int, int]]:
    """(offset of the length field, payload length) of each PNG chunk."""
    out, i = [], 8
    while i + 12 <= len(d):
        length = struct.unpack(">I", bytes(d[i:i + 4]))[0]
        if i + 12 + length > len(d):
            break
        out.append((i, length))
        i += 12 + length
    return out


def _png_fix_crc(d: bytearray) -> None:
    for at, length in _png_chunks(d):
        struct.pack_into(">I", d, at + 8 + length, zlib.crc32(bytes(d[at + 4:at + 8 + length])))


def _png_header(d: bytearray, r: random.Random, _s) -> None:
    chunks = _png_chunks(d)
    if not chunks:
        return _interesting(d, r, _s)
    at, length = chunks[0] if r.random() < 0.5 else r.choice(chunks)
    if bytes(d[at + 4:at + 8]) == b"IHDR" and length >= 13:
        p = at + 8
        k = r.randrange(5)
        if k < 2:
            struct.pack_into(">I", d, p + 4 * k, r.choice(_INTERESTING_DIMS))
        else:
            d[p + 6 + k] = r.choice({2: (0, 1, 2, 3, 4, 5, 8, 16, 32), 3: (0, 1, 2, 3, 4, 5, 6, 7),
                                     4: (0, 1, 2, 255)}[k])  # bit depth, colour type, interlace
    elif length:
        for _ in range(r.randint(1, 4)):
            d[at + 8 + r.randrange(length)] = r.randrange(256)
    _png_fix_crc(d)
    return None


_MUTATORS: Tuple[Callable, ...] = (_bitflip, _bitflip, _interesting, _insert, _delete, _splice,
                                   _duplicate, _truncate, _jpeg_header, _png_header)


def make_input(seed: int, i: int, seeds: List[Tuple[str, bytes]]) -> Tuple[str, bytes]:
    """Input ``i`` of run ``seed``: (description, bytes); depends only on (seed, i)."""
    r = random.Random(f"{seed}:{i}")
    name, base = r.choice(seeds)
    d = bytearray(base)
    is_png = base.startswith(b"\x89PNG")
    steps = []
    for _ in range(r.choice((1, 1, 2, 3, 4))):
        fn = r.choice(_MUTATORS)
        if fn is _jpeg_header and is_png:
            fn = _png_header
        elif fn is _png_header and not is_png:
            fn = _jpeg_header if base.startswith(b"\xff\xd8") else _interesting
        fn(d, r, [s for _, s in seeds])
        steps.append(fn.__name__.lstrip("_"))
    if is_png and r.random() < 0.6:  # most PNG mutants get valid CRCs, to reach the decoder
        _png_fix_crc(d)
        steps.append("fix_crc")
    return f"{name}:{'+'.join(steps)}", bytes(d)


# ---------------------------------------------------------------- the contract


_RULES: list = []


def pinned_rules() -> list:
    """The default pack's rules, loaded once per worker (and only those whose measure
    exists): the fuzz run judges bytes, isolated from rule files edited while it runs."""
    if not _RULES:
        from headshot_lint.engine import LOAD_MEASURE
        from headshot_lint.measures import registry
        from headshot_lint.rules import load_pack

        measures = registry()
        _RULES.extend(r for r in load_pack("default").select(None, None)
                      if r.measure == LOAD_MEASURE or r.measure in measures)
    return _RULES


def check_contract(data: bytes, audit_every: int = 1) -> str:
    """Run ``load`` and ``audit`` on ``data``; return the outcome, raise on a violation.

    ``audit_every`` > 1 audits only every n-th input that loads (by a hash of its bytes;
    inputs that fail to load are always audited): the quick in-suite run uses it.
    """
    import numpy as np

    from headshot_lint.engine import audit
    from headshot_lint.errors import LoadError
    from headshot_lint.load import ANALYSIS_LONG_SIDE, load

    rules = pinned_rules()

    try:
        photo = load(data)
        rgb = photo.rgb
        assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3, (rgb.dtype, rgb.shape)
        assert not rgb.flags.writeable and max(rgb.shape[:2]) <= ANALYSIS_LONG_SIDE, rgb.shape
        outcome = "loaded"
    except LoadError as exc:
        outcome = exc.kind
    if outcome == "loaded" and audit_every > 1 and zlib.crc32(data) % audit_every:
        return outcome
    report = audit(data, rules=rules)
    assert report.score is None or 0.0 <= report.score <= 100.0, report.score
    if outcome != "loaded":
        assert any(f.code == "HL001" for f in report.findings), "unreadable bytes without HL001"
    return outcome


# ---------------------------------------------------------------- worker + watchdog


def _worker(conn, check: Callable[[bytes], str]) -> None:
    import warnings

    warnings.simplefilter("ignore")  # warnings are not crashes; errors are
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # libtiff/libjpeg chatter on fd 2; a dead worker is still seen
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        i, data = job
        before = _reset_peak_rss()
        t = time.perf_counter()
        try:
            status, detail = "ok", check(data)
        except BaseException:  # noqa: BLE001 - every escape is what we are looking for
            status, detail = "crash", traceback.format_exc()
        conn.send((i, status, detail, time.perf_counter() - t, _status_mb("VmHWM"), before))


def _status_mb(field_name: str) -> float:
    """A memory figure of this process from /proc/self/status, MB (0 where absent)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _reset_peak_rss() -> float:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux: ``5`` to
    /proc/self/clear_refs), so the peak read after an input is that input's; the RSS now, MB."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    return _status_mb("VmRSS")


class _Worker:
    def __init__(self, ctx, check):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, check), daemon=True)
        self.proc.start()
        child.close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


@dataclass
class FuzzResult:
    n: int
    seconds: float
    outcomes: Counter = field(default_factory=Counter)
    crashes: List[Tuple[int, str, str]] = field(default_factory=list)  # (i, description, detail)
    hangs: List[Tuple[int, str]] = field(default_factory=list)
    slowest: Tuple[float, int, str] = (0.0, -1, "")
    peaks: List[Tuple[float, float, int, str]] = field(default_factory=list)  #: (peak MB, added MB, i, desc)

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0


def run(n: int, seed: int, *, timeout: float = 10.0, out: Optional[str] = None, workers: int = 1,
        check: Callable[[bytes], str] = check_contract, start: int = 0, side: int = SEED_SIDE,
        progress: bool = False) -> FuzzResult:
    """Fuzz inputs ``start .. start+n-1`` of run ``seed``; see the module docstring."""
    seeds = make_seeds(side)
    # Never fork: a parent that has already run MediaPipe (as pytest has, by the time this
    # test runs) holds its threads, and a forked child deadlocks on its first graph call.
    ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
    pool = [_Worker(ctx, check) for _ in range(max(1, workers))]
    res = FuzzResult(n=n, seconds=0.0)
    pending: Dict[int, Tuple[int, str, bytes, float]] = {}  # worker index -> job
    todo = iter(range(start, start + n))
    t0 = time.perf_counter()
    done = 0
    first_timeout = timeout + 30.0  # the first job of a worker also imports MediaPipe

    def save(i: int, kind: str, desc: str, data: bytes, detail: str) -> None:
        if out:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, f"{seed}-{i}.{kind}.bin"), "wb") as fh:
                fh.write(data)
            with open(os.path.join(out, f"{seed}-{i}.{kind}.txt"), "w", encoding="utf-8") as fh:
                fh.write(f"seed={seed} i={i} {desc}\n{detail}\n")

    def submit(w: int) -> bool:
        i = next(todo, None)
        if i is None:
            return False
        desc, data = make_input(seed, i, seeds)
        pending[w] = (i, desc, data, time.monotonic())
        pool[w].conn.send((i, data))
        return True

    fresh = set(range(len(pool)))
    for w in range(len(pool)):
        submit(w)
    try:
        while pending:
            for w in list(pending):
                i, desc, data, since = pending[w]
                limit = first_timeout if w in fresh else timeout
                worker = pool[w]
                left = limit - (time.monotonic() - since)
                ready = worker.conn.poll(max(0.0, min(left, 0.05)))
                if ready:
                    try:
                        _, status, detail, secs, peak, before = worker.conn.recv()
                        res.peaks.append((peak, max(0.0, peak - before), i, desc))
                    except EOFError:
                        status, detail, secs = "died", f"worker died (exit code {worker.proc.exitcode})", 0.0
                elif not worker.proc.is_alive():
                    status, detail, secs = "died", f"worker died (exit code {worker.proc.exitcode})", 0.0
                elif left <= 0:
                    status, detail, secs = "hang", f"no answer within {limit:g} s", limit
                else:
                    continue
                del pending[w]
                fresh.discard(w)
                done += 1
                if status == "ok":
                    res.outcomes[detail] += 1
                    if secs > res.slowest[0]:
                        res.slowest = (secs, i, desc)
                elif status == "hang":
                    res.hangs.append((i, desc))
                    save(i, "hang", desc, data, detail)
                else:
                    res.crashes.append((i, desc, detail))
                    save(i, "crash", desc, data, detail)
                if status in ("hang", "died"):
                    worker.kill()
                    pool[w] = _Worker(ctx, check)
                    fresh.add(w)
                if progress and done % 500 == 0:
                    el = time.perf_counter() - t0
                    print(f"  {done}/{n}  {done / el:.1f} inputs/s  crashes {len(res.crashes)}  "
                          f"hangs {len(res.hangs)}", file=sys.stderr, flush=True)
                submit(w)
    finally:
        for worker in pool:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            worker.proc.join(2)
            if worker.proc.is_alive():
                worker.kill()
    res.seconds = time.perf_counter() - t0
    return res


def print_rss(res: FuzzResult) -> None:
    """The distribution of peak RSS per input (the worker's VmHWM, reset before each input)
    and of what each input added over the RSS it started from."""
    if not res.peaks:
        return
    import numpy as np

    peak = np.array([p[0] for p in res.peaks])
    added = np.array([p[1] for p in res.peaks])
    qs = (50, 90, 99, 99.9)
    print(f"peak RSS per input, MB ({len(peak)} inputs): " + ", ".join(
        f"p{q:g} {np.percentile(peak, q):.0f}" for q in qs) + f", max {peak.max():.0f}")
    print("added over the RSS before the input, MB: " + ", ".join(
        f"p{q:g} {np.percentile(added, q):.1f}" for q in qs) + f", max {added.max():.1f}")
    edges = [0, 1, 5, 20, 50, 100, 200, 400, float("inf")]
    counts = np.histogram(added, bins=edges)[0]
    print("added MB histogram: " + ", ".join(
        f"[{lo:g}, {hi:g}) {c}" for lo, hi, c in zip(edges[:-1], edges[1:], counts) if c))
    for p, a, i, desc in sorted(res.peaks, key=lambda x: -x[1])[:5]:
        print(f"  most added: {a:.1f} MB (peak {p:.0f} MB) i={i} {desc}")


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of inputs")
    ap.add_argument("--seed", type=int, default=0, help="run seed (input i depends only on seed, i)")
    ap.add_argument("--start", type=int, default=0, help="first input index (to resume a run)")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-input limit, s (a hang)")
    ap.add_argument("--workers", type=int, default=1, help="worker subprocesses")
    ap.add_argument("--out", default="fuzz-findings", help="folder for crashing/hanging inputs")
    args = ap.parse_args(argv)
    res = run(args.n, args.seed, timeout=args.timeout, out=args.out, workers=args.workers,
              start=args.start, progress=True)
    print(f"fuzz: {res.n} inputs (seed {args.seed}, from {args.start}) in {res.seconds:.1f} s = "
          f"{res.rate:.1f} inputs/s; crashes {len(res.crashes)}, hangs {len(res.hangs)}")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in res.outcomes.most_common()))
    print(f"slowest input: {res.slowest[0]:.2f} s (i={res.slowest[1]}, {res.slowest[2]})")
    print_rss(res)
    for i, desc, detail in res.crashes[:20]:
        print(f"CRASH i={i} {desc}\n{detail.rstrip().splitlines()[-1]}")
    for i, desc in res.hangs[:20]:
        print(f"HANG i={i} {desc}")
    if res.crashes or res.hangs:
        print(f"inputs saved to {args.out}/")
    return 1 if res.crashes or res.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
