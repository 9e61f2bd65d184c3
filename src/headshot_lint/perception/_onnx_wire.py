"""A minimal ONNX protobuf writer: enough of ``onnx.proto`` to serialise a float CNN.

Protocol buffers' wire format is small (varints, length-delimited fields, fixed32),
and a model needs only ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto
and ValueInfoProto; writing it here avoids a run-time dependency on the ``onnx``
package (and its protobuf pin, which mediapipe constrains). Field numbers are those
of onnx/onnx.proto (IR version 8). Repeated scalars are written unpacked, as proto2
does; every protobuf parser accepts that.
"""

from __future__ import annotations

import struct
from typing import Any, Sequence

import numpy as np

_IR_VERSION = 8
#: TensorProto.DataType codes.
_DTYPES = {np.dtype(np.float32): 1, np.dtype(np.int64): 7}
#: AttributeProto.AttributeType codes.
_ATTR_FLOAT, _ATTR_INT, _ATTR_STRING, _ATTR_INTS = 1, 2, 3, 7


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64 as two's complement, ten bytes
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _int(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(int(value))


def _bytes(field: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return _key(field, 2) + _varint(len(data)) + data


def _float(field: int, value: float) -> bytes:
    return _key(field, 5) + struct.pack("<f", value)


def tensor(name: str, array: np.ndarray) -> bytes:
    """TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian)."""
    array = np.ascontiguousarray(array)
    out = b"".join(_int(1, d) for d in array.shape)
    out += _int(2, _DTYPES[array.dtype]) + _bytes(8, name)
    return out + _bytes(9, array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())


def _attribute(name: str, value: Any) -> bytes:
    """AttributeProto: name (1), f (2), i (3), s (4), ints (8), type (20)."""
    out = _bytes(1, name)
    if isinstance(value, bool) or isinstance(value, (int, np.integer)):
        return out + _int(3, int(value)) + _int(20, _ATTR_INT)
    if isinstance(value, float):
        return out + _float(2, value) + _int(20, _ATTR_FLOAT)
    if isinstance(value, str):
        return out + _bytes(4, value) + _int(20, _ATTR_STRING)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, np.integer)) for v in value):
        return out + b"".join(_int(8, v) for v in value) + _int(20, _ATTR_INTS)
    raise TypeError(f"attribute {name}: unsupported value {value!r}")


def node(op_type: str, inputs: Sequence[str], outputs: Sequence[str], name: str, **attrs: Any) -> bytes:
    """NodeProto: input (1), output (2), name (3), op_type (4), attribute (5)."""
    out = b"".join(_bytes(1, i) for i in inputs) + b"".join(_bytes(2, o) for o in outputs)
    out += _bytes(3, name) + _bytes(4, op_type)
    return out + b"".join(_bytes(5, _attribute(k, v)) for k, v in attrs.items())


def value_info(name: str, dims: Sequence[int | str], elem_type: int = 1) -> bytes:
    """ValueInfoProto (name 1, type 2) of a tensor; a str dim is symbolic (dim_param)."""
    dim_protos = b"".join(
        _bytes(1, _bytes(2, d) if isinstance(d, str) else _int(1, d)) for d in dims)  # Dimension
    tensor_type = _int(1, elem_type) + _bytes(2, dim_protos)  # TypeProto.Tensor: elem_type, shape
    return _bytes(1, name) + _bytes(2, _bytes(1, tensor_type))  # TypeProto.tensor_type = 1


def graph(name: str, nodes: Sequence[bytes], initializers: Sequence[bytes], inputs: Sequence[bytes],
          outputs: Sequence[bytes]) -> bytes:
    """GraphProto: node (1), name (2), initializer (5), input (11), output (12)."""
    out = b"".join(_bytes(1, n) for n in nodes) + _bytes(2, name)
    out += b"".join(_bytes(5, t) for t in initializers)
    return out + b"".join(_bytes(11, i) for i in inputs) + b"".join(_bytes(12, o) for o in outputs)


def model(graph_bytes: bytes, opset: int, producer: str) -> bytes:
    """ModelProto: ir_version (1), producer_name (2), graph (7), opset_import (8: domain 1, version 2)."""
    opset_import = _bytes(1, "") + _int(2, opset)
    return _int(1, _IR_VERSION) + _bytes(2, producer) + _bytes(7, graph_bytes) + _bytes(8, opset_import)
