"""test/fixtures/functional.json: forward and backward of every functional op, computed by PyTorch.

Each case is declared once, with waldo's op name and camelCase options; the PyTorch call is derived
from those same options (camelCase → snake_case, arrays → tuples), so the two cannot drift apart.

Inputs are float32 values. PyTorch evaluates the op and its gradients in float64 from those
values and the results are rounded to float32: the fixture is the correctly rounded answer, and the
tolerance of the TypeScript check is left entirely to waldo's float32 arithmetic.
Gradients are of L = sum(output * gradOutput), gradOutput a fixed random tensor (a random scalar
in [0.5, 1.5) when the output is a scalar).
"""
import re
import warnings

import torch
import torch.nn.functional as F

from fixtures_common import generator, integers, randn, tensor_json, uniform

# PyTorch notes that padding='same' with even kernels copies the input; that is the case under test.
warnings.filterwarnings("ignore", message="Using padding='same'")


def _snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _kwargs(options, rename=None):
    """waldo's camelCase options as PyTorch keyword arguments (pairs become tuples)."""
    rename = rename or {}
    out = {}
    for key, value in options.items():
        out[rename.get(key, _snake(key))] = tuple(value) if isinstance(value, list) else value
    return out


def _bias(xs):
    return xs[2] if len(xs) > 2 else None


def _reduce(fn):
    def run(xs, o):
        if "dim" not in o:
            return fn(xs[0])
        dim = tuple(o["dim"]) if isinstance(o["dim"], list) else o["dim"]
        out = fn(xs[0], dim, o.get("keepdim", False))
        return out if isinstance(out, torch.Tensor) else out.values
    return run


# op name → how PyTorch computes it from the input tensors xs and the waldo options o.
TORCH = {
    "conv1d": lambda xs, o: F.conv1d(xs[0], xs[1], _bias(xs), **_kwargs(o)),
    "conv2d": lambda xs, o: F.conv2d(xs[0], xs[1], _bias(xs), **_kwargs(o)),
    "convTranspose2d": lambda xs, o: F.conv_transpose2d(xs[0], xs[1], _bias(xs), **_kwargs(o)),
    "pad": lambda xs, o: F.pad(xs[0], list(o["pads"]), **_kwargs({k: v for k, v in o.items() if k != "pads"})),
    "maxPool1d": lambda xs, o: F.max_pool1d(xs[0], **_kwargs(o)),
    "maxPool2d": lambda xs, o: F.max_pool2d(xs[0], **_kwargs(o)),
    "avgPool1d": lambda xs, o: F.avg_pool1d(xs[0], **_kwargs(o)),
    "avgPool2d": lambda xs, o: F.avg_pool2d(xs[0], **_kwargs(o)),
    "adaptiveAvgPool2d": lambda xs, o: F.adaptive_avg_pool2d(xs[0], **_kwargs(o)),
    "linear": lambda xs, o: F.linear(xs[0], xs[1], _bias(xs)),
    "relu": lambda xs, o: F.relu(xs[0]),
    "leakyRelu": lambda xs, o: F.leaky_relu(xs[0], **_kwargs(o)),
    "sigmoid": lambda xs, o: torch.sigmoid(xs[0]),
    "tanh": lambda xs, o: torch.tanh(xs[0]),
    "gelu": lambda xs, o: F.gelu(xs[0]),
    "softmax": lambda xs, o: F.softmax(xs[0], **_kwargs(o)),
    "logSoftmax": lambda xs, o: F.log_softmax(xs[0], **_kwargs(o)),
    "crossEntropy": lambda xs, o: F.cross_entropy(xs[0], xs[1], **_kwargs(o)),
    "mseLoss": lambda xs, o: F.mse_loss(xs[0], xs[1], **_kwargs(o)),
    "binaryCrossEntropyWithLogits": lambda xs, o: F.binary_cross_entropy_with_logits(xs[0], xs[1], **_kwargs(o)),
    "batchNorm": lambda xs, o: F.batch_norm(*xs, **_kwargs(o)),
    "add": lambda xs, o: torch.add(xs[0], xs[1]),
    "sub": lambda xs, o: torch.sub(xs[0], xs[1]),
    "mul": lambda xs, o: torch.mul(xs[0], xs[1]),
    "div": lambda xs, o: torch.div(xs[0], xs[1]),
    "pow": lambda xs, o: torch.pow(xs[0], o["exponent"]),
    "exp": lambda xs, o: torch.exp(xs[0]),
    "log": lambda xs, o: torch.log(xs[0]),
    "sqrt": lambda xs, o: torch.sqrt(xs[0]),
    "abs": lambda xs, o: torch.abs(xs[0]),
    "clamp": lambda xs, o: torch.clamp(xs[0], min=o.get("min"), max=o.get("max")),
    "maximum": lambda xs, o: torch.maximum(xs[0], xs[1]),
    "minimum": lambda xs, o: torch.minimum(xs[0], xs[1]),
    "sum": _reduce(torch.sum),
    "mean": _reduce(torch.mean),
    "max": _reduce(torch.max),
    "matmul": lambda xs, o: torch.matmul(xs[0], xs[1]),
}


