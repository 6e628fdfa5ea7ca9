/**
 * docker-compose.yml publishes nothing beyond the host's loopback by default,
 * since AUTH_TOKEN is empty by default (docs/product.md#authentication), and
 * opening it is one documented variable.
 * Read as text with compose's own interpolation rules, as the Dockerfile test
 * does: no Docker engine or YAML library is needed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const compose = readFileSync(resolve(import.meta.dirname, '../../docker-compose.yml'), 'utf8');

/** Every item of every `ports:` list, with its line number, uninterpolated. */
function portEntries(text: string): { line: number; value: string }[] {
  const entries: { line: number; value: string }[] = [];
  let listIndent: number | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    if (listIndent !== undefined) {
      const item = /^\s*-\s+(.*)$/.exec(raw);
      if (item && indent >= listIndent) {
        entries.push({ line: index + 1, value: (item[1] ?? '').replace(/^(["'])(.*)\1$/, '$2') });
        continue;
      }
      listIndent = undefined;
    }
    if (/^\s+ports:\s*$/.test(raw)) listIndent = indent;
  }
  return entries;
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`, `$$`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, colon?: string, fallback?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (bare !== undefined) return env[bare] ?? '';
      const set = env[name as string];
      if (fallback === undefined) return set ?? '';
      const useDefault = colon === ':' ? !set : set === undefined;
      return useDefault ? fallback : (set as string);
    },
  );
}

/** The host address of a short-syntax port (`[IP:]HOST:CONTAINER[/proto]`); `undefined` = every interface. */
function hostAddress(port: string): string | undefined {
  const bracketed = /^\[([^\]]+)\]:[^:]+:[^:]+$/.exec(port);
  if (bracketed) return bracketed[1];
  const parts = port.split(':');
  return parts.length === 3 ? parts[0] : undefined;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

describe('docker-compose.yml', () => {
  const entries = portEntries(compose);

  it('has its ports in the short syntax this test reads', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const { line, value } of entries) {
      expect(value, `line ${line}: long syntax is not checked here`).not.toMatch(/^\w+:\s/);
    }
  });

  it('publishes every port on the loopback only, with no variable set', () => {
    const exposed = entries
      .map(({ line, value }) => ({ line, port: interpolate(value, {}) }))
      .filter(({ port }) => !LOOPBACK.has(hostAddress(port) ?? ''))
      .map(({ line, port }) => `line ${line}: ${port}`);
    expect(exposed).toEqual([]);
    expect(entries.map(({ value }) => interpolate(value, {}))).toContain('127.0.0.1:9060:9060');
  });

  it('opens 9060 on purpose with GODOT_PUBLISH_ADDRESS, documented beside AUTH_TOKEN', () => {
    const opened = entries.map(({ value }) =>
      interpolate(value, { GODOT_PUBLISH_ADDRESS: '0.0.0.0' }),
    );
    expect(opened).toContain('0.0.0.0:9060:9060');
    // An empty value is compose's "unset": still the loopback.
    expect(entries.map(({ value }) => interpolate(value, { GODOT_PUBLISH_ADDRESS: '' }))).toContain(
      '127.0.0.1:9060:9060',
    );
    const header = compose.slice(0, compose.indexOf('services:'));
    expect(header).toMatch(/AUTH_TOKEN=.+ GODOT_PUBLISH_ADDRESS=0\.0\.0\.0 docker compose up/);
  });

  it('keeps AUTH_TOKEN and ADMIN_TOKEN settable from the environment', () => {
    expect(compose).toMatch(/^\s+AUTH_TOKEN: \$\{AUTH_TOKEN:-\}$/m);
    expect(compose).toMatch(/^\s+ADMIN_TOKEN: \$\{ADMIN_TOKEN:-\}$/m);
  });
});
