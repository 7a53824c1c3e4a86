/**
 * The progress display of batch prediction on stderr: on a terminal one line redrawn in place
 * (a bar, count, rate, ETA), at most 10 times a second; otherwise (a log file, CI) a plain line
 * every `interval` seconds and a summary at the end.
 *
 * A plain implementation rather than a package such as `cli-progress`: the display is one line of
 * text (about 60 lines of code here), which also covers the non-terminal case that such packages
 * leave out, and it saves the dependencies (cli-progress brings string-width and its four
 * dependencies for wide-character handling that a count and a rate do not need).
 *
 * @packageDocumentation
 */
import { formatDuration } from '../util/format.js';

/** Where the progress goes: stderr, or anything like it. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link ProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** Force the terminal (or plain) display; default: `stream.isTTY`. */
  tty?: boolean;
  /** Seconds between plain lines. Default 10. */
  interval?: number;
  /** What is counted. Default 'files'. */
  unit?: string;
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** A progress display: call {@link ProgressDisplay.update} after each item and {@link ProgressDisplay.finish} once. */
export class ProgressDisplay {
  private total: number | undefined;
  private readonly tty: boolean;
  private readonly interval: number;
  private readonly unit: string;
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw = -Infinity;
  private done = 0;
  private failed = 0;
  private skipped = 0;

  constructor(private readonly stream: ProgressStream, options: ProgressDisplayOptions = {}) {
    this.tty = options.tty ?? stream.isTTY === true;
    this.interval = (options.interval ?? 10) * 1000;
    this.unit = options.unit ?? 'files';
    this.now = options.now ?? Date.now;
    this.start = this.now();
    // plain lines: the first one after an interval, when the rate means something
    if (!this.tty) this.lastDraw = this.start;
  }

  /** Whether the live terminal display is used. */
  get isTty(): boolean {
    return this.tty;
  }

  /** The number of items in all (known later than the start for a folder being counted). */
  setTotal(total: number): void {
    this.total = total;
  }

  /** Items skipped before the run (already done, `--resume`): not counted in the rate. */
  setSkipped(skipped: number): void {
    this.skipped = skipped;
  }

  /** Records progress: items done so far (this run) and how many of them failed. Redraws when due. */
  update(done: number, failed: number): void {
    this.done = done;
    this.failed = failed;
    const t = this.now();
    if (t - this.lastDraw < (this.tty ? 100 : this.interval)) return;
    this.lastDraw = t;
    this.draw(false);
  }

  /** Draws the last state and ends the line. */
  finish(): void {
    this.draw(true);
  }

  /** The progress text (without a line end). */
  line(): string {
    const seconds = Math.max(1e-3, (this.now() - this.start) / 1000);
    const rate = this.done / seconds;
    const count = this.done + this.skipped;
    const parts: string[] = [];
    const total = this.total;
    if (total !== undefined && total > 0) {
      const f = Math.min(1, count / total);
      if (this.tty) {
        const width = 20;
        const full = Math.round(f * width);
        parts.push(`[${'█'.repeat(full)}${'░'.repeat(width - full)}]`);
      }
      parts.push(`${fmt(count)}/${fmt(total)} ${this.unit} (${(f * 100).toFixed(f < 1 ? 1 : 0)}%)`);
    } else parts.push(`${fmt(count)} ${this.unit}`);
    parts.push(`${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} ${this.unit}/s`);
    if (total !== undefined && rate > 0 && count < total) parts.push(`ETA ${formatDuration((total - count) / rate)}`);
    else parts.push(formatDuration(seconds));
    if (this.failed > 0) parts.push(`${fmt(this.failed)} failed`);
    if (this.skipped > 0) parts.push(`${fmt(this.skipped)} skipped (already in the output)`);
    return parts.join('  ');
  }

  private draw(final: boolean): void {
    let text = this.line();
    if (this.tty) {
      const cols = this.stream.columns ?? 80;
      if (text.length > cols - 1) text = text.slice(0, cols - 1);
      this.stream.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
    } else this.stream.write(`${text}\n`);
  }
}