class Inp:
    """One positional tensor argument: float32 data (or int64 class indices) and whether it needs a gradient."""

    def __init__(self, name, value, requires_grad=True):
        self.name = name
        self.value = value
        self.requires_grad = requires_grad and value.is_floating_point()


def make_case(name, op, inputs, options=None, after=()):
    """Runs one case through PyTorch (float64) and returns its JSON object."""
    options = options or {}
    leaves = []
    for i in inputs:
        if i.value.is_floating_point():
            leaves.append(i.value.to(torch.float64).clone().requires_grad_(i.requires_grad))
        else:
            leaves.append(i.value.clone())
    out = TORCH[op](leaves, options)
    g = generator(name + "/gradOutput")
    if out.dim() == 0:
        grad_output = uniform(g, [], 0.5, 1.5)
    else:
        grad_output = randn(g, list(out.shape))
    case = {
        "name": name,
        "op": op,
        "inputs": [
            dict(name=i.name, **tensor_json(i.value), dtype="float32" if i.value.is_floating_point() else "int32",
                 requiresGrad=i.requires_grad)
            for i in inputs
        ],
        "options": options,
        "output": tensor_json(out),
    }
    # Key order within an input: name, shape, data, dtype, requiresGrad; reorder to name, shape, dtype, ….
    case["inputs"] = [{k: d[k] for k in ("name", "shape", "dtype", "requiresGrad", "data")} for d in case["inputs"]]
    if any(i.requires_grad for i in inputs):
        (out * grad_output.to(torch.float64)).sum().backward()
        case["gradOutput"] = tensor_json(grad_output)
        case["grads"] = {i.name: tensor_json(leaf.grad) for i, leaf in zip(inputs, leaves) if i.requires_grad}
    if after:
        case["after"] = {i.name: tensor_json(leaf) for i, leaf in zip(inputs, leaves) if i.name in after}
    return case


# ---------------------------------------------------------------------------------------------
# The cases. Each builder gets a generator seeded by the case name.

