// Worker entry when running from the sources (vitest, tsx): registers tsx's loader in the worker
// thread, then loads worker.ts. The build uses dist/batch-worker.cjs instead (see predict-files.ts).
import { register } from 'tsx/esm/api';

register();
const { default: batchTask } = await import('./worker.ts');
export default batchTask;
