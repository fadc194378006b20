/**
 * `summary(model, inputShape)`: the model's layers with their output shapes, parameter counts,
 * multiply-accumulates, receptive fields, and the parameters a dense layer with the same input
 * and output sizes would need — the numbers that show why convolutions exist. Nothing is
 * computed: every layer infers its output shape (Module.describe), so a model that cannot fit
 * an input fails here, naming the layer path and the arithmetic.
 */
import { sizeOf } from '../tensor/shape.js';
import type { Module } from './module.js';
import { sequentialLeaves } from './leaves.js';

export interface SummaryRow {
  /** Dotted path, as in the state dict: 'features.0'. */
  path: string;
  /** Class name: 'Conv2d'. */
  layer: string;
  outputShape: number[];
  parameters: number;
  macs: number;
  /**
   * Input positions one output element depends on, per spatial axis ([height, width] or [length]),
   * or null once a layer has mixed every position (Linear, Flatten, global pooling).
   */
  receptiveField: number[] | null;
  /** Parameters of a dense layer mapping this layer's input (one example) to its output, with bias; null for layers without parameters. */
  denseEquivalent: number | null;
}

export interface Summary {
  inputShape: number[];
  rows: SummaryRow[];
  outputShape: number[];
  totalParameters: number;
  totalMacs: number;
}

function ownParameters(module: Module): number {
  return module.parameters().reduce((n, p) => n + p.numel(), 0);
}

/**
 * Per-layer output shapes, parameters and multiply-accumulates of a model for an input shape, computed\nwithout running any kernel.
 *
 * @example
 * import { summary, models } from 'waldo';
 * summary(models.lenet5(), [1, 1, 28, 28]).rows[0]; // { path: 'features.0', layer: 'Conv2d', outputShape: [1, 6, 28, 28], parameters: 156, ... }
 */
export function summary(model: Module, inputShape: readonly number[]): Summary {
  const rows: SummaryRow[] = [];
  let shape = [...inputShape];
  // The input counts as batched: its first dimension is the batch.
  const perExample = (s: readonly number[]) => sizeOf(s.slice(1));
  const spatialRank = Math.max(inputShape.length - 2, 0);
  let field: number[] | null = new Array<number>(spatialRank).fill(1);
  let jump: number[] = new Array<number>(spatialRank).fill(1);
  for (const [path, layer] of sequentialLeaves(model)) {
    const described = layer.describe(shape, path === '' ? layer.constructor.name : path);
    const { window } = described;
    if (field !== null && window !== undefined) {
      // Each spatial axis of the window sits at the end of the shape, aligned with the input's spatial axes.
      const before: number[] = field;
      const offset = before.length - window.kernel.length;
      field = before.map((f: number, i: number) => (i < offset ? f : f + window.dilation[i - offset] * (window.kernel[i - offset] - 1) * jump[i]));
      jump = jump.map((j: number, i: number) => (i < offset ? j : j * window.stride[i - offset]));
    }
    if (described.global) field = null;
    const parameters = ownParameters(layer);
    const denseIn = perExample(shape);
    const denseOut = perExample(described.outputShape);
    rows.push({
      path,
      layer: layer.constructor.name,
      outputShape: described.outputShape,
      parameters,
      macs: described.macs,
      receptiveField: field === null ? null : [...field],
      denseEquivalent: parameters === 0 ? null : denseIn * denseOut + denseOut,
    });
    shape = described.outputShape;
  }
  return {
    inputShape: [...inputShape],
    rows,
    outputShape: shape,
    totalParameters: rows.reduce((n, r) => n + r.parameters, 0),
    totalMacs: rows.reduce((n, r) => n + r.macs, 0),
  };
}

const group = (n: number) => n.toLocaleString('en-US');

/**
 * The summary as an aligned text table with totals, as `waldo summary` prints it.
 *
 * @example
 * import { summary, formatSummary, models } from 'waldo';
 * console.log(formatSummary(summary(models.lenet5(), [1, 1, 28, 28])));
 */
export function formatSummary(s: Summary): string {
  const header = ['layer', 'type', 'output shape', 'parameters', 'MACs', 'receptive field', 'dense equivalent'];
  const body = s.rows.map((r) => [
    r.path,
    r.layer,
    `[${r.outputShape.join(', ')}]`,
    group(r.parameters),
    group(r.macs),
    r.receptiveField === null ? 'whole input' : r.receptiveField.join('×'),
    r.denseEquivalent === null ? '-' : group(r.denseEquivalent),
  ]);
  const denseTotal = s.rows.reduce((n, r) => n + (r.denseEquivalent ?? 0), 0);
  const footer = ['total', '', `[${s.outputShape.join(', ')}]`, group(s.totalParameters), group(s.totalMacs), '', group(denseTotal)];
  const table = [header, ...body, footer];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c >= 3 && c !== 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line), rule, line(footer)].join('\n');
}
