/**
 * The help text of `predict`'s batch options (its own module: `predict --help` stays quick).
 *
 * @packageDocumentation
 */

/** The help text of the batch options (for the `predict` help). */
export const BATCH_HELP = `Folders and many files (batch mode: a folder among the inputs, or any option below):
  --out <file>           write one row per image (per face with --faces) as results come:
                         .csv, or JSON lines (.jsonl); default: stdout. Columns: file, [face, x, y,
                         width, height, face_score,] emotion, confidence, the 7 scores, status
                         (ok | error | no-face), error. A bad file is a row with its error; the exit
                         code is then 1
  --recursive            also the images of subfolders (sorted, depth first); folders give their
                         .jpg .jpeg .png .webp .avif .heic .heif .tif .tiff .gif files
  --workers <n>          worker threads, each with its own backend and model (default: the cores)
  --resume               skip the files already in --out and append (an interrupted run continues;
                         a cut-off last line is redone). Without it, --out is overwritten
  Progress (count, rate, ETA) goes to stderr: a live line on a terminal, else a line every 10 s.`;
