"""test/fixtures/lenet5.safetensors and lenet5_io.json: a seeded LeNet-5, its output and gradients.

The weights are PyTorch's default initialisation after torch.manual_seed(0). The forward and
backward passes run in float64 from those float32 weights and a float32 input; logits, loss and
gradients are rounded to float32 (as in functional.json).
"""
import json
import os
import struct
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixtures_common import FIXTURES, generator, integers, tensor_json, uniform


def lenet5():
    return nn.Sequential(OrderedDict(
        features=nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2)),
        classifier=nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
    ))


def safetensors_bytes(state, metadata):
    """The safetensors format: u64 little-endian header length, JSON header, then the raw tensors.

    The header maps each name to {dtype, shape, data_offsets: [start, end]} (offsets relative to the
    start of the data section) and "__metadata__" to a string→string map; it is padded with spaces
    to a multiple of 8 bytes so that the data section starts aligned. Tensors are stored in the
    state dict's order, contiguous, float32 little-endian.
    """
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in state.items():
        raw = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def read_safetensors(data):
    """Parses safetensors bytes back (used to check the writer)."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    out = OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).reshape(info["shape"])
    return header, out


MIN_MARGIN = 1e-4


def branch_margin(model, x):
    """The smallest |z| over ReLU inputs and the smallest gap between the largest and second largest
    value of a max-pool window whose maximum is positive (ties at zero do not matter after a ReLU)."""
    margin = float("inf")
    h = x
    with torch.no_grad():
        for module in list(model.features) + list(model.classifier):
            if isinstance(module, nn.ReLU):
                margin = min(margin, h.abs().min().item())
            elif isinstance(module, nn.MaxPool2d):
                windows = F.unfold(h.reshape(-1, 1, *h.shape[2:]), 2, stride=2)
                top = windows.topk(2, dim=1).values
                positive = top[:, 0] > 0
                if positive.any():
                    margin = min(margin, (top[:, 0] - top[:, 1])[positive].min().item())
            h = module(h)
    return margin


def build(torch_version):
    torch.manual_seed(0)
    model = lenet5()
    state = model.state_dict()
    blob = safetensors_bytes(state, {"format": "pt", "model": "lenet5", "torch": torch_version})
    header, back = read_safetensors(blob)
    assert list(back) == list(state), "safetensors names must be the state_dict keys in order"
    for name, t in state.items():
        assert torch.equal(back[name], t), name
    with open(os.path.join(FIXTURES, "lenet5.safetensors"), "wb") as f:
        f.write(blob)

    model64 = lenet5().double()
    model64.load_state_dict({k: v.double() for k, v in state.items()})
    # The first input whose ReLU inputs and max-pool winners are all clear of ties, so that float32
    # rounding in waldo cannot flip a branch and change a gradient.
    for attempt in range(1000):
        g = generator("lenet5/io/%d" % attempt)
        x = uniform(g, [2, 1, 28, 28], 0.0, 1.0)
        target = integers(g, [2], 10)
        margin = branch_margin(model64, x.double())
        if margin >= MIN_MARGIN:
            break
    else:
        raise SystemExit("no LeNet-5 input with branch margin %g found" % MIN_MARGIN)
    logits = model64(x.double())
    loss = F.cross_entropy(logits, target)
    loss.backward()
    params = dict(model64.named_parameters())
    return {
        "torch": torch_version,
        "model": "LeNet-5: features = [Conv2d(1,6,5,padding=2), ReLU, MaxPool2d(2), Conv2d(6,16,5), ReLU, MaxPool2d(2)], "
                 "classifier = [Flatten, Linear(400,120), ReLU, Linear(120,84), ReLU, Linear(84,10)]",
        "weights": "lenet5.safetensors",
        "inputSeed": "lenet5/io/%d" % attempt,
        "branchMargin": margin,
        "input": tensor_json(x),
        "target": dict(tensor_json(target), dtype="int32"),
        "logits": tensor_json(logits),
        "lossFunction": "crossEntropy (reduction mean)",
        "loss": float(torch.tensor(loss.item(), dtype=torch.float32)),
        "grads": {name: tensor_json(params[name].grad) for name in state},
    }
