/** Where training reports progress: a terminal gets one redrawn bar, anything else plain lines. */
export interface ProgressSink {
  /** Whether the output is an interactive terminal (the bar is redrawn in place). */
  readonly isTTY: boolean;
  write(text: string): void;
}

export function stdoutSink(): ProgressSink {
  return { isTTY: Boolean(process.stdout.isTTY), write: (text) => void process.stdout.write(text) };
}

/** A sink that prints nothing (library use without output). */
export const silentSink: ProgressSink = { isTTY: false, write: () => {} };

/** `1:05` or `12s`: short durations for an ETA. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}:${String(s % 60).padStart(2, '0')}`;
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * One epoch's progress: on a terminal a bar `epoch 2/5 [#####-----] 120/125 loss 0.1234 acc 96.1% 2,345 img/s ETA 3s`
 * redrawn at most ten times a second; otherwise a plain line every `plainEvery` steps.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly total: number,
    private readonly plainEvery = Math.max(1, Math.ceil(total / 4)),
  ) {}

  update(step: number, stats: { loss: number; accuracy: number; images: number }, force = false): void {
    const now = performance.now();
    const elapsed = (now - this.started) / 1000;
    const rate = stats.images / Math.max(elapsed, 1e-9);
    const eta = (elapsed / step) * (this.total - step);
    const text = `${this.label} ${step}/${this.total} loss ${stats.loss.toFixed(4)} acc ${(100 * stats.accuracy).toFixed(1)}% ${Math.round(rate).toLocaleString('en-US')} img/s ETA ${formatDuration(eta)}`;
    if (this.sink.isTTY) {
      if (!force && now - this.lastDraw < 100 && step !== this.total) return;
      this.lastDraw = now;
      const width = 20;
      const filled = Math.round((width * step) / this.total);
      const bar = '[' + '#'.repeat(filled) + '-'.repeat(width - filled) + ']';
      this.sink.write(`\r\x1b[2K${text.replace(`${step}/`, `${bar} ${step}/`)}`);
    } else if (step % this.plainEvery === 0 || step === this.total) {
      this.sink.write(text + '\n');
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.sink.isTTY) this.sink.write('\n');
  }
}
