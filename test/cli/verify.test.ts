import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyCommand } from '../../src/cli/verify.js';
import { writeEvidencePackage } from '../../src/evidence/package.js';
import { warroom } from '../e2e/demo.js';
import { copyEvidence, demoEvidence } from '../evidence/demo-evidence.js';
import { captureIo } from '../helpers/io.js';

let evidence: string;

beforeAll(async () => {
  evidence = await demoEvidence();
  await writeEvidencePackage(evidence);
}, 120_000);

const journalLines = (): number => readFileSync(join(evidence, 'journal.jsonl'), 'utf8').trim().split('\n').length;
const manifestFiles = (): number => JSON.parse(readFileSync(join(evidence, 'manifest.json'), 'utf8')).files.length;

describe('warroom verify', () => {
  it('prints one intact line and exits 0 for a fresh zip, named relative to the working directory', async () => {
    const io = captureIo(evidence);
    expect(await verifyCommand(['DEPLOYMENT-EVIDENCE.zip'], io)).toBe(0);
    expect(io.out()).toBe(`intact: ${manifestFiles()} files, journal of ${journalLines()} lines verified\n`);
    expect(io.err()).toBe('');
  });

  it('prints one line per problem and exits 1 for a tampered folder', async () => {
    const folder = copyEvidence(evidence);
    const log = join(folder, 'logs/canary-10.log');
    writeFileSync(log, readFileSync(log, 'utf8').replace(/.$/s, '!'));
    writeFileSync(join(folder, 'extra.txt'), 'not from the session\n');
    const io = captureIo(dirname(folder));
    expect(await verifyCommand([basename(folder)], io)).toBe(1);
    expect(io.out()).toBe('changed: logs/canary-10.log (sha256 differs)\nadded: extra.txt\n');
    expect(io.err()).toBe('');
  });

  it('exits 1 naming a manifest entry listed twice, instead of counting it as another file', async () => {
    const folder = copyEvidence(evidence);
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    manifest.files.push(manifest.files[0]);
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const io = captureIo(dirname(folder));
    expect(await verifyCommand([basename(folder)], io)).toBe(1);
    expect(io.out()).toBe(`duplicate entry in manifest: ${manifest.files[0].path}\n`);
  });

  it('shows a file name holding control characters escaped, so it cannot redraw the verdict', async () => {
    const folder = copyEvidence(evidence);
    const name = 'x\rintact: 99 files \u001b[2K';
    writeFileSync(join(folder, name), 'planted\n');
    const io = captureIo(dirname(folder));
    expect(await verifyCommand([basename(folder)], io)).toBe(1);
    expect(io.out()).toBe('added: x\\u000dintact: 99 files \\u001b[2K\n');
  });

  it('exits 3 with one line on stderr for a path that does not exist', async () => {
    const io = captureIo(evidence);
    expect(await verifyCommand(['nope.zip'], io)).toBe(3);
    expect(io.err()).toBe('nope.zip: no such file or folder\n');
    expect(io.out()).toBe('');
  });

  it('exits 3 for a file that is neither a zip nor a folder', async () => {
    const io = captureIo(evidence);
    expect(await verifyCommand(['DEPLOYMENT-REPORT.md'], io)).toBe(3);
    expect(io.err()).toBe('DEPLOYMENT-REPORT.md: not a zip archive or an evidence folder\n');
  });

  it('exits 3 with a usage line when the evidence is not named', async () => {
    const io = captureIo(evidence);
    expect(await verifyCommand([], io)).toBe(3);
    expect(io.err()).toMatch(/^usage: warroom verify EVIDENCE/);
  });

  it('runs as `warroom verify` from the real command line and is listed in --help', async () => {
    const run = await warroom(['verify', join(evidence, 'DEPLOYMENT-EVIDENCE.zip')]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^intact: \d+ files, journal of \d+ lines verified\n$/);
    const missing = await warroom(['verify', join(evidence, 'missing')]);
    expect(missing.code).toBe(3);
    expect((await warroom(['--help'])).stdout).toContain('warroom verify EVIDENCE');
  });
});
