/**
 * Every relative link and image of README.md and the guides under docs/ points to a file of the
 * repository, and a `#anchor` into a Markdown file names one of its headings.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { anchors, codeBlocks, docFiles, links, read, ROOT } from './markdown.js';

describe('links of README.md and docs/', () => {
  const files = docFiles();

  it('finds the README and the guides', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/model-card.md');
  });

  for (const file of files) {
    it(`${file}: every relative link points to an existing file (and heading)`, () => {
      const broken: string[] = [];
      for (const { line, target } of links(file, read(file))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
        const [path, anchor] = target.split('#', 2) as [string, string | undefined];
        const resolved = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
        if (resolved.startsWith('..')) { broken.push(`${file}:${line}: ${target} points outside the repository`); continue; }
        if (!existsSync(join(ROOT, resolved))) { broken.push(`${file}:${line}: ${target} (no file ${resolved})`); continue; }
        if (anchor && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor)) broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
      }
      expect(broken).toEqual([]);
    });
  }
});

describe('the Markdown helpers the docs tests rely on', () => {
  it('find links and images outside code, with their lines', () => {
    const text = 'See [a](docs/a.md) and ![b](img/b.svg "t").\n`[not](a link)`\n```sh\n[no](link)\n```\n<!-- [nor](this) -->\n[c](#c)';
    expect(links('x.md', text)).toEqual([
      { file: 'x.md', line: 1, target: 'docs/a.md' },
      { file: 'x.md', line: 1, target: 'img/b.svg' },
      { file: 'x.md', line: 7, target: '#c' },
    ]);
  });

  it('make GitHub heading anchors', () => {
    expect([...anchors('# Speed\n## The `accurate` variant (opt-in, slower)\n## Speed\n```\n# not a heading\n```')])
      .toEqual(['speed', 'the-accurate-variant-opt-in-slower', 'speed-1']);
  });

  it('find fenced code blocks with their language, line and not-checked mark', () => {
    const text = '# t\n```ts\nconst a = 1;\n```\n<!-- not-checked: a fragment -->\n\n```js\nfrag(\n```\n<!-- readme-check: skip -->\n~~~sh\nls\n~~~\n```\nplain\n```';
    expect(codeBlocks('x.md', text)).toEqual([
      { file: 'x.md', line: 2, lang: 'ts', code: 'const a = 1;' },
      { file: 'x.md', line: 7, lang: 'js', code: 'frag(', notChecked: 'a fragment' },
      { file: 'x.md', line: 11, lang: 'sh', code: 'ls', notChecked: 'skip' },
      { file: 'x.md', line: 14, lang: '', code: 'plain' },
    ]);
    expect(() => codeBlocks('x.md', '```ts\nopen')).toThrow(/x\.md:1: code fence ``` is never closed/);
  });
});