def conv_cases():
    cases = []

    def conv(name, op, x_shape, w_shape, bias=True, **options):
        g = generator(name)
        inputs = [Inp("x", randn(g, x_shape)), Inp("w", randn(g, w_shape, 0.5))]
        if bias:
            inputs.append(Inp("b", randn(g, [w_shape[0] if op != "convTranspose2d" else w_shape[1] * options.get("groups", 1)], 0.5)))
        cases.append(make_case(name, op, inputs, options))

    # conv1d: x [N, C, L], w [Cout, C/groups, k]
    conv("conv1d_basic", "conv1d", [2, 3, 9], [4, 3, 3])
    conv("conv1d_nobias", "conv1d", [2, 3, 9], [4, 3, 3], bias=False)
    conv("conv1d_stride2_pad1", "conv1d", [2, 3, 10], [4, 3, 3], stride=2, padding=1)
    conv("conv1d_dilation2_pad2", "conv1d", [1, 2, 11], [3, 2, 3], dilation=2, padding=2)
    conv("conv1d_groups2", "conv1d", [2, 4, 8], [6, 2, 3], groups=2)
    conv("conv1d_depthwise", "conv1d", [2, 3, 8], [3, 1, 5], groups=3, padding=2)
    conv("conv1d_same_k3", "conv1d", [2, 3, 7], [2, 3, 3], padding="same")
    conv("conv1d_same_k4_even", "conv1d", [2, 3, 7], [2, 3, 4], padding="same")
    conv("conv1d_same_k2_dilation3", "conv1d", [1, 2, 9], [2, 2, 2], padding="same", dilation=3)
    conv("conv1d_valid", "conv1d", [2, 3, 7], [2, 3, 4], padding="valid")
    conv("conv1d_stride3_k1", "conv1d", [2, 3, 10], [5, 3, 1], stride=3)

    # conv2d: x [N, C, H, W], w [Cout, C/groups, kh, kw]
    conv("conv2d_basic", "conv2d", [2, 3, 7, 5], [4, 3, 3, 3])
    conv("conv2d_nobias", "conv2d", [2, 3, 7, 5], [4, 3, 3, 3], bias=False)
    conv("conv2d_pad1", "conv2d", [2, 3, 7, 5], [4, 3, 3, 3], padding=1)
    conv("conv2d_stride2_pad1", "conv2d", [2, 3, 7, 5], [4, 3, 3, 3], stride=2, padding=1)
    conv("conv2d_stride2_nopad_odd", "conv2d", [1, 2, 9, 8], [3, 2, 3, 3], stride=2)
    conv("conv2d_kernel3x2_pad_pair", "conv2d", [2, 3, 7, 5], [4, 3, 3, 2], padding=[1, 2])
    conv("conv2d_kernel2x3_stride_pair", "conv2d", [2, 2, 7, 9], [3, 2, 2, 3], stride=[2, 1])
    conv("conv2d_stride_pair_pad_pair", "conv2d", [1, 3, 8, 7], [2, 3, 3, 3], stride=[1, 3], padding=[0, 1])
    conv("conv2d_dilation2", "conv2d", [2, 2, 9, 8], [3, 2, 3, 3], dilation=2)
    conv("conv2d_dilation_pair_pad1", "conv2d", [1, 2, 9, 8], [3, 2, 3, 2], dilation=[2, 3], padding=1)
    conv("conv2d_groups2", "conv2d", [2, 4, 6, 5], [6, 2, 3, 3], groups=2)
    conv("conv2d_groups3", "conv2d", [2, 6, 6, 5], [3, 2, 3, 3], groups=3, padding=1)
    conv("conv2d_stride2_pad1_groups2", "conv2d", [2, 4, 7, 5], [4, 2, 3, 3], stride=2, padding=1, groups=2)
    conv("conv2d_depthwise", "conv2d", [2, 3, 7, 5], [3, 1, 3, 3], groups=3, padding=1)
    conv("conv2d_depthwise_multiplier2", "conv2d", [2, 3, 7, 5], [6, 1, 3, 3], groups=3, padding=1)
    conv("conv2d_depthwise_stride2_dilation2", "conv2d", [1, 4, 9, 9], [4, 1, 3, 3], groups=4, stride=2, dilation=2, padding=2)
    conv("conv2d_1x1", "conv2d", [2, 5, 4, 3], [7, 5, 1, 1])
    conv("conv2d_1x1_stride2", "conv2d", [2, 3, 5, 5], [2, 3, 1, 1], stride=2)
    conv("conv2d_same_3x3", "conv2d", [2, 3, 7, 5], [4, 3, 3, 3], padding="same")
    conv("conv2d_same_5x3", "conv2d", [1, 2, 7, 5], [3, 2, 5, 3], padding="same")
    conv("conv2d_same_even_4x2", "conv2d", [2, 3, 7, 5], [2, 3, 4, 2], padding="same")
    conv("conv2d_same_even_2x2_dilation3", "conv2d", [1, 2, 7, 6], [2, 2, 2, 2], padding="same", dilation=3)
    conv("conv2d_same_groups2", "conv2d", [1, 4, 6, 5], [4, 2, 2, 3], padding="same", groups=2)
    conv("conv2d_valid", "conv2d", [2, 3, 7, 5], [4, 3, 3, 2], padding="valid")
    conv("conv2d_kernel_covers_input", "conv2d", [2, 3, 5, 4], [2, 3, 5, 4])
    conv("conv2d_batch1_channel1", "conv2d", [1, 1, 6, 6], [1, 1, 3, 3], padding=1)

    # convTranspose2d: x [N, Cin, H, W], w [Cin, Cout/groups, kh, kw]
    conv("convTranspose2d_basic", "convTranspose2d", [2, 3, 4, 3], [3, 2, 3, 3])
    conv("convTranspose2d_nobias", "convTranspose2d", [2, 3, 4, 3], [3, 2, 3, 3], bias=False)
    conv("convTranspose2d_stride2", "convTranspose2d", [2, 3, 4, 3], [3, 2, 3, 3], stride=2)
    conv("convTranspose2d_stride2_pad1_outpad1", "convTranspose2d", [2, 3, 4, 3], [3, 2, 3, 3], stride=2, padding=1, outputPadding=1)
    conv("convTranspose2d_stride2_k2", "convTranspose2d", [1, 2, 3, 4], [2, 3, 2, 2], stride=2)
    conv("convTranspose2d_pairs", "convTranspose2d", [2, 2, 4, 3], [2, 3, 3, 2], stride=[2, 3], padding=[1, 0], outputPadding=[1, 2])
    conv("convTranspose2d_groups2", "convTranspose2d", [2, 4, 3, 3], [4, 3, 3, 3], groups=2, stride=2, padding=1)
    conv("convTranspose2d_dilation2", "convTranspose2d", [1, 2, 4, 4], [2, 2, 3, 3], dilation=2, padding=1)
    return cases


