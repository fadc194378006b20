import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Tensor, ShapeError, ValueError, functional as F, getBackend, ones, registerBackend, setBackend, tensor, zeros,
} from '../../src/index.js';
import type { Backend } from '../../src/backend/backend.js';
import type { ConvOptions } from '../../src/ops/conv.js';
import { gradCheck, randomInput } from '../helpers/gradcheck.js';
import { checkAgainstTorch, loadFixtureCases } from '../helpers/torchFixtures.js';

const arr = (t: Tensor) => Array.from(t.toArray());

// ---------------------------------------------------------------------------------------------
// Gradient checks (float64, central differences, reference kernels). Shapes are small and odd.

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  options?: ConvOptions;
}

const conv2dCases: ConvCase[] = [
  { name: 'defaults', x: [2, 3, 5, 4], w: [2, 3, 3, 3] },
  { name: 'no bias', x: [2, 2, 5, 4], w: [3, 2, 3, 3], bias: false },
  { name: 'stride 2 on odd sizes', x: [1, 2, 7, 6], w: [3, 2, 3, 3], options: { stride: 2 } },
  { name: 'stride 3, kernel 3x2, no padding', x: [1, 3, 7, 5], w: [2, 3, 3, 2], options: { stride: 3 } },
  { name: 'padding 1', x: [1, 2, 4, 5], w: [2, 2, 3, 3], options: { padding: 1 } },
  { name: 'stride pair and padding pair', x: [1, 2, 6, 5], w: [2, 2, 3, 2], options: { stride: [2, 1], padding: [1, 0] } },
  { name: "padding 'same', odd kernel", x: [1, 2, 5, 4], w: [2, 2, 3, 3], options: { padding: 'same' } },
  { name: "padding 'same', even kernel 4x2 (asymmetric)", x: [1, 2, 5, 6], w: [2, 2, 4, 2], options: { padding: 'same' } },
  { name: "padding 'same', even kernel, dilation 3", x: [1, 2, 7, 6], w: [2, 2, 2, 2], options: { padding: 'same', dilation: 3 } },
  { name: "padding 'valid'", x: [1, 2, 5, 4], w: [2, 2, 3, 2], options: { padding: 'valid' } },
  { name: 'dilation 2', x: [1, 2, 7, 6], w: [2, 2, 3, 3], options: { dilation: 2 } },
  { name: 'dilation pair with padding', x: [1, 2, 7, 7], w: [2, 2, 3, 2], options: { dilation: [2, 3], padding: 1 } },
  { name: 'groups 2', x: [1, 4, 5, 5], w: [4, 2, 3, 3], options: { groups: 2 } },
  { name: 'groups 3, stride 2, padding 1', x: [2, 3, 5, 5], w: [6, 1, 3, 3], options: { groups: 3, stride: 2, padding: 1 } },
  { name: 'depthwise', x: [2, 3, 5, 4], w: [3, 1, 3, 3], options: { groups: 3, padding: 1 } },
  { name: 'depthwise, multiplier 2, stride 2, dilation 2', x: [1, 2, 7, 7], w: [4, 1, 3, 3], options: { groups: 2, stride: 2, dilation: 2, padding: 2 } },
  { name: 'kernel 1x3', x: [1, 2, 4, 5], w: [2, 2, 1, 3], options: { padding: [0, 1] } },
  { name: 'kernel 3x1', x: [1, 2, 5, 3], w: [2, 2, 3, 1] },
  { name: '1x1 kernel', x: [2, 3, 3, 4], w: [4, 3, 1, 1] },
  { name: 'kernel covers the input', x: [2, 2, 3, 4], w: [2, 2, 3, 4] },
  { name: 'unbatched [C, H, W]', x: [2, 5, 4], w: [3, 2, 3, 3], options: { padding: 1 } },
];

for (const c of conv2dCases) {
  test(`conv2d gradient check: ${c.name}`, () => {
    const inputs = [randomInput(c.x, 1), randomInput(c.w, 2)];
    if (c.bias !== false) inputs.push(randomInput([c.w[0]], 3));
    gradCheck((x, w, b) => F.conv2d(x, w, b ?? null, c.options), inputs);
  });
}

