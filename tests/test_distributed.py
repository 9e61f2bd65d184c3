"""audit_dask on a LocalCluster: the same Reports as audit(), in input order, models loaded once per worker."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image

from headshot_lint import audit
from headshot_lint.errors import HeadshotLintError

pytestmark = pytest.mark.slow  # starts a Dask worker process


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """The astronaut on three flat backgrounds, and a path that does not exist."""
    from skimage import data

    d = tmp_path_factory.mktemp("dask")
    face = data.astronaut()[::2, ::2]
    paths = []
    for n, colour in enumerate([(128, 128, 128), (200, 40, 40), (30, 90, 200)]):
        img = np.empty((400, 360, 3), np.uint8)
        img[:] = colour
        img[100:356, 52:308] = face
        Image.fromarray(img).save(d / f"p{n}.jpg", quality=90)
        paths.append(str(d / f"p{n}.jpg"))
    return paths + [str(d / "missing.jpg")]


def test_reports_equal_audit_in_input_order(photos):
    """Two-photo chunks on a one-process LocalCluster give audit()'s Reports, in order, graphs built once."""
    dd = pytest.importorskip("dask.distributed")
    from headshot_lint.distributed import audit_dask
    from headshot_lint.perception import _mediapipe

    with dd.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            dd.Client(cluster) as client:
        got = list(audit_dask(photos, client, batch_size=2, select=["HL0", "HL3", "HL5"]))
        builds = client.run(lambda: _mediapipe.face_detector.cache_info().misses)
    expected = [audit(p, select=["HL0", "HL3", "HL5"]) for p in photos]
    assert [r.path for r in got] == photos
    assert got == expected
    assert got[-1].findings[0].code == "HL001" and got[0].size == (360, 400)
    # three readable photos in two chunks: each face detector graph built once in the one worker
    assert list(builds.values()) == [2]


def test_missing_dask_names_the_extra(photos, monkeypatch):
    """Without dask installed, audit_dask raises an error that names the [dask] extra."""
    from headshot_lint.distributed import audit_dask

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import now raises ImportError
    with pytest.raises(HeadshotLintError, match=r"headshot-lint\[dask\]"):
        next(audit_dask(photos, client=None))
