import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, ShapeError, ValueError, functional as F, tensor, zeros } from '../../src/index.js';
import type { ConvOptions, ConvTransposeOptions } from '../../src/ops/conv.js';
import { gradCheck, randomInput } from '../helpers/gradcheck.js';
import { checkAgainstTorch, loadFixtureCases } from '../helpers/torchFixtures.js';

const arr = (t: Tensor) => Array.from(t.toArray());

interface Case {
  name: string;
  x: number[];
  /** [Cin, Cout/groups, kh, kw] */
  w: number[];
  bias?: boolean;
  options?: ConvTransposeOptions;
}

const cases: Case[] = [
  { name: 'defaults', x: [2, 3, 3, 2], w: [3, 2, 3, 3] },
  { name: 'no bias', x: [1, 2, 3, 3], w: [2, 3, 2, 2], bias: false },
  { name: 'stride 2', x: [1, 2, 3, 2], w: [2, 2, 3, 3], options: { stride: 2 } },
  { name: 'stride 2, padding 1, outputPadding 1', x: [2, 2, 3, 2], w: [2, 2, 3, 3], options: { stride: 2, padding: 1, outputPadding: 1 } },
  { name: 'pairs', x: [1, 2, 3, 3], w: [2, 2, 3, 2], options: { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2] } },
  { name: 'groups 2', x: [1, 4, 3, 3], w: [4, 1, 3, 3], options: { groups: 2, stride: 2, padding: 1 } },
  { name: 'depthwise', x: [1, 3, 3, 3], w: [3, 1, 2, 2], options: { groups: 3, stride: 2 } },
  { name: 'dilation 2, padding 1', x: [1, 2, 3, 3], w: [2, 2, 3, 3], options: { dilation: 2, padding: 1 } },
  { name: 'outputPadding ≥ stride but < dilation', x: [1, 2, 3, 3], w: [2, 1, 2, 2], options: { dilation: 3, outputPadding: 2 } },
  { name: 'unbatched [C, H, W]', x: [2, 3, 2], w: [2, 3, 3, 2], options: { stride: 2 } },
];

for (const c of cases) {
  test(`convTranspose2d gradient check: ${c.name}`, () => {
    const inputs = [randomInput(c.x, 11), randomInput(c.w, 12)];
    if (c.bias !== false) inputs.push(randomInput([c.w[1] * (c.options?.groups ?? 1)], 13));
    gradCheck((x, w, b) => F.convTranspose2d(x, w, b ?? null, c.options), inputs);
  });
}

test('convTranspose2d output size: (H−1)·s − 2p + d(k−1) + outputPadding + 1', () => {
  assert.deepEqual(F.convTranspose2d(zeros([1, 16, 8, 8]), zeros([16, 8, 4, 4]), null, { stride: 2, padding: 1 }).shape, [1, 8, 16, 16]);
  assert.deepEqual(F.convTranspose2d(zeros([2, 4, 5, 3]), zeros([4, 3, 3, 2]), zeros([6]), { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2 }).shape, [2, 6, 10, 4]);
  assert.deepEqual(F.convTranspose2d(zeros([4, 5, 3]), zeros([4, 3, 3, 3]), null, { dilation: 2 }).shape, [3, 9, 7]);
});

test('a stride-2 transposed convolution spreads each input value over its kernel footprint', () => {
  // One channel, kernel of ones 2x2, stride 2: every input pixel becomes a 2x2 block.
  const y = F.convTranspose2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1, 1, 1, 1], [1, 1, 2, 2]), tensor([0.5], [1]), { stride: 2 });
  assert.deepEqual(arr(y), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4].map((v) => v + 0.5));
});

test('convTranspose2d is the adjoint of conv2d: ⟨conv2d(x, w), y⟩ = ⟨x, convTranspose2d(y, w)⟩', () => {
  const settings: [number[], number[], ConvOptions & ConvTransposeOptions, number[]][] = [
    [[2, 4, 7, 6], [6, 2, 3, 3], { stride: 2, padding: 1, groups: 2 }, [0, 1]],
    [[1, 3, 8, 9], [2, 3, 2, 3], { stride: [2, 3], dilation: [2, 1] }, [1, 0]],
  ];
  for (const [xShape, wShape, options, outputPadding] of settings) {
    const x = randomInput(xShape, 21).detach();
    const w = randomInput(wShape, 22).detach();
    const y = F.conv2d(x, w, null, options);
    const dy = randomInput([...y.shape], 23).detach();
    const back = F.convTranspose2d(dy, w, null, { ...options, outputPadding });
    assert.deepEqual(back.shape, x.shape, 'outputPadding recovers the input size');
    const lhs = y.mul(dy).sum().item();
    const rhs = x.mul(back).sum().item();
    assert.ok(Math.abs(lhs - rhs) < 1e-10 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
  }
});

test('convTranspose2d: errors name the op, the shapes and the arithmetic', () => {
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }),
    (e: Error) => e instanceof ValueError &&
      /convTranspose2d: outputPadding must be smaller than either stride or dilation, got outputPadding \[2, 2\], stride \[2, 2\], dilation \[1, 1\]/.test(e.message));
  assert.throws(() => F.convTranspose2d(zeros([1, 4, 3, 3]), zeros([3, 2, 3, 3])),
    (e: Error) => e instanceof ShapeError &&
      /^convTranspose2d: input has 4 channels but the weight expects 3 \(weight \[3, 2, 3, 3\] is \[inChannels, outChannels\/groups, kH, kW\], groups 1\); input shape \[1, 4, 3, 3\]$/.test(e.message));
  assert.throws(() => F.convTranspose2d(zeros([1, 3, 3, 3]), zeros([3, 2, 3, 3]), null, { groups: 2 }),
    /convTranspose2d: groups 2 must divide the input channels 3 of the weight; input \[1, 3, 3, 3\], weight \[3, 2, 3, 3\]/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 1, 1]), zeros([2, 2, 1, 1]), null, { padding: 1 }),
    (e: Error) => e instanceof ShapeError &&
      /^convTranspose2d: output height would be \(1-1\)\*1 - 2\*1 \+ 1\*\(1-1\) \+ 0 \+ 1 = -1; input \[1, 2, 1, 1\], weight \[2, 2, 1, 1\]$/.test(e.message));
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), zeros([3])), /convTranspose2d: the bias must have shape \[2\]/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { padding: 'same' as unknown as number }),
    /convTranspose2d: padding must be a number or a pair \[height, width\], got 'same'/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { outputPadding: -1 }), /convTranspose2d: outputPadding must be non-negative, got -1/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { stride: 0 }), /convTranspose2d: stride must be at least 1, got 0/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { dilation: 0 }), /convTranspose2d: dilation must be at least 1, got 0/);
  assert.throws(() => F.convTranspose2d(zeros([2, 3]), zeros([2, 2, 3, 3])), /convTranspose2d: expected a 4-D input \[N, C, H, W\]/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3])), /convTranspose2d: the weight must be 4-D \[inChannels, outChannels\/groups, kH, kW\]/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3], { dtype: 'int32' }), zeros([2, 2, 3, 3])), /convTranspose2d: the input must be float32 or float64, got int32/);
});

for (const c of loadFixtureCases('functional.json', 'convTranspose2d')) {
  const run = ([x, w, b]: Tensor[], o: ConvTransposeOptions) => F.convTranspose2d(x, w, b ?? null, o);
  test(`PyTorch fixture ${c.name}`, () => {
    checkAgainstTorch(c, run);
    checkAgainstTorch(c, run, { dtype: 'float64', atol: 1e-6, rtol: 1e-6 });
  });
}
