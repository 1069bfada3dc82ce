import { describe, expect, it } from 'vitest';
import { schemaCommand } from '../../src/cli/schema.js';
import { captureIo } from '../helpers/io.js';

describe('warroom schema', () => {
  it('prints the plan JSON Schema with every top-level key of the plan', async () => {
    const io = captureIo(process.cwd());
    expect(await schemaCommand([], io)).toBe(0);
    const schema = JSON.parse(io.out()) as { $schema: string; title: string; properties: Record<string, unknown>; required: string[] };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('warroom release plan (release.yaml)');
    expect(Object.keys(schema.properties)).toEqual([
      'version', 'release', 'announce', 'window', 'stakeholders', 'approvals', 'prerequisites', 'staging', 'freeze',
      'dryRun', 'deploy', 'rollback', 'checks', 'health', 'gates', 'notify', 'secrets', 'session',
    ]);
    // Input schema: keys with defaults are optional for the author.
    expect(schema.required).toEqual(['version', 'release', 'stakeholders', 'approvals', 'deploy', 'rollback']);
  });

  it('exits 3 when given arguments it does not take', async () => {
    const io = captureIo(process.cwd());
    expect(await schemaCommand(['release.yaml'], io)).toBe(3);
    expect(io.err()).toBe('usage: warroom schema (takes no arguments)\n');
  });
});
