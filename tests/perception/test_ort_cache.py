"""Optimised onnxruntime graphs kept in the model cache: built once per machine, read back by
later processes with optimisation off, the same outputs bit for bit, rebuilt when damaged."""

from __future__ import annotations

import numpy as np
import pytest

from headshot_lint import _model_cache as mc
from headshot_lint.perception import _ort, embedding, text_detector

pytest.importorskip("onnxruntime")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    d = tmp_path / "cache" / "models"
    monkeypatch.setenv(mc.ENV, str(d))
    return d


class Model:
    """The text detector's model file, counting how often it is asked for."""

    def __init__(self) -> None:
        self.path, self.calls = text_detector.model_path("det"), 0
        if self.path is None:
            pytest.skip("the PP-OCRv5 detector is not installed")

    def __call__(self) -> str:
        self.calls += 1
        return self.path


def _det_input() -> dict:
    x = np.random.default_rng(26).normal(0, 1, (1, 3, 320, 416)).astype(np.float32)
    return {"x": x}


@pytest.mark.parametrize("threads", [1, 2])
def test_the_cached_graph_gives_the_same_outputs_bit_for_bit(folder, threads):
    model = Model()
    identity = _ort.file_identity(model.path)
    first = _ort.session("det", identity, model, threads)  # optimised here, graph stored
    entries = list(folder.glob(f"ort-det-t{threads}-*.bin"))
    assert len(entries) == 1 and not list(folder.glob(".*")), list(folder.iterdir())  # no temp file left
    again = _ort.session("det", identity, model, threads)  # read back, optimisation off
    assert model.calls == 1
    name = first.get_inputs()[0].name
    x = _det_input()["x"]
    assert np.array_equal(first.run(None, {name: x})[0], again.run(None, {name: x})[0])
    plain = _ort._open(model.path, threads, optimise=True)  # as main built it: no cache at all
    assert np.array_equal(plain.run(None, {name: x})[0], again.run(None, {name: x})[0])


def test_another_cpu_onnxruntime_or_model_file_is_another_entry(folder, monkeypatch):
    model = Model()
    _ort.session("det", ["a"], model, 1)
    _ort.session("det", ["b"], model, 1)  # another model identity
    assert model.calls == 2
    monkeypatch.setattr(_ort, "_cpu", lambda: "another CPU")
    _ort.session("det", ["b"], model, 1)
    assert model.calls == 3
    assert len(list(folder.glob("ort-det-t1-*.bin"))) == 1  # older keys of the name replaced


@pytest.mark.parametrize("damage", ["flip", "garbage"])
def test_a_damaged_or_refused_entry_is_rebuilt(folder, damage):
    model = Model()
    _ort.session("det", ["a"], model, 1)
    (entry,) = folder.glob("ort-det-t1-*.bin")
    raw = bytearray(entry.read_bytes())
    if damage == "flip":  # caught by the CRC
        raw[-7] ^= 0x10
        entry.write_bytes(bytes(raw))
    else:  # intact as an entry, but not a graph onnxruntime accepts
        payload = b"not an onnx graph" * 10
        mc.store(folder, "ort-det-t1", entry, payload)
    session = _ort.session("det", ["a"], model, 1)
    assert model.calls == 2 and session.get_inputs()
    assert mc.read_entry(entry) not in (None, b"not an onnx graph" * 10)  # rewritten intact


def test_off_optimises_every_time_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(mc.ENV, "off")
    model = Model()
    _ort.session("det", ["a"], model, 1)
    _ort.session("det", ["a"], model, 1)
    assert model.calls == 2


def test_the_embedding_and_text_sessions_read_their_graphs_back(folder, monkeypatch):
    embedding._build_session.cache_clear()
    text_detector.session.cache_clear()
    try:
        x = np.random.default_rng(1).integers(0, 256, (224, 320, 3), np.uint8)
        first = embedding.run(x)
        assert len(list(folder.glob("ort-efficientnet-lite0-t1-*.bin"))) == 1
        embedding._build_session.cache_clear()

        def no_build(*args, **kwargs):
            raise AssertionError("the graph was built although the optimised one was cached")

        monkeypatch.setattr(embedding, "cached_model_bytes", no_build)  # not even the weights are read
        again = embedding.run(x)
        assert all(np.array_equal(a, b) for a, b in zip(
            (first.stride8, first.stride16, first.final, first.logits),
            (again.stride8, again.stride16, again.final, again.logits)))
        if text_detector.available():
            assert len(list(folder.glob("ort-ppocr-det-*.bin"))) == 1
    finally:
        embedding._build_session.cache_clear()
        text_detector.session.cache_clear()


def test_optimisers_left_out_are_part_of_the_key_and_keep_the_outputs(folder):
    model = Model()
    full = _ort.session("det", ["a"], model, 1)
    lean = _ort.session("det", ["a"], model, 1, disabled=text_detector.DISABLED_OPTIMISERS)
    assert model.calls == 2  # not the fully optimised graph read back under another name
    again = _ort.session("det", ["a"], model, 1, disabled=text_detector.DISABLED_OPTIMISERS)
    assert model.calls == 2
    x = _det_input()["x"]
    a, b, c = (s.run(None, {"x": x})[0] for s in (full, lean, again))
    assert np.array_equal(b, c)
    assert np.abs(a - b).max() < 1e-5  # the same network, another memory layout


def test_the_text_detector_runs_without_the_nchwc_layout(monkeypatch):
    seen = {}

    def spy(name, identity, model, threads, disabled=()):
        seen[name.split("-")[1]] = tuple(disabled)
        return object()

    monkeypatch.setattr(_ort, "session", spy)
    text_detector.session.cache_clear()
    try:
        if text_detector.model_path("det") is None:
            pytest.skip("the PP-OCRv5 detector is not installed")
        text_detector.session("det")
        text_detector.session("rec")
    finally:
        text_detector.session.cache_clear()
    assert seen == {"det": ("NchwcTransformer",), "rec": ()}
