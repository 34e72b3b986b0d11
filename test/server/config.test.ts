import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, loadConfig } from '../../server/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const rows = new Map(
  [...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \| (.+) \|$/gm)].map((m) => [m[1]!, { default: m[2]!.trim(), meaning: m[3]!.trim() }]),
);

describe('configuration', () => {
  it('the README documents every environment variable the server reads, with its default', () => {
    const defaults = loadConfig({});
    for (const key of CONFIG_KEYS) {
      const row = rows.get(key);
      expect(row, `README has no row for ${key}`).toBeDefined();
      const value = defaults[key];
      if (value !== undefined && typeof value !== 'boolean') expect(row!.default, key).toContain(`\`${String(value)}\``);
      if (typeof value === 'boolean') expect(row!.default, key).toContain(`\`${String(value)}\``);
    }
    // And nothing documented that the server does not read.
    expect([...rows.keys()].filter((k) => !CONFIG_KEYS.includes(k as never))).toEqual([]);
  });

  it('refuses a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ SESSIONS_PER_MINUTE: '0' })).toThrow(/SESSIONS_PER_MINUTE/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(loadConfig({ LOG_LEVEL: 'warn', SESSIONS_PER_MINUTE: '5' })).toMatchObject({ LOG_LEVEL: 'warn', SESSIONS_PER_MINUTE: 5 });
  });
});
