/**
 * The folders of src/ import one way, lower layers never from higher ones:
 *
 *   util → backends, emotions → data → model → inference → evaluation → training
 *     → detection → video, batch, queue → cli
 *
 * viz (plots) is used by the CLI only. Folders of one layer do not import each other. The entry
 * files (src/*.ts: the package's root and subpath exports) may import anything. No cycles.
 * Checked by `npm run lint:deps` (part of `npm test`).
 */
const LAYERS = [
  ['util'],
  ['backends', 'emotions'],
  ['data'],
  ['model'],
  ['inference'],
  ['evaluation'],
  ['training'],
  ['detection'],
  ['video', 'batch', 'queue'],
  ['viz'],
  ['cli'],
];

/** The path pattern of a folder of src/ (emotions is a file). */
const folder = (name) => (name === 'emotions' ? '^src/emotions\\.ts$' : `^src/${name}/`);
const any = (names) => names.map(folder).join('|');

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  return layer.map((name) => ({ name, banned: [...above, ...layer.filter((n) => n !== name)] }))
    .filter(({ banned }) => banned.length > 0)
    .map(({ name, banned }) => ({
    name: `layer-${name}`,
    comment: `src/${name} may import only from the layers below it (${LAYERS.slice(0, i).flat().join(', ') || 'none'})` +
      (layer.length > 1 ? `, not from ${layer.filter((n) => n !== name).join(', ')}` : ''),
    severity: 'error',
    from: { path: folder(name) },
    to: { path: any(banned) },
  }));
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a module that reaches itself through its imports',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'viz-for-cli-only',
      comment: 'plots are drawn by the CLI (and the fer-cnn-lstm/viz entry) only',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|viz)/|^src/[^/]+\\.ts$' },
      to: { path: '^src/viz/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/batch/worker-source\\.mjs$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
