import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/runner/command.js';
import { createOutputFilter } from '../../src/safety/output.js';

// A secret written in two pieces, with a pause between them, reaches warroom as two chunks
// of a pipe. The real runner joins them into one line before the filter sees it.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warroom-split-secret-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TOKEN = `ghp_${'FAKEsplit0'.repeat(3)}FAKEsp`;
const PLAN_VALUE = 'wr-FAKE-split-value-2026';

describe('a secret split across two writes of a child process', () => {
  it('is masked whole, on stdout and on stderr', async () => {
    const script = join(dir, 'split.mjs');
    // The pause is the child's: it makes the two writes two reads on warroom's side.
    await writeFile(
      script,
      [
        "import { writeSync } from 'node:fs';",
        'const pause = () => new Promise((resolve) => setTimeout(resolve, 150));',
        `writeSync(1, 'push with ${TOKEN.slice(0, 10)}'); await pause(); writeSync(1, '${TOKEN.slice(10)} done\\n');`,
        `writeSync(2, 'value ${PLAN_VALUE.slice(0, 9)}'); await pause(); writeSync(2, '${PLAN_VALUE.slice(9)}\\n');`,
      ].join('\n'),
    );
    const filter = createOutputFilter({ values: [PLAN_VALUE], patterns: [] });
    const seen: Array<[string, string]> = [];
    const record = await runCommand({
      name: 'split',
      argv: [process.execPath, script],
      cwd: dir,
      timeoutMs: 30_000,
      log: 'logs/split.log',
      onLines: (lines, stream) => seen.push(...filter.lines(lines).evidence.map((text): [string, string] => [stream, text])),
    });
    expect(record.exitCode).toBe(0);
    expect(seen).toEqual([
      ['stdout', 'push with [masked:github-token ghp_…] done'],
      ['stderr', 'value [masked:secret]'],
    ]);
  });
});
