import { defineCommand } from '../command.js';
import { UsageError } from '../args.js';
import { modelZoo } from '../../models/index.js';
import { formatSummary, summary } from '../../nn/summary.js';

export const summaryCommand = defineCommand(
  {
    name: 'summary',
    summary: 'per-layer output shapes, parameters, multiply-accumulates, receptive fields, and the dense layer each conv replaces',
    usage: 'waldo summary [--model NAME] [--input N,C,H,W]',
    options: {
      model: { type: 'string', value: 'NAME', help: `architecture: ${Object.keys(modelZoo).join(', ')} (default lenet5)` },
      input: { type: 'string', value: 'SHAPE', help: 'input shape, comma-separated (default 1,1,28,28)' },
    },
  },
  (args) => {
    const name = (args.values.model as string | undefined) ?? 'lenet5';
    const build = modelZoo[name];
    if (build === undefined) throw new UsageError(`waldo summary: unknown model '${name}'; choose one of ${Object.keys(modelZoo).join(', ')}`);
    const raw = (args.values.input as string | undefined) ?? '1,1,28,28';
    const shape = raw.split(',').map((s) => Number(s.trim()));
    if (shape.length < 2 || shape.some((d) => !Number.isInteger(d) || d < 1)) throw new UsageError(`waldo summary: --input must be positive integers separated by commas, like 1,1,28,28; got '${raw}'`);
    process.stdout.write(`${name}, input [${shape.join(', ')}]\n\n${formatSummary(summary(build({}), shape))}\n`);
    return 0;
  },
);