def pad_cases():
    cases = []

    def pad(name, shape, **options):
        g = generator(name)
        cases.append(make_case(name, "pad", [Inp("x", randn(g, shape))], options))

    pad("pad_constant_3d", [2, 3, 5], pads=[1, 2], mode="constant", value=0)
    pad("pad_constant_3d_value", [2, 3, 5], pads=[2, 0], mode="constant", value=1.5)
    pad("pad_constant_4d", [2, 2, 4, 3], pads=[1, 2, 0, 1], mode="constant", value=0)
    pad("pad_constant_4d_channels", [1, 2, 3, 3], pads=[1, 1, 1, 1, 1, 2], mode="constant", value=-0.5)
    pad("pad_constant_4d_last_dim_only", [1, 2, 3, 4], pads=[0, 3], mode="constant", value=0)
    pad("pad_constant_4d_negative_crops", [1, 2, 5, 6], pads=[-1, 2, 1, -2], mode="constant", value=0)
    pad("pad_reflect_3d", [2, 2, 5], pads=[2, 3], mode="reflect")
    pad("pad_reflect_4d", [2, 2, 4, 5], pads=[1, 2, 3, 1], mode="reflect")
    pad("pad_replicate_3d", [2, 2, 4], pads=[3, 1], mode="replicate")
    pad("pad_replicate_4d", [2, 2, 3, 4], pads=[2, 1, 0, 3], mode="replicate")
    pad("pad_circular_3d", [2, 2, 5], pads=[2, 3], mode="circular")
    pad("pad_circular_4d", [1, 2, 4, 5], pads=[1, 2, 3, 0], mode="circular")
    return cases


