// A quick screen in front of the masker and the sanitiser. Most output lines hold no
// secret and no control character, and for those the filter gives back the line itself;
// running every detector's hint on each of a million lines costs more than the step's
// own work. The screen reads a block of lines once and names the lines that might need
// more: it may name too many (the filter then finds nothing to do), never too few.
//
// How: every hint the masker uses contains one of a few literal keys (`AKIA`, `token`,
// `-----BEGIN`, a plan secret's value…). A line can only match a hint if it holds one
// trigram of a key, case folded, so a table of those trigrams and one pass over the
// characters is enough. Control characters (C0 but tab, DEL, C1) always count.

import { WasmInstance } from '../wasm/assembler.js';
import { BITS, HITS, INPUT, NIBBLES, OVERREAD, TABLE, nibbleTables, screenModule } from './screen-wasm.js';

/** Value of a character in a trigram: ASCII letters folded, controls 0, anything past Latin-1 1. */
const CHAR_VALUE = (() => {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code += 1) {
    const control = (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
    table[code] = control ? 0 : code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  }
  return table;
})();
const BEYOND_LATIN1 = 1;
const CONTROL = 0;
const NEWLINE = 0x0a;
const TRIGRAMS = 1 << 24;

/**
 * A URL's `://` is screened further: only an `@` in its authority (a user and password)
 * makes the line a candidate, because nearly every line of a health log holds a URL.
 */
export const URL_KEY = '://';
const URL_TRIGRAM = (0x3a << 16) | (0x2f << 8) | 0x2f;

/** How common a folded character is in log text: the rarest trigram of a key is the one screened. */
function commonness(code: number): number {
  const char = String.fromCharCode(code);
  if ('etaoinshr 0123456789'.includes(char)) return 3;
  if ('dlcumwfgypb./:-_'.includes(char)) return 2;
  return 1;
}

/**
 * Digests and commit ids fill deploy logs with hex: a trigram of hex digits and a–f
 * (`bea` of bearer, `acc` of ACCA) would name one line in fifty. Any other trigram of
 * the key is chosen before one of those.
 */
const HEX_PENALTY = 6;
const HEX = /^[0-9a-f]{3}$/;
function isHex(values: number[], at: number): boolean {
  return HEX.test(String.fromCharCode(values[at]!, values[at + 1]!, values[at + 2]!));
}

function trigramOf(values: number[], at: number): number {
  return (values[at]! << 16) | (values[at + 1]! << 8) | values[at + 2]!;
}

function valuesOf(key: string): number[] {
  return [...key].map((char) => {
    const code = char.charCodeAt(0);
    return code < 256 ? CHAR_VALUE[code]! : BEYOND_LATIN1;
  });
}

/** Blocks shorter than this are scanned in JavaScript: a few lines are not worth a copy into WebAssembly. */
const WASM_FROM = 16 * 1024;

export class LineScreen {
  private readonly bits = new Uint8Array(TRIGRAMS / 8);
  /** The keys' trigrams (not the control ones), for the WebAssembly scan's first test. */
  private readonly keyTrigrams = new Set<number>();
  /** Made with the first large block; null where WebAssembly has no vectors (the JavaScript scan does it all). */
  private wasm: WasmScan | null | undefined;

  /** `keys`: literal texts, at least 3 characters, one of which every line worth a closer look holds. */
  constructor(keys: Iterable<string>) {
    // Any trigram ending in a control character: such a line always needs the sanitiser.
    for (let prefix = 0; prefix < 1 << 16; prefix += 1) this.set((prefix << 8) | CONTROL);
    for (const key of keys) {
      const values = valuesOf(key);
      if (values.length < 3) throw new Error(`screen key shorter than 3 characters: ${JSON.stringify(key)}`);
      if (key === URL_KEY) {
        this.setKey(URL_TRIGRAM);
        continue;
      }
      let best = 0;
      let bestScore = Number.POSITIVE_INFINITY;
      for (let at = 0; at + 3 <= values.length; at += 1) {
        // `://` stands for URLs with credentials only: another key holding it is screened by another of its trigrams.
        if (trigramOf(values, at) === URL_TRIGRAM) continue;
        const score = commonness(values[at]!) + commonness(values[at + 1]!) + commonness(values[at + 2]!) + (isHex(values, at) ? HEX_PENALTY : 0);
        if (score < bestScore) {
          best = at;
          bestScore = score;
        }
      }
      this.setKey(trigramOf(values, best));
    }
  }

