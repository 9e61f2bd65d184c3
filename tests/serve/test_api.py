"""The web app's API through Starlette's test client, plus parallel uploads to the real server."""

from __future__ import annotations

import base64
import io
import json
import re
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

import warnings  # noqa: E402

from PIL import Image  # noqa: E402

with warnings.catch_warnings():  # newer Starlette prefers httpx2 for its test client; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from headshot_lint.cli import app as cli_app  # noqa: E402
from headshot_lint.cli.serve import is_loopback  # noqa: E402
from headshot_lint.rules import load_pack  # noqa: E402
from headshot_lint.serve import payload  # noqa: E402
from headshot_lint.serve.app import SECURITY_HEADERS, create_app  # noqa: E402
from tests.conftest import astronaut, astronaut_on_wall  # noqa: E402
from tests.serve import jpeg, running  # noqa: E402

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(warm=False), base_url=LOCAL) as c:
        yield c


@pytest.fixture(scope="module")
def astro(client):
    r = client.post("/api/check?name=astronaut.jpg", content=jpeg(astronaut()))
    assert r.status_code == 200, r.text
    return r.json()


def _decode(uri: str) -> Image.Image:
    head, b64 = uri.split(",", 1)
    assert head.startswith("data:image/") and head.endswith(";base64")
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def test_page_and_assets_are_local_with_security_headers(client):
    """The page, script and style load from this server only and carry the security headers."""
    for path, kind in (("/", "text/html"), ("/app.js", "javascript"), ("/app.css", "text/css")):
        r = client.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"]
        for name, value in SECURITY_HEADERS.items():
            assert r.headers[name] == value
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", r.text, re.I), f"{path} names a remote resource"
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert client.get("/").headers["x-frame-options"] == "DENY"
    assert client.get("/api/health").headers["referrer-policy"] == "no-referrer"


def test_no_request_path_reaches_the_file_system(client):
    """Only the three fixed assets are served: traversal and other names are 404."""
    for path in ("/static/app.js", "/../pyproject.toml", "/%2e%2e/%2e%2e/etc/passwd", "/index.html",
                 "/app.py", "/api/../app.py"):
        r = client.get(path)
        assert r.status_code in (404, 405), path
    assert payload.display_name("../../etc/passwd") == "passwd"
    assert payload.display_name("C:\\Users\\x\\me.jpg") == "me.jpg"
    assert payload.display_name("\x00\n") == "photo"
    assert payload.download_name("../ä b/<script>.jpeg", "fixed", "JPEG") == "script-fixed.jpg"


def test_check_reports_score_rules_tone_and_previews(astro):
    """A real face gives a score in [0, 100], a verdict for every rule, a tone hex and 32/48 px previews."""
    assert 0 <= astro["score"] <= 100 and astro["verdict"] in ("good", "fair", "poor")
    assert astro["name"] == "astronaut.jpg" and astro["size"] == [512, 512]
    codes = {r["code"] for r in astro["rules"]}
    assert codes == {r.code for r in load_pack().select()} - {"HL001"}
    for row in astro["rules"]:
        assert row["status"] in ("error", "warning", "info", "pass", "skipped")
        assert row["what"] and row["why"] and row["summary"]
        if row["status"] in ("error", "warning", "info"):
            assert row["message"] and row["threshold"] is not None and row["value"] is not None
        for g in row["regions"]:
            assert 0 <= g["x0"] <= g["x1"] <= 1 and 0 <= g["y0"] <= g["y1"] <= 1
    assert re.fullmatch(r"#[0-9A-F]{6}", astro["tone"]["hex"])
    assert _decode(astro["previews"]["px32"]).size == (32, 32)
    assert _decode(astro["previews"]["px48"]).size == (48, 48)
    assert max(_decode(astro["image"]).size) == 512  # never upscaled past the original
    assert astro["problem"] is None


