/**
 * Learning-rate schedules: constant, cosine (with warm-up), one-cycle, and reduce-on-plateau.
 *
 * @packageDocumentation
 */

/** A learning-rate schedule. Step-based schedules are evaluated before every batch. */
export type LearningRateSchedule =
  | { type: 'constant' }
  /** Cosine decay from the base rate to `minLr` over all steps, after a linear warm-up. */
  | { type: 'cosine'; warmupEpochs?: number; minLr?: number }
  /** One-cycle: linear ramp to `maxLr` over `pctStart` of the steps, then cosine down to `maxLr / finalDivFactor`. */
  | { type: 'onecycle'; maxLr?: number; pctStart?: number; finalDivFactor?: number }
  /** Multiply the rate by `factor` after `patience` epochs without a better validation accuracy. */
  | { type: 'plateau'; factor?: number; patience?: number; minLr?: number };

/** The learning rate at a step (0-based) of `totalSteps`, for step-based schedules. */
export function scheduledRate(schedule: LearningRateSchedule, baseLr: number, step: number, totalSteps: number, stepsPerEpoch: number): number {
  switch (schedule.type) {
    case 'cosine': {
      const warm = Math.round((schedule.warmupEpochs ?? 0) * stepsPerEpoch);
      const minLr = schedule.minLr ?? 0;
      if (step < warm) return baseLr * (step + 1) / warm;
      const t = Math.min(1, (step - warm) / Math.max(1, totalSteps - warm));
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
    case 'onecycle': {
      const maxLr = schedule.maxLr ?? baseLr;
      const up = Math.max(1, Math.round((schedule.pctStart ?? 0.3) * totalSteps));
      const start = maxLr / 25;
      const end = maxLr / (schedule.finalDivFactor ?? 1e4);
      if (step < up) return start + (maxLr - start) * step / up;
      const t = Math.min(1, (step - up) / Math.max(1, totalSteps - up));
      return end + (maxLr - end) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
    default:
      return baseLr;
  }
}

/** Reduce-on-plateau state, updated once per epoch with the validation accuracy. */
export class PlateauState {
  best = -Infinity;
  wait = 0;
  constructor(public lr: number) {}

  /** Feeds one epoch's metric; returns the learning rate for the next epoch. */
  update(metric: number, schedule: Extract<LearningRateSchedule, { type: 'plateau' }>): number {
    if (metric > this.best + 1e-4) {
      this.best = metric;
      this.wait = 0;
    } else if (++this.wait >= (schedule.patience ?? 3)) {
      this.lr = Math.max(schedule.minLr ?? 1e-6, this.lr * (schedule.factor ?? 0.5));
      this.wait = 0;
    }
    return this.lr;
  }
}