  private setKey(trigram: number): void {
    this.keyTrigrams.add(trigram);
    this.set(trigram);
  }

  private set(trigram: number): void {
    this.bits[trigram >> 3]! |= 1 << (trigram & 7);
  }

  /**
   * Offsets in `block` (lines joined by `\n`) of one character in each line that may
   * need masking or sanitising, in order, at most one per line.
   */
  hits(block: string): number[] {
    // A large block of ASCII (one byte a character, so byte offsets are character offsets) goes to WebAssembly.
    if (block.length >= WASM_FROM && Buffer.byteLength(block, 'utf8') === block.length) {
      const hits = this.wasmScan()?.hits(block);
      if (hits !== undefined) return hits;
    }
    return this.scan(block);
  }

  /** hits() of lines still in the ASCII bytes they were read as: offsets are byte offsets. */
  asciiHits(bytes: Buffer): number[] {
    if (bytes.length >= WASM_FROM) {
      const hits = this.wasmScan()?.hits(bytes);
      if (hits !== undefined) return hits;
    }
    return this.scan(bytes.toString('latin1'));
  }

  private wasmScan(): WasmScan | null {
    if (this.wasm === undefined) {
      try {
        this.wasm = new WasmScan(this.bits, nibbleTables(this.keyTrigrams, CHAR_VALUE));
      } catch {
        this.wasm = null;
      }
    }
    return this.wasm;
  }

  private scan(block: string): number[] {
    const hits: number[] = [];
    const bits = this.bits;
    const length = block.length;
    let trigram = 0;
    for (let i = 0; i < length; i += 1) {
      const code = block.charCodeAt(i);
      trigram = ((trigram << 8) | (code < 256 ? CHAR_VALUE[code]! : BEYOND_LATIN1)) & (TRIGRAMS - 1);
      if (((bits[trigram >> 3]! >> (trigram & 7)) & 1) === 0) continue;
      if (trigram === URL_TRIGRAM && !credentialsFollow(block, i + 1)) continue;
      hits.push(i);
      // The rest of this line has nothing more to tell.
      const next = block.indexOf('\n', i);
      if (next === -1) break;
      i = next;
      trigram = NEWLINE;
    }
    return hits;
  }
}

/** After `://`: an `@` before the authority ends (space, tab, `/`, line end). */
function credentialsFollow(block: string, from: number): boolean {
  for (let i = from; i < block.length; i += 1) {
    const code = block.charCodeAt(i);
    if (code === 0x40) return true;
    if (code === 0x20 || code === 0x09 || code === 0x2f || code === NEWLINE) return false;
  }
  return false;
}

/** The same scan over an ASCII block, by ./screen-wasm.ts. */
class WasmScan {
  private readonly wasm = new WasmInstance(screenModule(), INPUT + 256 * 1024);
  private readonly scan = this.wasm.exports.scan as (length: number, urlTrigram: number) => number;

  constructor(bits: Uint8Array, nibbles: Uint8Array) {
    this.wasm.view.set(CHAR_VALUE, TABLE);
    this.wasm.view.set(nibbles, NIBBLES);
    this.wasm.view.set(bits, BITS);
  }

  /** Undefined when more lines hit than the module keeps: the caller scans in JavaScript. */
  hits(block: string | Buffer): number[] | undefined {
    this.wasm.ensure(INPUT + block.length + OVERREAD);
    if (typeof block === 'string') this.wasm.view.write(block, INPUT, 'latin1');
    else block.copy(this.wasm.view, INPUT);
    const count = this.scan(block.length, URL_TRIGRAM);
    if (count < 0) return undefined;
    return Array.from(this.wasm.int32s(HITS, count));
  }
}
