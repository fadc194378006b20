import { defineCommand } from '../command.js';
import { UsageError, numberOption } from '../args.js';
import { loadTrainedModel } from '../trainedModel.js';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import { exportOnnx } from '../../io/onnx/export.js';
import type { Module } from '../../nn/module.js';

/** The PyTorch exporter, if this build has one (src/io/pytorchExport.ts). */
async function loadPytorchExporter(): Promise<((model: Module, name: string) => { python: string }) | null> {
  const specifier = '../../io/pytorchExport.js';
  try {
    const mod = (await import(specifier)) as { exportPytorch?: (model: Module, name: string) => { python: string } };
    return mod.exportPytorch ?? null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

export const exportCommand = defineCommand(
  {
    name: 'export',
    summary: 'write trained weights as an ONNX model (for ONNX Runtime and other runtimes) or as PyTorch code',
    usage: 'waldo export --weights FILE --format onnx|pytorch --out FILE [--input 1,1,28,28] [--opset N]',
    options: {
      weights: { type: 'string', value: 'FILE', help: 'safetensors weights written by waldo train (default runs/lenet5/model.safetensors)' },
      format: { type: 'string', value: 'FORMAT', help: 'onnx or pytorch (default onnx)' },
      out: { type: 'string', value: 'FILE', help: 'where to write the model' },
      input: { type: 'string', value: 'SHAPE', help: 'input shape with the batch dimension, comma-separated (default 1,<the training images\' shape>); the batch stays dynamic' },
      opset: { type: 'string', value: 'N', help: 'ONNX opset (default 13; 19 and later also export circular padding)' },
    },
  },
  async (args) => {
    const format = (args.values.format as string | undefined) ?? 'onnx';
    if (format !== 'onnx' && format !== 'pytorch') throw new UsageError(`waldo export: --format must be onnx or pytorch, got '${format}'`);
    const out = args.values.out as string | undefined;
    if (out === undefined) throw new UsageError("waldo export: give the output file with --out (see 'waldo export --help')");
    const weights = (args.values.weights as string | undefined) ?? 'runs/lenet5/model.safetensors';
    if (format === 'pytorch') {
      const exportPytorch = await loadPytorchExporter();
      if (exportPytorch === null) throw new UsageError('waldo export: --format pytorch is not yet implemented; use --format onnx');
      const trained = loadTrainedModel(weights);
      writeFileAtomic(out, exportPytorch(trained.model.eval(), trained.name).python);
      process.stdout.write(`wrote ${out}: ${trained.name} as PyTorch code\n`);
      return 0;
    }
    const trained = loadTrainedModel(weights);
    let shape = [1, ...trained.inputShape];
    const raw = args.values.input as string | undefined;
    if (raw !== undefined) {
      shape = raw.split(',').map((s) => Number(s.trim()));
      if (shape.length < 2 || shape.some((d) => !Number.isInteger(d) || d < 1)) throw new UsageError(`waldo export: --input must be positive integers separated by commas, like 1,1,28,28; got '${raw}'`);
    }
    const opset = numberOption(args, 'opset', 'export', { integer: true, min: 13 }) ?? 13;
    const model = trained.model.eval();
    const bytes = exportOnnx(model, shape, { opset });
    writeFileAtomic(out, bytes);
    const output = model.describe(shape, '').outputShape;
    process.stdout.write(`wrote ${out} (${bytes.length.toLocaleString('en-US')} bytes): ${trained.name} as ONNX opset ${opset}, input "input" [batch, ${shape.slice(1).join(', ')}] → output "output" [batch, ${output.slice(1).join(', ')}]\n`);
    return 0;
  },
);
