"""Checks `exportPytorch` end to end: for each model of waldo's zoo, waldo writes the Python module
and its safetensors weights plus its own output on a fixed input; PyTorch then imports the module,
loads the weights with strict=True and must reproduce waldo's output.

Developer tool (needs Debian's python3-torch and a built checkout: `npm run build`):

    /usr/bin/python3 tools/check_pytorch_export.py
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NODE_SCRIPT = """
import { Generator, models, tensor, noGrad } from './dist/src/index.js';
import { exportPytorch } from './dist/src/io/pytorchExport.js';
import { saveModel } from './dist/src/io/modelFile.js';
import { writeFileSync } from 'node:fs';
const out = process.argv[1];
const results = {};
for (const [name, build] of Object.entries({ lenet5: models.lenet5, mlp: models.mlp, small_cnn: models.smallCnn })) {
  const model = build({ generator: new Generator(7) }).eval();
  writeFileSync(`${out}/${name}.py`, exportPytorch(model, name).python);
  saveModel(`${out}/${name}.safetensors`, model, {});
  const x = tensor(Array.from({ length: 2 * 784 }, (_, i) => Math.sin(i / 7)), [2, 1, 28, 28]);
  results[name] = Array.from(noGrad(() => model.call(x)).toArray());
}
writeFileSync(`${out}/outputs.json`, JSON.stringify(results));
"""


def main():
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["node", "--input-type=module", "-e", NODE_SCRIPT, out], cwd=ROOT, check=True)
        expected = json.load(open(os.path.join(out, "outputs.json")))
        x = torch.sin(torch.arange(2 * 784, dtype=torch.float32) / 7).reshape(2, 1, 28, 28)
        worst = 0.0
        for name, values in expected.items():
            spec = importlib.util.spec_from_file_location(name, os.path.join(out, f"{name}.py"))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            model = module.load(os.path.join(out, f"{name}.safetensors"))
            with torch.no_grad():
                got = model(x).flatten()
            diff = (got - torch.tensor(values)).abs().max().item()
            worst = max(worst, diff)
            print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters, max |pytorch - waldo| = {diff:.2e}")
        if worst > 1e-4:
            sys.exit(f"outputs differ by up to {worst}")
        print("PyTorch reproduces waldo's outputs for every exported model")


if __name__ == "__main__":
    main()
