/**
 * Makes sure a TensorFlow.js backend is active before loading a model or predicting.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { backendChosen, selectBackend, setBackend } from '../backends/select.js';

/** The active backend's name without initialising one (`undefined` when none is active yet). */
function currentBackend(): string | undefined {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? undefined;
}

/**
 * Activates `name` when given (and not already active); otherwise keeps the active backend, or
 * selects the best available one ({@link selectBackend}) when none is active yet — or when only
 * the cpu backend that TensorFlow.js started by itself is (a model built before any selection; its
 * weights move over). To stay on cpu, select it: `setBackend('cpu')` or the `backend` option.
 *
 * @returns the active backend's name.
 */
export async function ensureBackend(name?: string): Promise<string> {
  const current = currentBackend();
  if (name !== undefined) return current === name ? name : setBackend(name);
  if (current === undefined || (current === 'cpu' && !backendChosen())) return selectBackend();
  return current;
}