const conv1dCases: ConvCase[] = [
  { name: 'defaults', x: [2, 3, 7], w: [2, 3, 3] },
  { name: 'no bias', x: [2, 2, 6], w: [3, 2, 2], bias: false },
  { name: 'stride 2, padding 1', x: [2, 2, 8], w: [3, 2, 3], options: { stride: 2, padding: 1 } },
  { name: 'padding as a list of one', x: [1, 2, 5], w: [2, 2, 3], options: { padding: [2] } },
  { name: 'dilation 2', x: [1, 2, 9], w: [2, 2, 3], options: { dilation: 2, padding: 1 } },
  { name: "'same', even kernel", x: [1, 2, 7], w: [2, 2, 4], options: { padding: 'same' } },
  { name: "'same', even kernel, dilation 3", x: [1, 2, 9], w: [2, 2, 2], options: { padding: 'same', dilation: 3 } },
  { name: "'valid'", x: [1, 2, 7], w: [2, 2, 4], options: { padding: 'valid' } },
  { name: 'groups 2', x: [2, 4, 6], w: [4, 2, 3], options: { groups: 2 } },
  { name: 'depthwise', x: [2, 3, 6], w: [3, 1, 5], options: { groups: 3, padding: 2 } },
  { name: 'unbatched [C, L]', x: [2, 6], w: [3, 2, 3] },
];

for (const c of conv1dCases) {
  test(`conv1d gradient check: ${c.name}`, () => {
    const inputs = [randomInput(c.x, 4), randomInput(c.w, 5)];
    if (c.bias !== false) inputs.push(randomInput([c.w[0]], 6));
    gradCheck((x, w, b) => F.conv1d(x, w, b ?? null, c.options), inputs);
  });
}

// ---------------------------------------------------------------------------------------------
// Values and shapes.

test('conv2d is the cross-correlation written in the docs (the textbook example)', () => {
  const x = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 3, 3]);
  const k = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
  assert.deepEqual(arr(F.conv2d(x, k)), [19, 25, 37, 43]);
  assert.deepEqual(arr(F.conv2d(x, k, tensor([1], [1]))), [20, 26, 38, 44]);
});

test("padding 'same' splits an even kernel's padding as PyTorch: less before, more after", () => {
  // Kernel [1, 0, 0, 0]: each output reads the input at offset −1 (1 zero before, 2 after).
  const x = tensor([1, 2, 3, 4, 5], [1, 1, 5]);
  const y = F.conv1d(x, tensor([1, 0, 0, 0], [1, 1, 4]), null, { padding: 'same' });
  assert.deepEqual(arr(y), [0, 1, 2, 3, 4]);
  assert.deepEqual(F.conv2d(ones([1, 1, 5, 6]), ones([2, 1, 4, 3]), null, { padding: 'same' }).shape, [1, 2, 5, 6]);
});

test('output sizes follow floor((H + 2p − d(k−1) − 1)/s) + 1, and unbatched inputs stay unbatched', () => {
  assert.deepEqual(F.conv2d(zeros([2, 3, 32, 32]), zeros([8, 3, 5, 5]), null, { stride: 2, padding: 1 }).shape, [2, 8, 15, 15]);
  assert.deepEqual(F.conv2d(zeros([3, 9, 8]), zeros([4, 3, 3, 2]), null, { dilation: [2, 1] }).shape, [4, 5, 7]);
  assert.deepEqual(F.conv1d(zeros([3, 10]), zeros([2, 3, 3]), null, { stride: 3 }).shape, [2, 3]);
  assert.deepEqual(F.conv1d(zeros([2, 3, 10]), zeros([2, 3, 3]), null, { padding: 'valid' }).shape, [2, 2, 8]);
});

test('conv keeps float64 end to end and float32 by default', () => {
  const x64 = randomInput([1, 2, 4, 4], 1);
  const y = F.conv2d(x64, randomInput([3, 2, 3, 3], 2), randomInput([3], 3));
  assert.equal(y.dtype, 'float64');
  assert.equal(F.conv2d(ones([1, 2, 4, 4]), ones([3, 2, 3, 3])).dtype, 'float32');
});

