"""Shared helpers of the fixture generators: seeded tensors, JSON encoding of tensors, file writing.

Every tensor in a fixture is float32-representable; its JSON numbers are Python's repr of the
float32 value widened to a double (exact, so JSON.parse then Float32Array round-trips bit for bit).
"""
import json
import os
import zlib

import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "test", "fixtures")


def generator(name):
    """A torch.Generator seeded from a name, so each case's data is independent of the other cases."""
    g = torch.Generator()
    g.manual_seed(zlib.crc32(name.encode("utf-8")))
    return g


def randn(g, shape, scale=1.0, shift=0.0):
    """float32 normal values: shift + scale·N(0, 1)."""
    return (torch.randn(shape, generator=g, dtype=torch.float32) * scale + shift).to(torch.float32)


def uniform(g, shape, low, high):
    """float32 uniform values in [low, high)."""
    return (torch.rand(shape, generator=g, dtype=torch.float32) * (high - low) + low).to(torch.float32)


def integers(g, shape, high):
    """int64 values in [0, high)."""
    return torch.randint(0, high, shape, generator=g, dtype=torch.int64)


def tensor_json(t):
    """{shape, data} with the data flat in row-major order: float32 values, or ints for integer tensors."""
    t = t.detach()
    if t.is_floating_point():
        data = t.to(torch.float32).contiguous().reshape(-1).tolist()
    else:
        data = [int(v) for v in t.contiguous().reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def tensor64_json(t):
    """{shape, data} with float64 data (for trajectories computed and compared in double precision)."""
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def write_json(name, obj):
    """Writes test/fixtures/<name> as compact JSON (NaN and infinities are refused: JSON has none)."""
    path = os.path.join(FIXTURES, name)
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    return path
