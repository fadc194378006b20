/**
 * Export to PyTorch: a Python file that defines the same nn.Module (same classes, arguments and
 * child names, so the state-dict keys match) and loads waldo's safetensors weights into it. A user
 * can continue there — for instance with PyTorch's distributed training — without translating names.
 */
import { ValueError } from '../errors.js';
import { Conv1d, Conv2d, ConvTranspose2d } from '../nn/conv.js';
import { GELU, Identity, LeakyReLU, ReLU, Sigmoid, Tanh } from '../nn/activation.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/batchNorm.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten } from '../nn/flatten.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../nn/pooling.js';
import { Sequential } from '../nn/sequential.js';

const tuple = (v: readonly number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
const bool = (b: boolean) => (b ? 'True' : 'False');

/** The Python expression constructing one layer, or null for a class waldo cannot express. */
function layerExpression(m: Module): string | null {
  if (m instanceof Conv2d || m instanceof Conv1d) {
    const name = m instanceof Conv2d ? 'Conv2d' : 'Conv1d';
    const padding = m.padding === 'same' ? "'same'" : tuple(m.padding);
    return `nn.${name}(${m.inChannels}, ${m.outChannels}, kernel_size=${tuple(m.kernelSize)}, stride=${tuple(m.stride)}, padding=${padding}, dilation=${tuple(m.dilation)}, groups=${m.groups}, bias=${bool(m.bias !== null)}, padding_mode='${m.paddingMode}')`;
  }
  if (m instanceof ConvTranspose2d) {
    return `nn.ConvTranspose2d(${m.inChannels}, ${m.outChannels}, kernel_size=${tuple(m.kernelSize)}, stride=${tuple(m.stride)}, padding=${tuple(m.padding)}, output_padding=${tuple(m.outputPadding)}, groups=${m.groups}, bias=${bool(m.bias !== null)}, dilation=${tuple(m.dilation)})`;
  }
  if (m instanceof Linear) return `nn.Linear(${m.inFeatures}, ${m.outFeatures}, bias=${bool(m.bias !== null)})`;
  if (m instanceof LeakyReLU) return `nn.LeakyReLU(${m.negativeSlope})`;
  if (m instanceof ReLU) return 'nn.ReLU()';
  if (m instanceof Sigmoid) return 'nn.Sigmoid()';
  if (m instanceof Tanh) return 'nn.Tanh()';
  if (m instanceof GELU) return 'nn.GELU()';
  if (m instanceof Identity) return 'nn.Identity()';
  if (m instanceof MaxPool2d || m instanceof MaxPool1d) {
    return `nn.${m.constructor.name}(${tuple(m.kernelSize)}, stride=${tuple(m.stride)}, padding=${tuple(m.padding)}, dilation=${tuple(m.dilation)}, ceil_mode=${bool(m.ceilMode)})`;
  }
  if (m instanceof AvgPool2d || m instanceof AvgPool1d) {
    return `nn.${m.constructor.name}(${tuple(m.kernelSize)}, stride=${tuple(m.stride)}, padding=${tuple(m.padding)}, ceil_mode=${bool(m.ceilMode)}, count_include_pad=${bool(m.countIncludePad)})`;
  }
  if (m instanceof AdaptiveAvgPool2d) return `nn.AdaptiveAvgPool2d(${tuple(m.outputSize)})`;
  if (m instanceof BatchNorm2d || m instanceof BatchNorm1d) {
    return `nn.${m.constructor.name}(${m.numFeatures}, eps=${m.eps}, momentum=${m.momentum ?? 'None'}, affine=${bool(m.weight !== null)}, track_running_stats=${bool(m.runningMean !== null)})`;
  }
  if (m instanceof Dropout) return `nn.Dropout(${m.p})`;
  if (m instanceof Flatten) return `nn.Flatten(${m.startDim}, ${m.endDim})`;
  return null;
}

/** Python source building `m` (Sequentials keep their child names through OrderedDict). */
function moduleExpression(m: Module, path: string, indent: string): string {
  if (m instanceof Sequential) {
    const inner = indent + '    ';
    const children = [...m.namedChildren()].map(([name, child]) => `${inner}(${JSON.stringify(name)}, ${moduleExpression(child, path === '' ? name : `${path}.${name}`, inner)}),`);
    return `nn.Sequential(OrderedDict([\n${children.join('\n')}\n${indent}]))`;
  }
  const expression = layerExpression(m);
  if (expression === null) throw new ValueError(`exportPytorch: ${path || 'the model'} (${m.constructor.name}) has no PyTorch equivalent that waldo can write`);
  return expression;
}

/**
 * Writes a Python module defining the same torch.nn.Module as a waldo model, with the same\nstate-dict names, so weights saved by waldo load with strict=True.
 *
 * @example
 * import { io, models } from 'waldo';
 * const { python } = io.exportPytorch(models.lenet5(), 'lenet5');
 * // writeFileSync('lenet5.py', python); then in Python: from lenet5 import load; model = load('lenet5.safetensors')
 */
export function exportPytorch(model: Module, name: string): { python: string } {
  const body = moduleExpression(model, '', '    ');
  const python = `"""${name}: written by waldo (exportPytorch). The same nn.Module as in waldo, with the same
state-dict names, so the weights waldo saved load with strict=True.

    from ${name.replace(/[^A-Za-z0-9_]/g, '_')} import load
    model = load("weights.safetensors")
"""
import json
import struct
from collections import OrderedDict

import torch
from torch import nn


def build():
    """A freshly initialised model of this architecture."""
    return ${body}


_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}


def read_safetensors(path):
    """The tensors of a safetensors file (safetensors.torch.load_file when installed, else a small reader)."""
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n:]
    tensors = OrderedDict()
    for key, entry in header.items():
        start, end = entry["data_offsets"]
        tensors[key] = torch.frombuffer(bytearray(body[start:end]), dtype=_DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors


def load(path):
    """The model with waldo's trained weights, in evaluation mode."""
    model = build()
    model.load_state_dict(read_safetensors(path), strict=True)
    return model.eval()
`;
  return { python };
}