test('the gradients reach only the inputs that require them', () => {
  const x = ones([1, 2, 4, 4]);
  const w = ones([3, 2, 3, 3], { requiresGrad: true });
  const b = zeros([3]);
  F.conv2d(x, w, b).sum().backward();
  assert.equal(x.grad, null);
  assert.equal(b.grad, null);
  // Each weight element meets 2·2 output positions of an all-ones input.
  assert.deepEqual(arr(w.grad!), new Array(54).fill(4));
});

// ---------------------------------------------------------------------------------------------
// Errors: each names the op and the shapes, and is raised before any kernel runs.

test('conv2d: shape errors name the op, the shapes and the arithmetic', () => {
  assert.throws(
    () => F.conv2d(zeros([8, 4, 32, 32]), zeros([16, 3, 3, 3])),
    (e: Error) => e instanceof ShapeError &&
      /^conv2d: input has 4 channels but the weight expects 3 \(weight \[16, 3, 3, 3\], groups 1\); input shape \[8, 4, 32, 32\]$/.test(e.message),
  );
  assert.throws(
    () => F.conv2d(zeros([8, 3, 3, 3]), zeros([16, 3, 5, 5])),
    (e: Error) => e instanceof ShapeError &&
      /^conv2d: output height would be floor\(\(3 \+ 2\*0 - 1\*\(5-1\) - 1\)\/1\) \+ 1 = -1 \(the kernel spans 5 but the padded input has 3\); input \[8, 3, 3, 3\], weight \[16, 3, 5, 5\]$/.test(e.message),
  );
  // The kernel fits the height but not the dilated width.
  assert.throws(() => F.conv2d(zeros([1, 1, 9, 4]), zeros([1, 1, 3, 3]), null, { dilation: 2 }),
    /conv2d: output width would be floor\(\(4 \+ 2\*0 - 2\*\(3-1\) - 1\)\/1\) \+ 1 = 0 \(the dilated kernel spans 5 but the padded input has 4\)/);
  assert.throws(() => F.conv2d(zeros([2, 3]), zeros([1, 1, 1, 1])),
    /conv2d: expected a 4-D input \[N, C, H, W\] or an unbatched 3-D input \[C, H, W\], got shape \[2, 3\]/);
  assert.throws(() => F.conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3])), /conv2d: the weight must be 4-D \[outChannels, inChannels\/groups, kH, kW\], got shape \[4, 3, 3\]/);
  assert.throws(() => F.conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3]), zeros([3])),
    /conv2d: the bias must have shape \[4\] \(one value per output channel\), got \[3\]; input \[1, 3, 5, 5\], weight \[4, 3, 3, 3\]/);
  assert.throws(() => F.conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3]), zeros([4, 1])), ShapeError);
});

test('conv2d: option errors name the op and the bad value', () => {
  const x = zeros([1, 4, 6, 6]);
  const w = zeros([6, 2, 3, 3]);
  assert.throws(() => F.conv2d(x, zeros([6, 1, 3, 3]), null, { groups: 4 }), (e: Error) => e instanceof ValueError &&
    /conv2d: groups 4 must divide the output channels 6; input \[1, 4, 6, 6\], weight \[6, 1, 3, 3\]/.test(e.message));
  assert.throws(() => F.conv2d(zeros([1, 6, 6, 6]), zeros([8, 2, 3, 3]), null, { groups: 4 }),
    /conv2d: groups 4 must divide the input channels 6; input \[1, 6, 6, 6\], weight \[8, 2, 3, 3\]/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 3 }), /conv2d: groups 3 must divide the input channels 4/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 0 }), /conv2d: groups must be a positive integer, got 0/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, stride: 0 }), (e: Error) => e instanceof ValueError && /conv2d: stride must be at least 1, got 0/.test(e.message));
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, stride: [1, -2] }), /conv2d: stride must be at least 1, got \[1, -2\]/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, stride: 1.5 }), /conv2d: stride must be integers, got 1.5/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, padding: -1 }), /conv2d: padding must be non-negative, got -1/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, padding: [1, 1, 1] }), /conv2d: padding must be a number or a pair \[height, width\], got \[1, 1, 1\]/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, dilation: 0 }), /conv2d: dilation must be at least 1, got 0/);
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, padding: 'same', stride: 2 }),
    (e: Error) => e instanceof ValueError && /conv2d: padding 'same' needs stride 1, got stride \[2, 2\]/.test(e.message));
  assert.throws(() => F.conv2d(x, w, null, { groups: 2, padding: 'full' as 'same' }), /conv2d: padding must be a number, a pair, 'same' or 'valid', got 'full'/);
});

