/**
 * Backend selection. In Node: `@tensorflow/tfjs-node` when the user has it installed, else wasm
 * (bundled, SIMD), else cpu. In browsers: webgpu or webgl when their packages are loaded, else
 * wasm, else cpu. The wasm backend gets this package's fast training kernels.
 *
 * @packageDocumentation
 */
import { tf } from './tf.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';
import { isNode } from '../util/env.js';

/** Backend names this package knows how to load. */
export type BackendName = 'tensorflow' | 'wasm' | 'webgpu' | 'webgl' | 'cpu';


async function load(name: string): Promise<boolean> {
  if (tf.findBackendFactory(name)) return true;
  try {
    switch (name) {
      case 'tensorflow': {
        // optional peer: present only when the user installed it
        const spec = '@tensorflow/tfjs-node';
        await import(/* @vite-ignore */ /* webpackIgnore: true */ spec);
        break;
      }
      case 'wasm':
        await import('@tensorflow/tfjs-backend-wasm');
        break;
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        break;
      default:
        // webgl / webgpu: the application imports '@tensorflow/tfjs-backend-webgl' (or -webgpu)
        return false;
    }
  } catch {
    return false;
  }
  return !!tf.findBackendFactory(name);
}

/**
 * Activates one backend by name (loading its package if needed) and returns its name.
 * @throws Error when the backend cannot be loaded or initialised.
 */
export async function setBackend(name: string): Promise<string> {
  if (!(await load(name))) throw new Error(`backend "${name}" is not available (is its package installed?)`);
  if (name === 'wasm') registerWasmTrainingKernels();
  if ((tf.engine() as unknown as { backendName: string | null }).backendName !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`backend "${name}" failed to initialise`);
  }
  await tf.ready();
  chosen = true;
  return tf.getBackend();
}

let chosen = false;

/**
 * Whether a backend was chosen through this module ({@link setBackend}, {@link selectBackend}).
 * False while TensorFlow.js runs on the cpu backend it picked by itself (e.g. for a model built
 * before any selection): the prediction functions then select the best backend first.
 */
export function backendChosen(): boolean {
  return chosen;
}

/** The order {@link selectBackend} tries backends in, for this environment. */
export function preferredBackends(): BackendName[] {
  return isNode ? ['tensorflow', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
}

let selected: Promise<string> | undefined;

/**
 * Picks and activates the best available backend once (later calls return the same answer):
 * `preferred` first when given, else {@link preferredBackends}. Also honours the
 * `FER_CNN_LSTM_BACKEND` environment variable in Node.
 *
 * @returns the active backend's name (`'wasm'`, `'tensorflow'`, `'webgl'`, …).
 */
export function selectBackend(preferred?: string | string[]): Promise<string> {
  const env = isNode ? process.env.FER_CNN_LSTM_BACKEND : undefined;
  const wanted = preferred ?? env;
  if (wanted === undefined && selected) return selected;
  const order = wanted === undefined ? preferredBackends() : Array.isArray(wanted) ? wanted : [wanted];
  const attempt = (async () => {
    const errors: string[] = [];
    for (const name of order) {
      try {
        return await setBackend(name);
      } catch (e) {
        errors.push(`${name}: ${(e as Error).message}`);
      }
    }
    throw new Error(`no TensorFlow.js backend could start (${errors.join('; ')})`);
  })();
  if (wanted === undefined) selected = attempt;
  return attempt;
}

/** The active backend's name, or undefined before one is selected. */
export function activeBackend(): string | undefined {
  try {
    return tf.getBackend();
  } catch {
    return undefined;
  }
}