def pool_cases():
    cases = []

    def pool(name, op, shape, shift=0.0, **options):
        g = generator(name)
        cases.append(make_case(name, op, [Inp("x", randn(g, shape, 1.0, shift))], options))

    pool("maxPool1d_k2", "maxPool1d", [2, 3, 8], kernelSize=2)
    pool("maxPool1d_k3_s2", "maxPool1d", [2, 3, 9], kernelSize=3, stride=2)
    pool("maxPool1d_k3_s2_pad1_negative", "maxPool1d", [2, 2, 8], shift=-3.0, kernelSize=3, stride=2, padding=1)
    pool("maxPool1d_k2_dilation2", "maxPool1d", [1, 2, 9], kernelSize=2, dilation=2)
    pool("maxPool1d_k2_s2_pad1_ceil", "maxPool1d", [2, 2, 5], kernelSize=2, stride=2, padding=1, ceilMode=True)
    pool("maxPool1d_k3_s2_ceil", "maxPool1d", [2, 2, 8], kernelSize=3, stride=2, ceilMode=True)

    pool("maxPool2d_k2", "maxPool2d", [2, 3, 8, 6], kernelSize=2)
    pool("maxPool2d_k2_odd_input", "maxPool2d", [2, 3, 7, 5], kernelSize=2)
    pool("maxPool2d_k3_s2_pad1", "maxPool2d", [2, 3, 7, 5], kernelSize=3, stride=2, padding=1)
    pool("maxPool2d_k3_s1_pad1_negative", "maxPool2d", [1, 2, 5, 4], shift=-3.0, kernelSize=3, stride=1, padding=1)
    pool("maxPool2d_pairs", "maxPool2d", [2, 2, 7, 5], kernelSize=[3, 2], stride=[2, 1], padding=[1, 0])
    pool("maxPool2d_dilation2", "maxPool2d", [1, 2, 9, 8], kernelSize=3, dilation=2)
    pool("maxPool2d_dilation_pair_pad1", "maxPool2d", [1, 2, 9, 8], kernelSize=2, dilation=[2, 3], padding=1)
    pool("maxPool2d_k2_s2_pad1_ceil_drops_last", "maxPool2d", [2, 2, 7, 5], kernelSize=2, stride=2, padding=1, ceilMode=True)
    pool("maxPool2d_k3_s2_ceil", "maxPool2d", [2, 2, 8, 6], kernelSize=3, stride=2, ceilMode=True)
    pool("maxPool2d_k2_s2_odd_floor", "maxPool2d", [1, 2, 7, 5], kernelSize=2, stride=2, ceilMode=False)

    pool("avgPool1d_k2", "avgPool1d", [2, 3, 8], kernelSize=2)
    pool("avgPool1d_k3_s2_pad1", "avgPool1d", [2, 2, 8], kernelSize=3, stride=2, padding=1)
    pool("avgPool1d_k3_s2_pad1_exclude_pad", "avgPool1d", [2, 2, 8], kernelSize=3, stride=2, padding=1, countIncludePad=False)
    pool("avgPool1d_k2_s2_pad1_ceil", "avgPool1d", [2, 2, 5], kernelSize=2, stride=2, padding=1, ceilMode=True)
    pool("avgPool1d_k3_s2_ceil", "avgPool1d", [2, 2, 8], kernelSize=3, stride=2, ceilMode=True)

    pool("avgPool2d_k2", "avgPool2d", [2, 3, 8, 6], kernelSize=2)
    pool("avgPool2d_k3_s2_pad1", "avgPool2d", [2, 3, 7, 5], kernelSize=3, stride=2, padding=1)
    pool("avgPool2d_k3_s2_pad1_exclude_pad", "avgPool2d", [2, 3, 7, 5], kernelSize=3, stride=2, padding=1, countIncludePad=False)
    pool("avgPool2d_pairs", "avgPool2d", [2, 2, 7, 5], kernelSize=[3, 2], stride=[2, 1], padding=[1, 0])
    pool("avgPool2d_k3_s2_ceil", "avgPool2d", [2, 2, 8, 6], kernelSize=3, stride=2, ceilMode=True)
    pool("avgPool2d_k3_s2_pad1_ceil", "avgPool2d", [2, 2, 8, 6], kernelSize=3, stride=2, padding=1, ceilMode=True)
    pool("avgPool2d_k3_s2_pad1_ceil_exclude_pad", "avgPool2d", [2, 2, 8, 6], kernelSize=3, stride=2, padding=1, ceilMode=True, countIncludePad=False)
    pool("avgPool2d_k2_s2_pad1_ceil_drops_last", "avgPool2d", [2, 2, 7, 5], kernelSize=2, stride=2, padding=1, ceilMode=True)
    pool("avgPool2d_k2_s2_pad1_ceil_drops_last_exclude_pad", "avgPool2d", [2, 2, 7, 5], kernelSize=2, stride=2, padding=1, ceilMode=True, countIncludePad=False)

    pool("adaptiveAvgPool2d_7x5_to_3x2", "adaptiveAvgPool2d", [2, 3, 7, 5], outputSize=[3, 2])
    pool("adaptiveAvgPool2d_7x5_to_3", "adaptiveAvgPool2d", [2, 2, 7, 5], outputSize=3)
    pool("adaptiveAvgPool2d_global", "adaptiveAvgPool2d", [2, 3, 7, 5], outputSize=1)
    pool("adaptiveAvgPool2d_8x6_to_4x3_divides", "adaptiveAvgPool2d", [1, 2, 8, 6], outputSize=[4, 3])
    pool("adaptiveAvgPool2d_3x2_to_5x4_upsample", "adaptiveAvgPool2d", [1, 2, 3, 2], outputSize=[5, 4])
    return cases