test('conv: dtype errors (int32, mixed float32/float64)', () => {
  assert.throws(() => F.conv2d(zeros([1, 1, 3, 3], { dtype: 'int32' }), zeros([1, 1, 2, 2])),
    (e: Error) => e instanceof ValueError && /conv2d: the input must be float32 or float64, got int32 \[1, 1, 3, 3\]/.test(e.message));
  assert.throws(() => F.conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2], { dtype: 'int32' })), /conv2d: the weight must be float32 or float64, got int32/);
  assert.throws(() => F.conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2], { dtype: 'float64' })), /conv2d: the input is float32 but the weight is float64/);
  assert.throws(() => F.conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2]), zeros([1], { dtype: 'float64' })), /conv2d: the input is float32 but the bias is float64/);
});

test('conv1d: errors speak of lengths and 3-D shapes', () => {
  assert.throws(() => F.conv1d(zeros([2, 3, 4]), zeros([5, 3, 6])),
    /conv1d: output length would be floor\(\(4 \+ 2\*0 - 1\*\(6-1\) - 1\)\/1\) \+ 1 = -1 \(the kernel spans 6 but the padded input has 4\); input \[2, 3, 4\], weight \[5, 3, 6\]$/);
  assert.throws(() => F.conv1d(zeros([2, 3, 4, 4]), zeros([5, 3, 3])), /conv1d: expected a 3-D input \[N, C, L\] or an unbatched 2-D input \[C, L\], got shape \[2, 3, 4, 4\]/);
  assert.throws(() => F.conv1d(zeros([2, 3, 8]), zeros([5, 3, 3, 3])), /conv1d: the weight must be 3-D \[outChannels, inChannels\/groups, k\]/);
  assert.throws(() => F.conv1d(zeros([2, 2, 8]), zeros([5, 3, 3])), /conv1d: input has 2 channels but the weight expects 3 \(weight \[5, 3, 3\], groups 1\); input shape \[2, 2, 8\]/);
  assert.throws(() => F.conv1d(zeros([2, 3, 8]), zeros([5, 3, 3]), null, { padding: [1, 1] }), /conv1d: padding must be a number or a list of one number, got \[1, 1\]/);
});

test('errors are raised before any kernel runs', () => {
  let calls = 0;
  const previous = getBackend();
  const counting = new Proxy(previous, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Backend;
  registerBackend('counting (conv.test)', () => counting);
  registerBackend('previous (conv.test)', () => previous);
  setBackend('counting (conv.test)');
  try {
    F.conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2]));
    assert.equal(calls, 1, 'the counting backend sees the kernel calls');
    calls = 0;
    assert.throws(() => F.conv2d(zeros([8, 3, 3, 3]), zeros([16, 3, 5, 5])), ShapeError);
    assert.throws(() => F.conv2d(zeros([8, 4, 8, 8]), zeros([16, 3, 3, 3])), ShapeError);
    assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }), ValueError);
    assert.throws(() => F.maxPool2d(zeros([8, 16, 1, 1]), { kernelSize: 2 }), ShapeError);
    assert.throws(() => F.avgPool2d(zeros([1, 1, 4, 4]), { kernelSize: 2, padding: 2 }), ValueError);
    assert.equal(calls, 0);
  } finally {
    setBackend('previous (conv.test)');
  }
});

// ---------------------------------------------------------------------------------------------
// PyTorch fixtures: float32 on the selected backend, and float64 on the reference kernels.

for (const op of ['conv1d', 'conv2d'] as const) {
  for (const c of loadFixtureCases('functional.json', op)) {
    const run = ([x, w, b]: Tensor[], o: ConvOptions) => F[op](x, w, b ?? null, o);
    test(`PyTorch fixture ${c.name}`, () => {
      checkAgainstTorch(c, run);
      checkAgainstTorch(c, run, { dtype: 'float64', atol: 1e-6, rtol: 1e-6 });
    });
  }
}
