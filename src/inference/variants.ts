/**
 * The shipped models: one table of the variants in the package's `weights/` folder, each with
 * its folder and the test-time augmentation it runs with.
 *
 * @packageDocumentation
 */
import type { WeightPrecision } from '../model/quantize.js';
import type { TtaMode } from './tta.js';

/**
 * The shipped models: `'default'` (`weights/`, run with `tta: 'auto'`: faster than
 * `@vladmandic/human`'s emotion model at batch 1 and 64) and `'accurate'` (`weights/accurate/`: a
 * deeper network, run with flip TTA; slower). Their measured accuracy and speed are in the README and the model cards.
 */
export type ModelVariant = 'default' | 'accurate';

/** One shipped model: where it lies and how it runs. */
export interface ShippedVariant {
  /** Its folder inside the shipped `weights/` folder (`''` for the default). */
  readonly dir: string;
  /** The test-time augmentation it runs with unless `tta` says otherwise. */
  readonly tta: TtaMode;
}

/** Every shipped model, by {@link ModelVariant}: the one table that says where each lies and which TTA it runs with. */
export const SHIPPED_VARIANTS: Readonly<Record<ModelVariant, ShippedVariant>> = Object.freeze({
  default: Object.freeze({ dir: '', tta: 'auto' as TtaMode }),
  accurate: Object.freeze({ dir: 'accurate', tta: 'flip' as TtaMode }),
});

/** Every {@link ModelVariant} (the keys of {@link SHIPPED_VARIANTS}). */
export const MODEL_VARIANTS: readonly ModelVariant[] = Object.freeze(Object.keys(SHIPPED_VARIANTS) as ModelVariant[]);

/** The test-time augmentation each shipped model runs with unless `tta` says otherwise (from {@link SHIPPED_VARIANTS}). */
export const VARIANT_TTA: Readonly<Record<ModelVariant, TtaMode>> = Object.freeze(
  Object.fromEntries(MODEL_VARIANTS.map((v) => [v, SHIPPED_VARIANTS[v].tta])) as Record<ModelVariant, TtaMode>,
);

/** Checks a `variant` option, naming the accepted values. */
export function checkVariant(variant: unknown): ModelVariant {
  if (!(MODEL_VARIANTS as readonly unknown[]).includes(variant)) throw new RangeError(`variant must be ${MODEL_VARIANTS.join(' or ')}, got ${String(variant)}`);
  return variant as ModelVariant;
}

/** Where a variant's stored precision lies inside the shipped `weights/` folder (`''`, `'float16'`, `'accurate/uint8'`, …). */
export function shippedSubdir(variant: ModelVariant, precision: WeightPrecision): string {
  return [SHIPPED_VARIANTS[variant].dir, precision === 'float32' ? '' : precision].filter(Boolean).join('/');
}
