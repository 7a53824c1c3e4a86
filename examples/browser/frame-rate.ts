/**
 * `FrameRate`: frames per second actually achieved, over the last few seconds.
 *
 * @packageDocumentation
 */

/** Measures a rate from the times of events (analysed frames) over a sliding window. */
export class FrameRate {
  private times: number[] = [];

  /** @param windowMs How far back the rate looks, in milliseconds. */
  constructor(private readonly windowMs = 3000) {}

  /**
   * Records one event at `time` (ms, default `performance.now()`) and returns the rate over the
   * window: events per second between the first and the last in it; 0 until there are two.
   */
  tick(time: number = performance.now()): number {
    this.times.push(time);
    while (this.times.length > 2 && time - this.times[0] > this.windowMs) this.times.shift();
    return this.rate;
  }

  /** Events per second over the window (0 until two events). */
  get rate(): number {
    const n = this.times.length;
    const span = n < 2 ? 0 : this.times[n - 1] - this.times[0];
    return span > 0 ? (1000 * (n - 1)) / span : 0;
  }

  /** Forgets every event. */
  reset(): void {
    this.times = [];
  }
}