def test_fix_downloads_safe_and_retouched_copies(client):
    """The retouch download is a same-size image with a safe file name; an empty plan answers 409."""
    data = jpeg(astronaut_on_wall())
    checked = client.post("/api/check?name=me.jpg", content=data).json()
    assert checked["fixes"]["retouch"]["available"]
    for mode in ("safe", "retouch"):
        r = client.post(f"/api/fix?mode={mode}&name=../me.jpg", content=data)
        if checked["fixes"][mode]["available"]:
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == "image/jpeg"
            assert r.headers["content-disposition"] in ('attachment; filename="me-fixed.jpg"',
                                                        'attachment; filename="me-retouched.jpg"')
            assert Image.open(io.BytesIO(r.content)).size == (512, 512)
        else:
            assert r.status_code == 409 and r.json()["kind"] == "nothing-to-fix"
    assert client.post("/api/fix?mode=everything", content=data).status_code == 400


def test_a_heic_upload_is_checked_and_its_copy_is_a_jpeg(client):
    """An iPhone photo (HEIC) is judged like its JPEG, and its corrected copy downloads as a
    JPEG (every browser opens one), named .jpg."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    Image.fromarray(astronaut_on_wall()).save(buf, "HEIF", quality=95)
    r = client.post("/api/check?name=IMG_0001.HEIC", content=buf.getvalue())
    assert r.status_code == 200, r.text
    doc = r.json()
    as_jpeg = client.post("/api/check?name=me.jpg", content=jpeg(astronaut_on_wall(), quality=95)).json()
    failed = lambda d: sorted(x["code"] for x in d["rules"] if x["status"] not in ("pass", "skipped"))  # noqa: E731
    assert failed(doc) == failed(as_jpeg) and failed(as_jpeg), failed(as_jpeg)
    r = client.post("/api/fix?mode=retouch&name=IMG_0001.HEIC", content=buf.getvalue())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["content-disposition"] == 'attachment; filename="IMG_0001-retouched.jpg"'
    assert Image.open(io.BytesIO(r.content)).format == "JPEG"


@pytest.fixture(scope="module")
def two():
    from tests.test_fix import two_people

    return jpeg(two_people(scale=2.0), quality=92)  # a crop of at least 400 px a side


def test_fix_is_checked_like_the_fix_command_and_says_what_it_did(client, two):
    """Two people, retouch: the copy is the crop to the larger face (4:5, smaller), and the
    headers name the actions, the retry ('' = as planned) and the crop for the page."""
    r = client.post("/api/fix?mode=retouch&name=two.jpg", content=two)
    assert r.status_code == 200, r.text
    assert "crop-to-subject" in r.headers["x-fixes-applied"].split(",")
    assert r.headers["x-fix-fallback"] in ("", "conservative", "no-lift", "tight-matte", "blur-instead")
    assert "Cropped to" in r.headers["x-fix-note"] and "HL003 cleared" in r.headers["x-fix-note"]
    assert "->" in r.headers["x-fix-score"]
    w, h = Image.open(io.BytesIO(r.content)).size
    assert abs(w / h - 0.8) < 0.01 and h < 1024


def test_a_fix_that_would_lose_the_face_is_refused_with_the_reason(client, two, monkeypatch):
    """When every attempt loses the face (actions that paint it over), the API answers 422
    'refused' with the reason and each attempt; no image is sent."""
    from headshot_lint import fix as fixes

    def erase(canvas, params):
        return np.full_like(canvas.rgb, 128)

    for kind, spec in list(fixes.ACTIONS.items()):
        monkeypatch.setitem(fixes.ACTIONS, kind, fixes.ActionKind(kind, spec.order, erase, spec.supersedes))
    r = client.post("/api/fix?mode=retouch&name=two.jpg", content=two)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["kind"] == "refused" and "lost the face" in body["refused"] and body["error"] == body["refused"]
    assert body["refused"].startswith("not offered")
    assert body["attempts"] and all(a["face"] == "face lost" for a in body["attempts"])
    assert body["attempts"][0]["attempt"] == "as planned"


def test_the_page_shows_the_retry_and_the_refusal():
    """The page's script reads the note header and lists a refusal's attempts."""
    from pathlib import Path

    js = (Path(payload.__file__).with_name("static") / "app.js").read_text()
    assert "x-fix-note" in js and 'j.kind === "refused"' in js


@pytest.mark.parametrize("body, words", [
    (b"", "empty"),
    (b"just some text, not a photo", "not an image"),
    (jpeg(np.full((300, 300, 3), 90, np.uint8))[:400], "damaged or cut short"),
])
def test_bad_input_gives_a_clear_message_and_the_server_keeps_serving(client, body, words):
    """Empty, non-image and truncated uploads answer 422 with a message naming the problem."""
    r = client.post("/api/check?name=bad.jpg", content=body)
    assert r.status_code == 422
    assert words in r.json()["error"].lower() and r.json()["name"] == "bad.jpg"
    assert client.get("/api/health").json()["ok"] is True


def test_too_large_upload_is_refused_with_the_limit_named():
    """Over --max-upload-mb answers 413 naming the limit and the option; smaller photos still pass."""
    with TestClient(create_app(max_upload_mb=0.1, warm=False), base_url=LOCAL) as c:
        r = c.post("/api/check", content=b"\xff" * 200_000)
        assert r.status_code == 413
        assert "0.1 MB" in r.json()["error"] and "--max-upload-mb" in r.json()["error"]
        r = c.post("/api/fix", content=b"\xff" * 200_000)
        assert r.status_code == 413
        assert c.get("/api/health").json()["max_upload_bytes"] == int(0.1 * 1024 * 1024)


def test_health_lists_the_formats_this_installation_opens(monkeypatch):
    """The page's hint names HEIC only where the extra that reads it is installed."""
    import importlib.util

    real = importlib.util.find_spec
    for installed in (True, False):
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a, _i=installed: (real("json") if _i else None) if name == "pillow_heif"
                            else real(name, *a))
        with TestClient(create_app(warm=False), base_url=LOCAL) as c:
            formats = c.get("/api/health").json()["formats"]
        assert "JPEG" in formats and "PNG" in formats
        assert ("HEIC" in formats) is installed