def dense_cases():
    cases = []
    g = generator("linear_2d")
    cases.append(make_case("linear_2d", "linear", [Inp("x", randn(g, [3, 5])), Inp("w", randn(g, [4, 5], 0.5)), Inp("b", randn(g, [4], 0.5))]))
    g = generator("linear_2d_nobias")
    cases.append(make_case("linear_2d_nobias", "linear", [Inp("x", randn(g, [3, 5])), Inp("w", randn(g, [4, 5], 0.5))]))
    g = generator("linear_3d")
    cases.append(make_case("linear_3d", "linear", [Inp("x", randn(g, [2, 3, 5])), Inp("w", randn(g, [4, 5], 0.5)), Inp("b", randn(g, [4], 0.5))]))
    g = generator("linear_1x1")
    cases.append(make_case("linear_1x1", "linear", [Inp("x", randn(g, [1, 1])), Inp("w", randn(g, [1, 1])), Inp("b", randn(g, [1]))]))
    return cases


def activation_cases():
    cases = []

    def unary(name, op, x, **options):
        cases.append(make_case(name, op, [Inp("x", x)], options))

    for op in ("relu", "sigmoid", "tanh", "gelu"):
        unary(op + "_basic", op, randn(generator(op + "_basic"), [2, 3, 4], 2.0))
    unary("leakyRelu_default", "leakyRelu", randn(generator("leakyRelu_default"), [2, 3, 4], 2.0))
    unary("leakyRelu_slope0.2", "leakyRelu", randn(generator("leakyRelu_slope0.2"), [2, 3, 4], 2.0), negativeSlope=0.2)
    for op in ("sigmoid", "tanh", "gelu"):
        unary(op + "_large_magnitude", op, randn(generator(op + "_large_magnitude"), [2, 5], 30.0))

    def soft(name, op, x, **options):
        cases.append(make_case(name, op, [Inp("x", x)], options))

    for op in ("softmax", "logSoftmax"):
        soft(op + "_2d_dim1", op, randn(generator(op + "_2d_dim1"), [3, 5], 2.0), dim=1)
        soft(op + "_2d_dim0", op, randn(generator(op + "_2d_dim0"), [3, 5], 2.0), dim=0)
        soft(op + "_3d_dim-1", op, randn(generator(op + "_3d_dim-1"), [2, 3, 4], 2.0), dim=-1)
        soft(op + "_3d_dim1", op, randn(generator(op + "_3d_dim1"), [2, 3, 4], 2.0), dim=1)
        soft(op + "_4d_dim1", op, randn(generator(op + "_4d_dim1"), [2, 3, 2, 2], 2.0), dim=1)
        soft(op + "_large_logits", op, randn(generator(op + "_large_logits"), [3, 6], 300.0, 500.0), dim=-1)
        soft(op + "_large_negative_logits", op, randn(generator(op + "_large_negative_logits"), [3, 6], 20.0, -1000.0), dim=1)
    return cases


