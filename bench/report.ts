// The result store, the one printed table and bench/results.json.
import { writeFileSync } from 'node:fs';
import { median } from './timing.js';

export const columns = [
  { id: 'waldo1', title: 'waldo ×1', threads: 1 },
  { id: 'waldo2', title: 'waldo ×2', threads: 2 },
  { id: 'tfjsWasm', title: 'tfjs wasm', threads: 1 },
  { id: 'tfjsCpu', title: 'tfjs cpu', threads: 1 },
  { id: 'ort', title: 'ORT wasm', threads: 1 },
  { id: 'convnet', title: 'convnetjs', threads: 1 },
  { id: 'torch1', title: 'torch ×1', threads: 1 },
  { id: 'torch2', title: 'torch ×2', threads: 2 },
] as const;
export type ColumnId = (typeof columns)[number]['id'];
export type Unit = 'ms' | 'img/s' | 'GFLOP/s';

/** A measured cell: the median of its rounds' values (`samples`), and the timed runs of all rounds. */
export interface Cell { value?: number; runs?: number; text?: string; samples?: number[] }
export interface Row { id: string; label: string; unit: Unit; cells: Partial<Record<ColumnId, Cell>>; notes: string[] }

const rows = new Map<string, Row>();
const footnotes: string[] = [];

export function row(id: string, label: string, unit: Unit): Row {
  let r = rows.get(id);
  if (r === undefined) rows.set(id, (r = { id, label, unit, cells: {}, notes: [] }));
  return r;
}

/** Records one round's value of a cell; the cell shows the median over the rounds. */
export function set(r: Row, col: ColumnId, value: number, runs?: number): void {
  const samples = [...(r.cells[col]?.samples ?? []), value];
  const before = r.cells[col]?.runs;
  r.cells[col] = { value: median(samples), runs: runs === undefined ? before : (before ?? 0) + runs, samples };
}

/** A cell that holds a word instead of a number (n/a, cannot, error, skipped), with its reason as a footnote. */
export function mark(r: Row, col: ColumnId, text: string, reason?: string): void {
  r.cells[col] = { text };
  if (reason === undefined) return;
  // One footnote per cell: a later round's reason replaces an earlier one.
  const key = `${r.id} ${columns.find((c) => c.id === col)!.title}: `;
  const at = footnotes.findIndex((f) => f.startsWith(key));
  if (at >= 0) footnotes.splice(at, 1);
  footnote(`${key}${text} — ${reason}`);
}

export function note(r: Row, text: string): void {
  if (!r.notes.includes(text)) r.notes.push(text);
}

export function footnote(text: string): void {
  if (!footnotes.includes(text)) footnotes.push(text);
}

/** Runs a peer's step; an exception becomes an "error" cell instead of ending the benchmark. */
export async function guard(r: Row, col: ColumnId, fn: () => unknown, word = 'error'): Promise<void> {
  try {
    await fn();
  } catch (e) {
    mark(r, col, word, (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160));
  }
}

/** Reference column for a column's ratio: waldo at the same thread count (waldo ×2 against waldo ×1). */
function reference(col: ColumnId): ColumnId {
  if (col === 'waldo2') return 'waldo1';
  return columns.find((c) => c.id === col)!.threads === 2 ? 'waldo2' : 'waldo1';
}

/** Peer time ÷ waldo time (for rates: waldo rate ÷ peer rate), so > 1 means waldo is faster. */
export function ratio(r: Row, col: ColumnId): number | undefined {
  if (col === 'waldo1') return undefined;
  const v = r.cells[col]?.value, w = r.cells[reference(col)]?.value;
  if (v === undefined || w === undefined || v === 0 || w === 0) return undefined;
  return r.unit === 'ms' ? v / w : w / v;
}

function fmt(v: number): string {
  if (v >= 1000) return v.toFixed(0);
  if (v >= 100) return v.toFixed(1);
  if (v >= 10) return v.toFixed(2);
  return v.toFixed(3);
}

function cellText(r: Row, col: ColumnId): string {
  const c = r.cells[col];
  if (c === undefined) return '';
  if (c.text !== undefined) return c.text;
  const q = ratio(r, col);
  return q === undefined ? fmt(c.value!) : `${fmt(c.value!)} ${q >= 10 ? q.toFixed(0) : q.toFixed(2)}x`;
}

export function printTable(header: string[]): string {
  const used = columns.filter((c) => [...rows.values()].some((r) => r.cells[c.id] !== undefined));
  const head = ['case', 'unit', ...used.map((c) => c.title), 'check'];
  const body = [...rows.values()].map((r) => [`${r.id} ${r.label}`, r.unit, ...used.map((c) => cellText(r, c.id)), r.notes.join('; ')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [
    ...header,
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    '',
    'Cells: median (value) and ratio = peer time ÷ waldo time at the same thread count (img/s and GFLOP/s: waldo ÷ peer),',
    'so >1x means waldo is faster; the waldo ×2 ratio is against waldo ×1 (<1x: two threads help).',
    ...footnotes.map((f) => `  * ${f}`),
  ];
  const text = out.join('\n');
  console.log(text);
  return text;
}

export function writeJson(path: string, meta: Record<string, unknown>): void {
  const data = {
    meta,
    columns,
    rows: [...rows.values()].map((r) => ({
      ...r,
      ratios: Object.fromEntries(columns.map((c) => [c.id, ratio(r, c.id)]).filter(([, q]) => q !== undefined)),
    })),
    footnotes,
  };
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
}
