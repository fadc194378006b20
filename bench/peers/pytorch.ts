// PyTorch via /usr/bin/python3 (when `import torch` works there): pytorch_bench.py times the same
// cases on 1 and 2 threads and answers in JSON; otherwise the torch columns read "n/a".
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Row, mark, set } from '../report.js';
import type { ConvShape } from '../shapes.js';

export const PYTHON = process.env.WALDO_BENCH_PYTHON ?? '/usr/bin/python3';

export interface TorchResults {
  version: string;
  blas?: string;
  rows: Record<string, { torch1?: { value: number; runs: number }; torch2?: { value: number; runs: number } }>;
}

/** Runs the Python benchmark; throws (→ "n/a" with the reason) when torch cannot be imported. */
export function runPytorch(shapes: ConvShape[], gemm: number): TorchResults {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) throw new Error(`${PYTHON} -c "import torch" failed: ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`);
  // the script stays in bench/peers/ (tsc does not copy it to dist/)
  const script = fileURLToPath(new URL('../../../bench/peers/pytorch_bench.py', import.meta.url));
  const res = spawnSync(PYTHON, [script], { input: JSON.stringify({ shapes, gemm }), encoding: 'utf8', timeout: 240_000, maxBuffer: 1 << 24 });
  if (res.status !== 0) throw new Error(`pytorch_bench.py failed: ${(res.stderr || String(res.error)).trim().split('\n').pop()}`);
  return JSON.parse(res.stdout) as TorchResults;
}

export function fill(r: Row, torch: TorchResults | null, key: string): void {
  for (const col of ['torch1', 'torch2'] as const) {
    const c = torch?.rows[key]?.[col];
    if (c !== undefined) set(r, col, c.value, c.runs);
    else mark(r, col, 'n/a');
  }
}
