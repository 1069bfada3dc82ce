import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

// Builds real zips with python3's zipfile, which writes any name and Unix mode it is
// given (archiver and zip both tidy names up), so hostile entries are exactly as a packager made them.

export interface ZipSpecEntry {
  name: string;
  text?: string;
  /** That many zero bytes: the most compressible content there is. */
  zeros?: number;
  /** Unix mode with type bits, 0o100644 unless given (0o120777 for a symlink, whose text is its target). */
  mode?: number;
  deflate?: boolean;
}

const WRITER = `
import json, sys, zipfile
spec = json.load(sys.stdin)
with zipfile.ZipFile(spec["path"], "w") as archive:
    for entry in spec["entries"]:
        info = zipfile.ZipInfo("placeholder", date_time=(2025, 11, 20, 16, 30, 0))
        info.filename = entry["name"]  # set after construction: the constructor cuts names at NUL
        info.create_system = 3
        info.external_attr = entry.get("mode", 0o100644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED if entry.get("deflate") else zipfile.ZIP_STORED
        data = bytes(entry["zeros"]) if "zeros" in entry else entry.get("text", "").encode()
        archive.writestr(info, data)
`;

export function writeZip(path: string, entries: ZipSpecEntry[]): string {
  execFileSync('python3', ['-c', WRITER], { input: JSON.stringify({ path, entries }) });
  return path;
}

/** Rewrites one entry's declared uncompressed size in the central directory, as a zip bomb would. */
export function declareSize(path: string, name: string, size: number): void {
  const bytes = readFileSync(path);
  const central = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = bytes.indexOf(central); at >= 0; at = bytes.indexOf(central, at + 4)) {
    const nameLength = bytes.readUInt16LE(at + 28);
    if (bytes.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      bytes.writeUInt32LE(size, at + 24);
      writeFileSync(path, bytes);
      return;
    }
  }
  throw new Error(`no central directory record for ${name}`);
}
