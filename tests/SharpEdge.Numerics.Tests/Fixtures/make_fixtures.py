#!/usr/bin/python3
"""Regenerates the reference files used by NpyTests and SafeTensorsTests.

Run from anywhere with Debian's python3 + numpy:  /usr/bin/python3 make_fixtures.py
The .npy/.npz files come from numpy itself. No python `safetensors` package is assumed, so
the .safetensors file is assembled by hand following the spec and the reference (Rust)
writer: u64 little-endian header length, compact JSON with "__metadata__" first, header
padded with spaces to a multiple of 8, tensors tightly packed in header order.
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def npy_fixtures():
    # Values are exact in binary so the C# tests can spell them as literals.
    np.save(path("f4_2x3.npy"), (np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1.0).astype("<f4"))
    np.save(path("f8_scalar.npy"), np.array(3.25, dtype="<f8"))
    np.save(path("i8_5.npy"), np.array([-2, -1, 0, 1, 2**40], dtype="<i8"))
    np.save(path("f8_0x3.npy"), np.zeros((0, 3), dtype="<f8"))
    np.save(path("i4_2x2.npy"), np.array([[1, -2], [3, 2**31 - 1]], dtype="<i4"))
    np.save(path("u1_4.npy"), np.array([0, 1, 128, 255], dtype="u1"))
    np.save(path("b1_3.npy"), np.array([True, False, True]))
    # Format 2.0 (4-byte header length) for the same values as f4_2x3.
    with open(path("f4_2x3_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, np.load(path("f4_2x3.npy")), version=(2, 0))
    # Things the reader must reject.
    np.save(path("f8_fortran_2x3.npy"), np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
    np.save(path("c16_2.npy"), np.array([1 + 2j, 3 - 4j], dtype="<c16"))
    np.save(path("f8_bigendian_2.npy"), np.array([1.0, 2.0], dtype=">f8"))


def npz_fixtures():
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([1.5, -2.5], dtype="<f8")
    c = np.array([7, 8, 9], dtype="<i8")
    np.savez(path("stored.npz"), a=a, b=b, c=c)
    np.savez_compressed(path("deflated.npz"), a=a, b=b, c=c)


def safetensors_bytes(tensors, metadata=None):
    """tensors: list of (name, numpy array) in file order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    codes = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}
    offset = 0
    blobs = []
    for name, arr in tensors:
        blob = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": codes[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def safetensors_fixtures():
    # Order as the reference writer would choose it (wider dtype first, then by name), so the
    # C# writer given the same order must reproduce these bytes exactly.
    tensors = [
        ("scale", np.array(0.125, dtype="<f8")),
        ("empty", np.zeros((0,), dtype="<f4")),
        ("layers.0.bias", np.array([0.5, -0.5], dtype="<f4")),
        ("layers.0.weight", (np.arange(6, dtype="<f4").reshape(2, 3) - 2.0).astype("<f4")),
    ]
    with open(path("small.safetensors"), "wb") as f:
        f.write(safetensors_bytes(tensors, {"format": "pt", "note": "fixture"}))


if __name__ == "__main__":
    npy_fixtures()
    npz_fixtures()
    safetensors_fixtures()
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".py"):
            print(f"{os.path.getsize(path(name)):6d}  {name}")
