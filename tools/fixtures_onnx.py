"""test/fixtures/lenet5.onnx, resnet_small.onnx and onnx_io.json: ONNX files written by PyTorch's
own exporter (torch.onnx.export, opset 13) and PyTorch's outputs for a fixed input.

    /usr/bin/python3 tools/fixtures_onnx.py

- lenet5.onnx: LeNet-5 exactly as fixtures_lenet.lenet5() with torch.manual_seed(0) weights
  (Conv, Relu, MaxPool, Flatten, Gemm; initializers named by state-dict key).
- resnet_small.onnx: a stem conv-bn-relu, one residual block (conv-bn-relu-conv-bn, Add with the
  skip, relu), global average pooling, flatten, linear. Exported with TrainingMode.PRESERVE on the
  model in eval mode, so BatchNormalization nodes stay (EVAL mode would fold them into the convs);
  the running statistics are set to seeded non-trivial values first.

Both have a dynamic batch dimension. onnx_io.json holds, per model, the file name, a fixed input
[3, 1, 28, 28] (uniform in [0, 1)) and PyTorch's float32 output for it, plus the torch and onnx
versions. The output is computed in float64 from the float32 weights and rounded to float32.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from fixtures_common import FIXTURES, generator, randn, tensor_json, uniform, write_json  # noqa: E402
from fixtures_lenet import lenet5  # noqa: E402


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + x)


class ResNetSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.block = Block(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.block(self.stem(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def export(model, name, x, training):
    path = os.path.join(FIXTURES, name)
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, training=training,
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    return path


def main():
    torch.set_num_threads(1)
    os.makedirs(FIXTURES, exist_ok=True)
    x = uniform(generator("onnx/input"), [3, 1, 28, 28], 0.0, 1.0)
    models = {}

    torch.manual_seed(0)
    lenet = lenet5().eval()
    models["lenet5"] = (lenet, "lenet5.onnx", torch.onnx.TrainingMode.EVAL)

    torch.manual_seed(1)
    resnet = ResNetSmall()
    g = generator("onnx/resnet_small/bn")
    for m in resnet.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(uniform(g, m.weight.shape, 0.5, 1.5))
                m.bias.copy_(randn(g, m.bias.shape, 0.1))
                m.running_mean.copy_(randn(g, m.running_mean.shape, 0.1))
                m.running_var.copy_(uniform(g, m.running_var.shape, 0.5, 1.5))
    resnet.eval()
    models["resnet_small"] = (resnet, "resnet_small.onnx", torch.onnx.TrainingMode.PRESERVE)

    out = {"torch": torch.__version__, "onnx": onnx.__version__, "input": tensor_json(x), "models": {}}
    written = []
    for key, (model, name, training) in models.items():
        written.append(export(model, name, x, training))
        with torch.no_grad():
            y = model.double()(x.double())
        model.float()
        out["models"][key] = {"file": name, "output": tensor_json(y)}
    written.append(write_json("onnx_io.json", out))
    for path in written:
        print("%-40s %9d bytes" % (os.path.relpath(path), os.path.getsize(path)))


if __name__ == "__main__":
    main()