def test_no_face_and_several_faces_are_named_on_the_result(client):
    """A faceless photo reports HL002 and two people report HL003 as the result's problem."""
    grey = client.post("/api/check", content=jpeg(np.full((400, 320, 3), 128, np.uint8))).json()
    assert grey["problem"]["code"] == "HL002"
    two = client.post("/api/check", content=jpeg(np.concatenate([astronaut(), astronaut()], axis=1))).json()
    assert two["problem"]["code"] == "HL003"


def test_foreign_host_and_cross_origin_posts_are_refused(client):
    """DNS-rebinding Host names and other sites' Origins get 403 before the body is read."""
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 403
    r = client.post("/api/check", content=b"x", headers={"origin": "http://attacker.example"})
    assert r.status_code == 403 and r.headers["x-frame-options"] == "DENY"
    assert client.post("/api/check", content=b"x", headers={"origin": "null"}).status_code == 403
    assert client.post("/api/check", content=b"x", headers={"origin": LOCAL}).status_code == 422


def test_uploads_leave_no_files_behind(tmp_path, monkeypatch):
    """Checking and fixing a photo creates no file in the temporary folder (nothing is kept)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = jpeg(astronaut_on_wall())
    with TestClient(create_app(warm=False), base_url=LOCAL) as c:
        assert c.post("/api/check", content=data).status_code == 200
        assert c.post("/api/fix?mode=retouch", content=data).status_code == 200
        assert c.post("/api/check", content=b"\x89PNG broken").status_code == 422
    assert list(tmp_path.iterdir()) == []


def test_parallel_uploads_to_the_real_server_do_not_mix():
    """20 photos uploaded at once each get their own answer (size and name match the upload)."""
    base = astronaut()[96:416, 96:416]  # 320 px: fast enough to send 20
    uploads = []
    for k in range(20):
        w = 200 + 8 * k
        img = np.asarray(Image.fromarray(base).resize((w, 320)))
        uploads.append((f"p{k}.jpg", (w, 320), jpeg(img)))

    def post(url: str, name: str, data: bytes) -> dict:
        req = urllib.request.Request(f"{url}/api/check?name={name}", data=data, method="POST")
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    with running(create_app(warm=False, workers=2)) as url:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda u: post(url, u[0], u[2]), uploads))
    for (name, size, _), got in zip(uploads, answers):
        assert got["name"] == name and tuple(got["size"]) == size
        assert 0 <= got["score"] <= 100


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch):
    """Without uvicorn the command names the extra to install and exits 2."""
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "uvicorn":
            raise ImportError("No module named 'uvicorn'", name="uvicorn")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 2
    assert "headshot-lint[serve]" in result.output


def test_loopback_detection():
    """Loopback names and addresses are recognised; anything else gets the warning."""
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.5", "example.com"]))
