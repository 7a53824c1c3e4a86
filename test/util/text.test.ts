import { describe, expect, it } from 'vitest';
import { clip, describeValue, escapeControl } from '../../src/util/text.js';
import { redactRedisUrl } from '../../src/queue/connection.js';

describe('log-safe text', () => {
  it('escapes control characters: newlines, ANSI escapes, C1, line separators', () => {
    expect(escapeControl('a\nb\r\tc\x1b[2K\x85\u2028d')).toBe('a\\nb\\r\\tc\\x1b[2K\\x85\\u2028d');
    expect(escapeControl('plain text é')).toBe('plain text é');
  });

  it('cuts long values and describes any value without walking into it', () => {
    expect(clip('x'.repeat(300), 10)).toBe('xxxxxxxxxx…(290 more characters)');
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('an array of 1');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue('a\nb')).toBe('"a\\nb"');
  });

  it('hides a Redis password, also in strings that are no valid URL', () => {
    expect(redactRedisUrl('redis://user:s3cret@host:6379/0')).toBe('redis://***@host:6379/0');
    expect(redactRedisUrl('redis:/u:s3cret@h')).toBe('redis:/***@h');
    expect(redactRedisUrl('u:s3cret@host')).not.toContain('s3cret');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactRedisUrl('redis://h\n:1')).toBe('redis://h?:1');
  });
});
