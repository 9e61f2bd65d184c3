"""Latency of ``headshot-lint serve``: a 12 MP JPEG uploaded to the real server over loopback.

    python benchmarks/serve_latency.py [--runs 10] [--parallel 20] [--no-browser]

Starts ``python -m headshot_lint serve`` on a free 127.0.0.1 port (a subprocess: the
real command), waits until it is warm (models loaded), then

1. uploads one 12 MP (4000x3000) camera-like JPEG ``--runs`` times in a row and prints
   the time from the start of the upload to the parsed result (median, p90, max);
2. uploads ``--parallel`` different 12 MP JPEGs at once and checks that every answer
   is the right photo's (its size and name);
3. unless ``--no-browser``: drops the photo on the page in headless Chromium (Debian's
   ``chromium`` via Playwright) and prints the page's own upload-to-rendered time.

Target: the first result <= 1 s after the upload (warm server); all parallel answers correct.
Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import numpy as np  # noqa: E402

TARGET_S = 1.0


def photo_12mp(seed: int = 0, width: int = 4000, height: int = 3000) -> bytes:
    """A camera-like 12 MP JPEG (q92, sensor noise): a real face over a busy generated scene."""
    from PIL import Image

    from fixtures.generate import render

    rgb = render("busy-scene", 3)[0]
    side = max(width, height)
    big = np.asarray(Image.fromarray(rgb).resize((round(side * rgb.shape[1] / rgb.shape[0]), side),
                                                 Image.BICUBIC))
    top = (big.shape[0] - height) // 2
    canvas = np.zeros((height, width, 3), np.uint8)
    x0 = (width - big.shape[1]) // 2
    canvas[:, max(0, x0):max(0, x0) + big.shape[1]] = big[top:top + height, :width]
    noise = np.random.default_rng(seed).normal(0, 7.0, canvas.shape)
    canvas = np.clip(canvas + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def _post(url: str, data: bytes) -> dict:
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"content-type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read())


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, "-m", "headshot_lint", "serve", "--port", str(port),
                             "--max-upload-mb", "60"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_warm(base: str, proc: subprocess.Popen, timeout: float = 120.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if _get(base + "/api/health").get("warm"):
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not warm up in time")


def sequential(base: str, data: bytes, runs: int) -> list:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        body = _post(base + "/api/check?name=twelve.jpg", data)
        times.append(time.perf_counter() - t0)
        assert body["size"] == [4000, 3000], body.get("error")
    return times


def parallel(base: str, n: int) -> tuple:
    uploads = [(f"p{k}.jpg", 4000 - 16 * k, photo_12mp(k, width=4000 - 16 * k)) for k in range(n)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(pool.map(lambda u: _post(f"{base}/api/check?name={u[0]}", u[2]), uploads))
    wall = time.perf_counter() - t0
    correct = sum(a.get("name") == name and a.get("size") == [w, 3000] for (name, w, _), a in zip(uploads, answers))
    return correct, wall


def browser(base: str, data: bytes, runs: int) -> list | None:
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        path = Path(tmp) / "twelve.jpg"
        path.write_bytes(data)
        b = pw.chromium.launch(executable_path=chromium, args=args)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        out = []
        for k in range(runs):
            page.set_input_files("#files", [str(path)])
            expect(page.locator(".card.done")).to_have_count(k + 1, timeout=60_000)
            out.append(int(page.locator(".card.done").first.get_attribute("data-ms")) / 1000)
        b.close()
    return out


def _summary(times: list) -> str:
    s = sorted(times)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return f"median {statistics.median(s):.3f} s, p90 {p90:.3f} s, max {s[-1]:.3f} s (n={len(s)})"


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--parallel", type=int, default=20)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)

    data = photo_12mp()
    print(f"photo: 4000x3000 JPEG, {len(data) / 1e6:.1f} MB")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    try:
        print(f"server warm after {wait_warm(base, proc):.1f} s")
        times = sequential(base, data, args.runs)
        ok = statistics.median(times) <= TARGET_S
        print(f"upload -> result, API:  {_summary(times)}  [{'ok' if ok else 'OVER'} target {TARGET_S:g} s]")
        if not args.no_browser:
            page = browser(base, data, max(3, args.runs // 2))
            if page is None:
                print("upload -> rendered, page: skipped (no playwright or chromium)")
            else:
                ok_page = statistics.median(page) <= TARGET_S
                print(f"upload -> rendered, page: {_summary(page)}  "
                      f"[{'ok' if ok_page else 'OVER'} target {TARGET_S:g} s]")
                ok = ok and ok_page
        if args.parallel:
            correct, wall = parallel(base, args.parallel)
            print(f"{args.parallel} parallel uploads: {correct}/{args.parallel} correct, all answered in {wall:.1f} s")
            ok = ok and correct == args.parallel
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