def loss_cases():
    cases = []
    for smoothing in (0.0, 0.1):
        for reduction in ("mean", "sum", "none"):
            name = "crossEntropy_%s_smoothing%s" % (reduction, smoothing)
            g = generator(name)
            options = {"reduction": reduction}
            if smoothing:
                options["labelSmoothing"] = smoothing
            cases.append(make_case(name, "crossEntropy", [Inp("logits", randn(g, [4, 5], 2.0)), Inp("target", integers(g, [4], 5))], options))
    g = generator("crossEntropy_default_options")
    cases.append(make_case("crossEntropy_default_options", "crossEntropy", [Inp("logits", randn(g, [6, 3])), Inp("target", integers(g, [6], 3))]))
    g = generator("crossEntropy_large_logits")
    cases.append(make_case("crossEntropy_large_logits", "crossEntropy",
                           [Inp("logits", randn(g, [3, 4], 200.0, 300.0)), Inp("target", integers(g, [3], 4))], {"reduction": "mean"}))
    g = generator("crossEntropy_large_logits_smoothing0.1")
    cases.append(make_case("crossEntropy_large_logits_smoothing0.1", "crossEntropy",
                           [Inp("logits", randn(g, [3, 4], 200.0)), Inp("target", integers(g, [3], 4))],
                           {"labelSmoothing": 0.1, "reduction": "sum"}))

    for reduction in ("mean", "sum", "none"):
        name = "mseLoss_" + reduction
        g = generator(name)
        cases.append(make_case(name, "mseLoss", [Inp("a", randn(g, [3, 4])), Inp("b", randn(g, [3, 4]))], {"reduction": reduction}))
    g = generator("mseLoss_default_4d")
    cases.append(make_case("mseLoss_default_4d", "mseLoss", [Inp("a", randn(g, [2, 2, 3, 2])), Inp("b", randn(g, [2, 2, 3, 2]))]))

    for reduction in ("mean", "sum", "none"):
        name = "binaryCrossEntropyWithLogits_" + reduction
        g = generator(name)
        cases.append(make_case(name, "binaryCrossEntropyWithLogits",
                               [Inp("x", randn(g, [3, 4], 2.0)), Inp("y", uniform(g, [3, 4], 0.0, 1.0), False)], {"reduction": reduction}))
    g = generator("binaryCrossEntropyWithLogits_large_logits")
    cases.append(make_case("binaryCrossEntropyWithLogits_large_logits", "binaryCrossEntropyWithLogits",
                           [Inp("x", randn(g, [2, 5], 60.0)), Inp("y", (uniform(g, [2, 5], 0.0, 1.0) > 0.5).to(torch.float32), False)],
                           {"reduction": "mean"}))
    return cases


def norm_cases():
    cases = []

    def bn(name, shape, **options):
        g = generator(name)
        c = shape[1]
        inputs = [
            Inp("x", randn(g, shape, 1.5, 0.5)),
            Inp("runningMean", randn(g, [c], 0.3), False),
            Inp("runningVar", uniform(g, [c], 0.5, 2.0), False),
            Inp("weight", uniform(g, [c], 0.5, 1.5)),
            Inp("bias", randn(g, [c], 0.3)),
        ]
        cases.append(make_case(name, "batchNorm", inputs, options, after=("runningMean", "runningVar")))

    bn("batchNorm_2d_training", [6, 4], training=True, momentum=0.1, eps=1e-5)
    bn("batchNorm_2d_eval", [6, 4], training=False, momentum=0.1, eps=1e-5)
    bn("batchNorm_2d_training_momentum0.3_eps1e-3", [5, 3], training=True, momentum=0.3, eps=1e-3)
    bn("batchNorm_4d_training", [2, 3, 4, 3], training=True, momentum=0.1, eps=1e-5)
    bn("batchNorm_4d_eval", [2, 3, 4, 3], training=False, momentum=0.1, eps=1e-5)
    bn("batchNorm_4d_training_momentum0.5", [3, 2, 3, 5], training=True, momentum=0.5, eps=1e-5)
    bn("batchNorm_4d_eval_eps0.1", [2, 2, 3, 3], training=False, momentum=0.1, eps=0.1)
    return cases


