"""Checks that weights written by `waldo train` load into PyTorch with load_state_dict, unchanged.

Developer tool (needs Debian's python3-torch; CI does not run it):

    npx waldo train --epochs 1 --out /tmp/run
    /usr/bin/python3 tools/check_pytorch_interop.py /tmp/run/model.safetensors

It reads the safetensors file with its own small reader (the `safetensors` package is not in
Debian), builds the PyTorch model of the file's `model` metadata, loads the state dict with
strict=True, and prints the logits of a fixed input so they can be compared with waldo's.
"""
import json
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn as nn

from fixtures_lenet import lenet5

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    state = OrderedDict()
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        t = torch.frombuffer(bytearray(body[start:end]), dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        state[name] = t
    return state, metadata


def main(path):
    state, metadata = read_safetensors(path)
    if metadata.get("model") != "lenet5":
        sys.exit(f"{path}: this check knows lenet5 only, the file holds {metadata.get('model')!r}")
    model = lenet5()
    model.load_state_dict(state, strict=True)
    model.eval()
    x = torch.arange(784, dtype=torch.float32).reshape(1, 1, 28, 28) / 784
    print("loaded", len(state), "tensors with strict=True; logits of arange(784)/784:")
    print(model(x).detach().numpy().round(5).tolist())


if __name__ == "__main__":
    main(sys.argv[1])
