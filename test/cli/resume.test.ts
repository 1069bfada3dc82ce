import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { demoCopy } from '../e2e/demo.js';
import { captureIo } from '../helpers/io.js';

// `warroom resume` of a session whose state files were damaged: one line naming the
// file and what is wrong with it, exit 3 (docs/resume.md), nothing run.

async function warroom(args: string[], cwd: string) {
  const io = captureIo(cwd, { PATH: process.env.PATH ?? '', DEMO_RUN_DIR: join(cwd, '.run') });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('warroom resume of a damaged session', () => {
  let dir: string;
  let session: string;
  beforeAll(async () => {
    dir = demoCopy();
    // Headless without approvals: the demo halts at the change freeze, resumable.
    const halted = await warroom(['run', 'release.yaml', '--headless', '--evidence', 'evidence', '--state', 'state'], dir);
    expect(halted.code).toBe(2);
    session = join(dir, 'state', readdirSync(join(dir, 'state')).find((name) => !name.endsWith('.lock'))!);
  });

  it.each([
    ['a list', '[1,2]', /^warroom resume: \/\S+\/session\.json: not a session record \(Invalid input: expected object, received array\)\n$/],
    ['a number for the plan', '{"planPath":5}', /^warroom resume: \/\S+\/session\.json: not a session record \([^\n]*\)\n$/],
  ])('names session.json when it holds %s', async (_what, content, message) => {
    const saved = readFileSync(join(session, 'session.json'), 'utf8');
    writeFileSync(join(session, 'session.json'), content);
    try {
      const result = await warroom(['resume', session, '--headless'], dir);
      expect(result.err).toMatch(message);
      expect(result.code).toBe(3);
      expect(result.out).toBe('');
    } finally {
      writeFileSync(join(session, 'session.json'), saved);
    }
  });

  it('names snapshot.json when it holds an empty object', async () => {
    const saved = readFileSync(join(session, 'snapshot.json'), 'utf8');
    writeFileSync(join(session, 'snapshot.json'), '{}');
    try {
      const result = await warroom(['resume', session, '--headless'], dir);
      expect(result.err).toMatch(/^warroom resume: \/\S+\/snapshot\.json: not a snapshot \(seq: Invalid input: expected number, received undefined\)\n$/);
      expect(result.code).toBe(3);
    } finally {
      writeFileSync(join(session, 'snapshot.json'), saved);
    }
  });
});