def tensor_cases():
    cases = []

    def binary(name, op, a, b):
        cases.append(make_case(name, op, [Inp("a", a), Inp("b", b)]))

    for op in ("add", "sub", "mul", "div", "maximum", "minimum"):
        g = generator(op + "_same_shape")
        b = uniform(g, [2, 3], 0.5, 2.0) * (1 - 2 * (uniform(g, [2, 3], 0, 1) < 0.5).to(torch.float32)) if op == "div" else randn(g, [2, 3])
        binary(op + "_same_shape", op, randn(g, [2, 3]), b)
        g = generator(op + "_broadcast_231_4")
        b = uniform(g, [4], 0.5, 2.0) if op == "div" else randn(g, [4])
        binary(op + "_broadcast_231_4", op, randn(g, [2, 3, 1]), b)
        g = generator(op + "_broadcast_13_21")
        b = uniform(g, [2, 1], 0.5, 2.0) if op == "div" else randn(g, [2, 1])
        binary(op + "_broadcast_13_21", op, randn(g, [1, 3]), b)
        g = generator(op + "_broadcast_scalar_shape")
        b = uniform(g, [], 0.5, 2.0) if op == "div" else uniform(g, [], -0.3, 0.3)
        binary(op + "_broadcast_scalar_shape", op, randn(g, [2, 3]), b)
    g = generator("add_broadcast_4d_bias")
    binary("add_broadcast_4d_bias", "add", randn(g, [2, 3, 2, 2]), randn(g, [3, 1, 1]))

    def unary(name, op, x, **options):
        cases.append(make_case(name, op, [Inp("x", x)], options))

    unary("pow_2", "pow", randn(generator("pow_2"), [2, 3]), exponent=2)
    unary("pow_3", "pow", randn(generator("pow_3"), [2, 3]), exponent=3)
    unary("pow_0.5", "pow", uniform(generator("pow_0.5"), [2, 3], 0.2, 3.0), exponent=0.5)
    unary("pow_-1.5", "pow", uniform(generator("pow_-1.5"), [2, 3], 0.5, 3.0), exponent=-1.5)
    unary("pow_0", "pow", randn(generator("pow_0"), [2, 3]), exponent=0)
    unary("exp_basic", "exp", randn(generator("exp_basic"), [2, 3, 2]))
    unary("log_basic", "log", uniform(generator("log_basic"), [2, 3, 2], 0.1, 5.0))
    unary("sqrt_basic", "sqrt", uniform(generator("sqrt_basic"), [2, 3, 2], 0.1, 5.0))
    unary("abs_basic", "abs", randn(generator("abs_basic"), [2, 3, 2]))
    unary("clamp_min_max", "clamp", randn(generator("clamp_min_max"), [3, 4]), min=-0.5, max=0.7)
    unary("clamp_min_only", "clamp", randn(generator("clamp_min_only"), [3, 4]), min=0.1)
    unary("clamp_max_only", "clamp", randn(generator("clamp_max_only"), [3, 4]), max=-0.2)

    for op in ("sum", "mean", "max"):
        unary(op + "_all", op, randn(generator(op + "_all"), [2, 3, 4]))
        unary(op + "_dim0", op, randn(generator(op + "_dim0"), [2, 3, 4]), dim=0)
        unary(op + "_dim1_keepdim", op, randn(generator(op + "_dim1_keepdim"), [2, 3, 4]), dim=1, keepdim=True)
        unary(op + "_dim-1", op, randn(generator(op + "_dim-1"), [2, 3, 4]), dim=-1)
        unary(op + "_dim-1_keepdim", op, randn(generator(op + "_dim-1_keepdim"), [2, 3, 4]), dim=-1, keepdim=True)
    for op in ("sum", "mean"):
        unary(op + "_dims_0_2", op, randn(generator(op + "_dims_0_2"), [2, 3, 4]), dim=[0, 2])
        unary(op + "_dims_1_2_keepdim", op, randn(generator(op + "_dims_1_2_keepdim"), [2, 3, 4]), dim=[1, 2], keepdim=True)

    def mm(name, a_shape, b_shape):
        g = generator(name)
        binary(name, "matmul", randn(g, a_shape), randn(g, b_shape))

    mm("matmul_2d", [3, 4], [4, 5])
    mm("matmul_2d_row_col", [1, 6], [6, 1])
    mm("matmul_batched_3d", [2, 3, 4], [2, 4, 5])
    mm("matmul_broadcast_3d_2d", [2, 3, 4], [4, 5])
    mm("matmul_broadcast_2d_3d", [3, 4], [2, 4, 5])
    mm("matmul_broadcast_batch_4d_3d", [2, 1, 3, 4], [3, 4, 2])
    return cases


def build():
    return (conv_cases() + pad_cases() + pool_cases() + dense_cases() + activation_cases() + loss_cases()
            + norm_cases() + tensor_cases())
