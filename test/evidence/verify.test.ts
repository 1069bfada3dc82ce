import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeEvidencePackage } from '../../src/evidence/package.js';
import { buildManifest } from '../../src/evidence/manifest.js';
import { EvidenceInputError, verifyEvidence } from '../../src/evidence/verify.js';
import { Journal } from '../../src/journal/journal.js';
import { copyEvidence, demoEvidence, rezip } from './demo-evidence.js';

let evidence: string;
let journalLines: number;

beforeAll(async () => {
  evidence = await demoEvidence();
  writeFileSync(join(evidence, 'logs/big-step.log'), randomBytes(3 * 1024 * 1024).toString('base64'));
  await writeEvidencePackage(evidence);
  journalLines = readFileSync(join(evidence, 'journal.jsonl'), 'utf8').trim().split('\n').length;
}, 120_000);

function flipByte(path: string, at: number): void {
  const bytes = readFileSync(path);
  bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
  writeFileSync(path, bytes);
}

function editJournal(folder: string, edit: (lines: string[]) => void): void {
  const lines = readFileSync(join(folder, 'journal.jsonl'), 'utf8').split('\n');
  edit(lines);
  writeFileSync(join(folder, 'journal.jsonl'), lines.join('\n'));
}

function editManifest(folder: string, edit: (files: Array<{ path: string; sha256: string; bytes: number }>) => void): void {
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
  edit(manifest.files);
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

describe('verify on a fresh package', () => {
  it('finds the fresh folder intact', async () => {
    const manifest = JSON.parse(readFileSync(join(evidence, 'manifest.json'), 'utf8'));
    expect(await verifyEvidence(evidence)).toEqual({ intact: true, problems: [], files: manifest.files.length, journalLines });
  });

  it('finds the fresh zip intact, a 4 MB log streamed out of it', async () => {
    const report = await verifyEvidence(join(evidence, 'DEPLOYMENT-EVIDENCE.zip'));
    expect(report).toMatchObject({ intact: true, problems: [], journalLines });
  });

  it('reads stored entries as well as deflated ones', async () => {
    const zip = await rezip(evidence, join(dirname(copyEvidence(evidence)), 'stored.zip'), { store: true });
    expect(await verifyEvidence(zip)).toMatchObject({ intact: true, problems: [] });
  });
});

// The same tampering, checked on the folder and on a zip re-packed by hand without a new manifest.
describe.each(['folder', 'zip'] as const)('verify on a tampered %s', (form) => {
  async function tampered(tamper: (folder: string) => void): Promise<string> {
    const folder = copyEvidence(evidence);
    tamper(folder);
    return form === 'folder' ? folder : rezip(folder, join(dirname(folder), 'tampered.zip'));
  }

  it('names a log with one changed byte', async () => {
    const target = await tampered((folder) => flipByte(join(folder, 'logs/canary-10.log'), 10));
    expect(await verifyEvidence(target)).toMatchObject({ intact: false, problems: ['changed: logs/canary-10.log (sha256 differs)'] });
  });

  it('names a removed file', async () => {
    const target = await tampered((folder) => rmSync(join(folder, 'DEPLOYMENT-REPORT.md')));
    expect((await verifyEvidence(target)).problems).toEqual(['missing: DEPLOYMENT-REPORT.md']);
  });

  it('names an added file', async () => {
    const target = await tampered((folder) => writeFileSync(join(folder, 'extra.txt'), 'not from the session\n'));
    expect((await verifyEvidence(target)).problems).toEqual(['added: extra.txt']);
  });

  it('names the line after a deleted journal line', async () => {
    const target = await tampered((folder) => editJournal(folder, (lines) => lines.splice(56, 1)));
    const report = await verifyEvidence(target);
    expect(report.problems).toEqual([expect.stringMatching(/^changed: journal\.jsonl \(\d+ bytes, manifest says \d+\)$/), 'journal.jsonl line 57: prev does not match the previous line']);
    expect(report.journalLines).toBe(56);
  });

  it('names the line after an edited journal line, a line that is not JSON, and a seq out of order', async () => {
    const edited = await tampered((folder) => editJournal(folder, (lines) => (lines[2] = lines[2]!.replace('"seq":3', '"seq":3,"note":"x"'))));
    expect((await verifyEvidence(edited)).problems.at(-1)).toBe('journal.jsonl line 4: prev does not match the previous line');
    const garbled = await tampered((folder) => editJournal(folder, (lines) => (lines[9] = '{"seq":10,')));
    expect((await verifyEvidence(garbled)).problems.at(-1)).toBe('journal.jsonl line 10: not a JSON object');
    const renumbered = await tampered((folder) => editJournal(folder, (lines) => (lines[0] = lines[0]!.replace('"seq":1,', '"seq":5,'))));
    expect((await verifyEvidence(renumbered)).problems.at(-1)).toBe('journal.jsonl line 1: seq 5, expected 1');
  });

  it('names a manifest entry listed twice', async () => {
    const target = await tampered((folder) => editManifest(folder, (files) => files.push(files[0]!)));
    const first = JSON.parse(readFileSync(join(evidence, 'manifest.json'), 'utf8')).files[0].path;
    expect(await verifyEvidence(target)).toMatchObject({ intact: false, problems: [`duplicate entry in manifest: ${first}`] });
  });

  it('names a manifest path with ".." or an absolute one as unsafe, not as missing, and reads nothing there', async () => {
    const target = await tampered((folder) =>
      editManifest(folder, (files) => files.push({ ...files[0]!, path: '../../x' }, { ...files[0]!, path: '/etc/passwd' })),
    );
    expect((await verifyEvidence(target)).problems).toEqual([
      'unsafe entry in manifest: ../../x (absolute or with "..": not read)',
      'unsafe entry in manifest: /etc/passwd (absolute or with "..": not read)',
    ]);
  });

  it('names a missing manifest and a missing journal', async () => {
    const target = await tampered((folder) => {
      rmSync(join(folder, 'manifest.json'));
      rmSync(join(folder, 'journal.jsonl'));
    });
    expect(await verifyEvidence(target)).toMatchObject({ intact: false, problems: ['missing: manifest.json', 'missing: journal.jsonl'], files: 0 });
  });
});

describe('verify on what is not a plain evidence package', () => {
  it('names a symlink in the folder as added and does not follow it', async () => {
    const folder = copyEvidence(evidence);
    symlinkSync('/etc/hostname', join(folder, 'logs/outside.log'));
    expect((await verifyEvidence(folder)).problems).toEqual(['added: logs/outside.log (not a regular file, not followed)']);
  });

  it('reports a ../evil entry in a zip without extracting it', async () => {
    const folder = copyEvidence(evidence);
    // archiver strips "../" from names, so the entry is zipped as ab/evil and renamed in the bytes.
    mkdirSync(join(folder, 'ab'));
    writeFileSync(join(folder, 'ab/evil'), 'escape\n');
    const zip = await rezip(folder, join(dirname(folder), 'evil.zip'));
    const bytes = readFileSync(zip);
    writeFileSync(zip, Buffer.from(bytes.toString('latin1').replaceAll('ab/evil', '../evil'), 'latin1'));
    const report = await verifyEvidence(zip);
    expect(report.intact).toBe(false);
    expect(report.problems).toEqual(['unsafe entry: ../evil (absolute or with "..": not read)']);
    // Nothing was written where the entry points (other tests come and go in the same temp folder).
    expect(readdirSync(dirname(dirname(folder)))).not.toContain('evil');
    expect(readdirSync(dirname(folder))).not.toContain('evil');
  });

  it('reads no more of a file than the manifest vouches for, however far a zip entry inflates', async () => {
    const folder = copyEvidence(evidence);
    const log = join(folder, 'logs/canary-10.log');
    const vouched = statSync(log).size;
    // 256 MiB of zeros: a hole in the folder, about 256 KB deflated in the zip.
    truncateSync(log, 256 * 1024 * 1024);
    const zip = await rezip(folder, join(dirname(folder), 'inflating.zip'));
    for (const target of [folder, zip]) {
      expect((await verifyEvidence(target)).problems).toContain(`changed: logs/canary-10.log (over ${vouched} bytes, manifest says ${vouched})`);
    }
  }, 60_000);

  it('names a journal line too long to be one of warroom\'s instead of reading it into memory', async () => {
    const folder = copyEvidence(evidence);
    const journal = join(folder, 'journal.jsonl');
    // 65 MiB with no line end after the last line.
    truncateSync(journal, statSync(journal).size + 65 * 1024 * 1024);
    expect((await verifyEvidence(folder)).problems).toContain(`journal.jsonl line ${journalLines + 1}: longer than 64 MiB`);
  });

  it('reports a truncated zip as damaged, not as bad input', async () => {
    const zip = join(dirname(copyEvidence(evidence)), 'cut.zip');
    writeFileSync(zip, readFileSync(join(evidence, 'DEPLOYMENT-EVIDENCE.zip')));
    truncateSync(zip, Math.floor(statSync(zip).size / 2));
    expect((await verifyEvidence(zip)).problems).toEqual(['cut.zip: not a zip archive (no end of central directory)']);
  });

  it('refuses a path that does not exist, and a file that is neither zip nor folder, as bad input', async () => {
    await expect(verifyEvidence(join(evidence, 'no-such.zip'))).rejects.toThrow(new EvidenceInputError('no such file or folder'));
    await expect(verifyEvidence(join(evidence, 'DEPLOYMENT-REPORT.md'))).rejects.toBeInstanceOf(EvidenceInputError);
  });
});

describe('output ranges', () => {
  it('checks each range the journal vouches for against its log, whatever the journal claims', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warroom-ranges-'));
    mkdirSync(join(dir, 'logs'));
    const log = Buffer.from('one\ntwo\nthree\n');
    writeFileSync(join(dir, 'logs/s.log'), log);
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const range = (fields: Record<string, unknown>) => ({ step: 's', stream: 'stdout', log: 'logs/s.log', lines: 1, ...fields });
    const journal = Journal.open(join(dir, 'journal.jsonl'));
    journal.append('session.start', { sessionId: 'ranges' });
    journal.append('output.range', range({ offset: 0, bytes: 4, sha256: sha(log.subarray(0, 4)) }));
    journal.append('output.range', range({ offset: 4, bytes: 4, sha256: sha(Buffer.from('TWO\n')) }));
    journal.append('output.range', range({ offset: -5, bytes: 4, sha256: 'x' }));
    journal.append('output.range', range({ offset: 8, bytes: 100, sha256: 'x' }));
    journal.append('output.range', range({ log: '../etc/passwd', offset: 0, bytes: 1, sha256: 'x' }));
    journal.close();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(await buildManifest(dir)));
    const report = await verifyEvidence(dir);
    expect(report.intact).toBe(false);
    expect(report.problems.sort()).toEqual(
      [
        'journal.jsonl line 3: output at 4+4 bytes: logs/s.log does not hold what the journal vouched for',
        'journal.jsonl line 4: output at -5+4 bytes: not an output range',
        'journal.jsonl line 5: output at 8+100 bytes: logs/s.log is shorter than the journal says',
        'journal.jsonl line 6: output at 0+1 bytes: ../etc/passwd is missing',
      ].sort(),
    );
  });
});
