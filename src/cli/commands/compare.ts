import { defineCommand } from '../command.js';
import { numberOption } from '../args.js';
import { compareShiftRobustness } from '../../explain/compare.js';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import { lineChart } from '../../viz/lineChart.js';

export const compareCommand = defineCommand(
  {
    name: 'compare',
    summary: 'train an MLP and a CNN of similar size on the same digits, then test both on shifted digits',
    usage: 'waldo compare [--epochs N] [--max-shift K] [--seed N] [--out FILE]',
    options: {
      epochs: { type: 'string', value: 'N', help: 'training epochs for each model (default 4)' },
      'max-shift': { type: 'string', value: 'K', help: 'test shifts of 0..K pixels (default 6)' },
      seed: { type: 'string', value: 'N', help: 'one seed for both models and the data order (default 0)' },
      'train-size': { type: 'string', value: 'N', help: 'train on the first N digits only (default all 8,000)' },
      'test-size': { type: 'string', value: 'N', help: 'test on the first N held-out digits only (default all 2,000)' },
      out: { type: 'string', value: 'FILE', help: 'the PNG plot of accuracy against shift (default compare.png)' },
    },
  },
  (args) => {
    const epochs = numberOption(args, 'epochs', 'compare', { integer: true, min: 1 }) ?? 4;
    const maxShift = numberOption(args, 'max-shift', 'compare', { integer: true, min: 0 }) ?? 6;
    const seed = numberOption(args, 'seed', 'compare', { integer: true, min: 0 }) ?? 0;
    const trainSize = numberOption(args, 'train-size', 'compare', { integer: true, min: 1 });
    const testSize = numberOption(args, 'test-size', 'compare', { integer: true, min: 1 });
    const out = (args.values.out as string | undefined) ?? 'compare.png';
    const curves = compareShiftRobustness({
      epochs, maxShift, seed, trainSize, testSize,
      onModel: (name, parameters) => process.stdout.write(`training ${name} (${parameters.toLocaleString('en-US')} parameters) for ${epochs} epochs…\n`),
    });
    const header = ['shift (px)', ...curves.map((c) => `${c.name} (${c.parameters.toLocaleString('en-US')})`)];
    const rows = curves[0].accuracy.map((_, s) => [String(s), ...curves.map((c) => `${(100 * c.accuracy[s]).toFixed(2)}%`)]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    process.stdout.write(`\nheld-out accuracy with every digit moved by s pixels (mean of up, down, left, right):\n${[line(header), ...rows.map(line)].join('\n')}\n`);
    const chart = lineChart({
      title: 'accuracy under shift', xLabel: 'shift (pixels)', yLabel: 'accuracy %', yRange: [0, 100],
      series: curves.map((c) => ({ name: c.name, values: c.accuracy.map((a) => 100 * a) })),
    });
    writeFileAtomic(out, chart.toPng());
    process.stdout.write(`plot written to ${out}\n`);
    return 0;
  },
);
