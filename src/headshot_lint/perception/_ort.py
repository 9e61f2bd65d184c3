"""onnxruntime sessions whose graph is optimised once per machine, not once per process.

A session built at ``ORT_ENABLE_ALL`` first rewrites its graph (constant folding, fusions,
the NCHWc layout for this CPU's vector width): about half of building the text detector's,
recogniser's and embedding's sessions, paid by every ``check`` of one photo. The first
build saves the optimised graph (``SessionOptions.optimized_model_filepath``) into the
user's model cache (``headshot_lint._model_cache``: length and CRC-32 checked, written
atomically); later processes load it with optimisation off. It is the same graph, so the
outputs are bit-identical (tested). The NCHWc layout is specific to the CPU, so the key
holds the CPU's model and flags and onnxruntime's version beside what the caller says the
model depends on (cheap facts: a model file's path, size, mtime and inode, not its hash).
An entry that fails to load is rebuilt; with the cache off every process optimises.

A caller may leave named graph optimisers out (``disabled``): the NCHWc layout makes the
PP-OCRv5 detector slower, not faster (``text_detector.DISABLED_OPTIMISERS``).
"""

from __future__ import annotations

import functools
import os
import platform
import tempfile
from typing import Any, Callable, Sequence

from .. import _model_cache


def session(name: str, identity: Sequence[str] | None, model: Callable[[], "bytes | str"], threads: int,
            disabled: Sequence[str] = ()) -> Any:
    """An onnxruntime CPU session (``threads`` intra-op threads, sequential, errors-only log)
    at ``ORT_ENABLE_ALL`` without the graph optimisers named in ``disabled``, its optimised
    graph read from the model cache when an entry for ``name`` (a plain file-name stem) and
    ``identity`` is there; else built from ``model()`` (bytes or a path) and its optimised
    graph stored (not when ``identity`` is None: nothing to key it by). Raises ImportError
    without onnxruntime."""
    import onnxruntime as ort

    folder = _model_cache.cache_dir()
    if folder is None or identity is None:
        return _open(model(), threads, optimise=True, disabled=disabled)
    stem = f"ort-{name}-t{threads}"
    key = _model_cache.key_of(["onnxruntime optimised graph", ort.__version__, _cpu(), str(threads),
                               "disabled: " + ",".join(sorted(disabled)), *identity])
    path = _model_cache.entry_path(folder, stem, key)
    data = _model_cache.read_entry(path)
    if data is not None:
        try:
            return _open(data, threads, optimise=False)
        except Exception:  # an entry onnxruntime refuses: built again below
            pass
    source = model()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, saved = tempfile.mkstemp(prefix=f".{stem}-", suffix=".onnx", dir=folder)
        os.close(fd)
    except OSError:  # a read-only cache folder only costs the speed-up
        return _open(source, threads, optimise=True, disabled=disabled)
    try:
        built = _open(source, threads, optimise=True, save_to=saved, disabled=disabled)
        with open(saved, "rb") as f:
            _model_cache.store(folder, stem, path, f.read())
    except OSError:
        built = _open(source, threads, optimise=True, disabled=disabled)
    finally:
        try:
            os.unlink(saved)
        except OSError:
            pass
    return built


def file_identity(path: str) -> list[str]:
    """What a model file's optimised graph depends on, without reading it: its real path,
    size, mtime (ns) and inode."""
    st = os.stat(path)
    return [os.path.realpath(path), str(st.st_size), str(st.st_mtime_ns), str(st.st_ino)]


def _open(model: "bytes | str", threads: int, optimise: bool, save_to: str | None = None,
          disabled: Sequence[str] = ()) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimise
                                     else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    opts.log_severity_level = 3
    if save_to is not None:
        opts.optimized_model_filepath = save_to
    if threads > 1:  # waiting threads sleep, not spin: 12 MP check at load ~6, 11 runs: 1.72 -> 1.64 s wall, -0.085 s CPU
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    extra = {"disabled_optimizers": list(disabled)} if optimise and disabled else {}
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"], **extra)


@functools.lru_cache(maxsize=1)
def _cpu() -> str:
    """The CPU the optimised graph is laid out for: its model name and feature flags on
    Linux (the first processor's), else the platform's machine and processor names."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            found = {}
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("vendor_id", "model name", "flags", "Features", "CPU implementer", "CPU part"):
                    found.setdefault(key, value.strip())
                if not line.strip() and found:  # the first processor's block ends
                    break
        if found:
            return platform.machine() + " " + repr(sorted(found.items()))
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()} {platform.processor()}"
