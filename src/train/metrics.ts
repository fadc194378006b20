/**
 * A confusion matrix: counts[t][p] is how many examples of true class t were predicted as p.
 *
 * @example
 * const m = new ConfusionMatrix(3);
 * m.add(Int32Array.of(0, 1), Int32Array.of(0, 2));
 * m.accuracy(); // 0.5
 */
export class ConfusionMatrix {
  readonly counts: number[][];

  constructor(readonly numClasses: number) {
    this.counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  add(truth: ArrayLike<number>, predicted: ArrayLike<number>): void {
    for (let i = 0; i < truth.length; i++) this.counts[truth[i]][predicted[i]]++;
  }

  get total(): number {
    return this.counts.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  }

  accuracy(): number {
    let correct = 0;
    for (let c = 0; c < this.numClasses; c++) correct += this.counts[c][c];
    return this.total === 0 ? 0 : correct / this.total;
  }

  /** A plain-text table: rows are true classes, columns predictions. */
  format(classes?: readonly string[]): string {
    const names = classes ?? this.counts.map((_, i) => String(i));
    const width = Math.max(5, ...names.map((n) => n.length), ...this.counts.flat().map((c) => String(c).length)) + 1;
    const pad = (s: string) => s.padStart(width);
    const header = pad('true\\pred') + names.map(pad).join('');
    const rows = this.counts.map((row, t) => pad(names[t]) + row.map((c) => pad(String(c))).join(''));
    return [header, ...rows].join('\n');
  }
}

/** Index of the largest value in each row of a [rows, cols] array (first on ties). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}
