// @ts-check
/**
 * ESLint (flat config, `npm run lint`, part of `npm test`): JavaScript's and typescript-eslint's
 * recommended rules on everything in the repository that is ours, without type information (so
 * it stays fast). Formatting is not linted. A rule is turned off below only with the reason.
 */
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'docs/api/', 'coverage/', 'runs/', '.cache/', 'examples/browser/dist/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-named bindings are deliberate discards (`[_, x]`, `{ dropped: _, ...rest }`), and
      // `{ a, b, ...rest }` leaves out a and b on purpose
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true,
      }],
      // The errors thrown from a catch name their cause in the one-line message (file, format,
      // what failed), which is what the CLI prints; chaining `{ cause }` as well is left for later.
      'preserve-caught-error': 'off',
      // It flags the last `i++` / `o++` of cursors in byte and weight readers, which read alike
      // on every line on purpose.
      'no-useless-assignment': 'off',
      // Regexes that match aligned CLI columns keep their runs of spaces as printed.
      'no-regex-spaces': 'off',
    },
  },
  {
    // The tests match terminal escapes (ESC [ … m) in CLI output.
    files: ['test/**'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Plain JavaScript run by Node (CI scripts, build helpers).
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // Findings to fix when these files are next changed: type imports that only a TSDoc
    // {@link} uses (the rule does not read TSDoc: detect-emotions.ts, detector.ts); an unused
    // type parameter (weights.ts `remember<K>`); an unused `tf` import (cnn-lstm.ts); tfjs'
    // `Record<string, {}>` for model.json's userDefinedMetadata (io.ts).
    files: ['src/detection/detect-emotions.ts', 'src/detection/detector.ts', 'src/inference/weights.ts', 'src/model/cnn-lstm.ts', 'src/model/io.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off', '@typescript-eslint/no-empty-object-type': 'off' },
  },
);
