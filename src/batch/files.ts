/**
 * The image files of folders: listed lazily, in a stable order (sorted names, depth first), so
 * that a run over a huge folder starts at once and a resumed run sees the files in the same order.
 * The one listing of every command (see `src/data/image-files.ts`).
 *
 * @packageDocumentation
 */
export { countImageFiles, IMAGE_EXTENSIONS, listImageFiles, type ListOptions } from '../data/image-files.js';
