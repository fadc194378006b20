"""PyTorch's wall time for the run `waldo train --model small-cnn --data fashion-mnist` does: the
same network (src/models/smallCnn.ts), data (Debian's official IDX files), augmentation (random
shifts of up to ±2 pixels, zero fill), Adam at lr 0.003 annealed by a cosine over the epochs,
batch 64, seeded. For the speed comparison of the issue on WebAssembly speed.

    /usr/bin/python3 tools/fashion_pytorch.py [epochs] [threads]
"""
import gzip
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DIR = "/usr/share/datasets/fashion-mnist"


def idx(name):
    data = gzip.open(f"{DIR}/{name}.gz").read()
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(shape)


def small_cnn():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(
        nn.Sequential(*block(1, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), *block(64, 64), nn.MaxPool2d(2)),
        nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 10)),
    )


def random_shift(x, g, pad=2):
    """Each image moved by up to ±pad pixels (zero fill), like waldo's randomShift."""
    n = x.shape[0]
    padded = F.pad(x, (pad, pad, pad, pad))
    out = torch.empty_like(x)
    offsets = torch.randint(0, 2 * pad + 1, (n, 2), generator=g)
    for i in range(n):
        dy, dx = offsets[i].tolist()
        out[i] = padded[i, :, dy:dy + 28, dx:dx + 28]
    return out


def main(epochs=10, threads=2):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    xtr = idx("train-images-idx3-ubyte").float().div(255).unsqueeze(1)
    ytr = idx("train-labels-idx1-ubyte").long()
    xte = idx("t10k-images-idx3-ubyte").float().div(255).unsqueeze(1)
    yte = idx("t10k-labels-idx1-ubyte").long()
    mean, std = xtr.mean().item(), xtr.std().item()
    model = small_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    start = time.time()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(xtr), generator=g)
        for b in range(0, len(xtr), 64):
            i = order[b:b + 64]
            x = (random_shift(xtr[i], g) - mean) / std
            opt.zero_grad()
            F.cross_entropy(model(x), ytr[i]).backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model((xte - mean) / std).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch + 1}/{epochs}: test accuracy {100 * acc:.2f}% ({time.time() - start:.0f} s)", flush=True)
    print(f"PyTorch {torch.__version__}, {threads} threads: {100 * acc:.2f}% after {epochs} epochs in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
