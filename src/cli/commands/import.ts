import { defineCommand } from '../command.js';
import { readUserFile } from '../readUserFile.js';
import { UsageError } from '../args.js';
import { importOnnx } from '../../io/onnx/import.js';
import { saveModel } from '../../io/modelFile.js';

export const importCommand = defineCommand(
  {
    name: 'import',
    summary: 'read an ONNX model (e.g. from torch.onnx.export): print the waldo module it becomes and save its weights',
    usage: 'waldo import MODEL.onnx [--out weights.safetensors]',
    positionals: 'MODEL.onnx',
    options: {
      out: { type: 'string', value: 'FILE', help: 'write the imported state dict as safetensors (PyTorch names where the file has them)' },
    },
  },
  (args) => {
    if (args.positionals.length !== 1) throw new UsageError("waldo import: give exactly one .onnx file (see 'waldo import --help')");
    const file = args.positionals[0];
    const bytes = readUserFile(file);
    const model = importOnnx(bytes, file);
    process.stdout.write(`${model.toString()}\n${model.numParameters().toLocaleString('en-US')} parameters\n`);
    const out = args.values.out as string | undefined;
    if (out !== undefined) {
      saveModel(out, model, { format: 'pt', source: 'onnx' });
      process.stdout.write(`wrote ${out} (${model.stateDict().size} tensors)\n`);
    }
    return 0;
  },
);
