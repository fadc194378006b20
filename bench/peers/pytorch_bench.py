"""PyTorch side of `npm run bench`: reads a JSON spec on stdin, times the same cases as the Node
peers on 1 and 2 threads (same timing rule: one warm-up, then runs until >= 3 runs and >= 0.5 s,
stopping after 4 s), and prints one JSON object on stdout."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timed(fn, min_runs=3, min_s=0.5, cap_s=4.0, warmup=1, max_runs=200):
    start = time.perf_counter()
    for _ in range(warmup):
        fn()
    samples = []
    spent = time.perf_counter() - start
    while True:
        if len(samples) >= max_runs or (samples and spent >= cap_s) or (len(samples) >= min_runs and spent >= min_s):
            break
        t0 = time.perf_counter()
        fn()
        t = time.perf_counter() - t0
        samples.append(t * 1000)
        spent += t
    samples.sort()
    m = len(samples) // 2
    median = samples[m] if len(samples) % 2 else (samples[m - 1] + samples[m]) / 2
    return median, len(samples)


def out_size(s):
    return (s["h"] + 2 * s["pad"] - s["k"]) // s["stride"] + 1


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main():
    spec = json.load(sys.stdin)
    torch.manual_seed(0)
    rows = {}

    def put(key, threads, value, runs):
        rows.setdefault(key, {})[f"torch{threads}"] = {"value": value, "runs": runs}

    for threads in (1, 2):
        torch.set_num_threads(threads)
        for s in spec["shapes"]:
            o = out_size(s)
            x = torch.randn(s["n"], s["c"], s["h"], s["w"])
            w = torch.randn(s["co"], s["c"] // s["groups"], s["k"], s["k"]) * 0.2
            b = torch.randn(s["co"])
            kw = dict(stride=s["stride"], padding=s["pad"], groups=s["groups"])
            with torch.no_grad():
                put(f"fwd {s['id']}", threads, *timed(lambda: F.conv2d(x, w, b, **kw)))
            if s["backward"]:
                xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
                dy = torch.randn(s["n"], s["co"], o, o)

                def step():
                    xg.grad = None
                    wg.grad = None
                    F.conv2d(xg, wg, b, **kw).backward(dy)
                put(f"f+b {s['id']}", threads, *timed(step))

        model = lenet()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        xb = torch.randn(64, 1, 28, 28)
        yb = torch.arange(64) % 10

        def train_step():
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        ms, runs = timed(train_step, min_runs=10, min_s=1.0, warmup=2)
        put("train", threads, 64 * 1000 / ms, runs)

        model.eval()
        for batch in (1, 64):
            xi = torch.randn(batch, 1, 28, 28)
            with torch.no_grad():
                ms, runs = timed(lambda: model(xi))
            put(f"infer b{batch}", threads, batch * 1000 / ms, runs)

        n = spec["gemm"]
        a, bm = torch.randn(n, n), torch.randn(n, n)
        ms, runs = timed(lambda: torch.mm(a, bm), warmup=2)
        put("gemm", threads, 2 * n ** 3 / ms / 1e6, runs)

    print(json.dumps({"version": torch.__version__, "blas": blas_library(), "rows": rows}))


def blas_library():
    """The BLAS torch.mm ran on: BLAS_INFO and the libblas actually mapped into this process."""
    info = next((p.split("=", 1)[1] for p in torch.__config__.show().replace(",", " ").split() if p.startswith("BLAS_INFO=")), "?")
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    except OSError:
        libs = []
    return f"BLAS_INFO={info}" + (f", {', '.join(libs)}" if libs else "")


if __name__ == "__main__":
    main()
