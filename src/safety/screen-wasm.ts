// The screen's scan (./screen.ts) as WebAssembly over a block of ASCII, sixteen bytes at
// a time: the same trigram table and the same rules, several times faster than the
// JavaScript loop over a flood. Assembled by ../wasm/assembler.ts.
//
// How: a trigram of a key can only end at a byte whose two bytes before it belong to the
// keys' first and second characters and which itself belongs to their third ones. Those
// three sets are tested for sixteen positions at once with nibble tables (exact for
// ASCII: a byte's high nibble, 0–7, picks one bit of what its low nibble looks up),
// together with the control characters and any byte past ASCII. Only the positions that pass (~2–3 % of a
// deploy log) get the exact trigram test of the JavaScript scan.
//
// Memory (imported, grown by the caller): the character table at TABLE, the nibble
// tables at NIBBLES, the trigram bits at BITS, hit offsets (i32) at HITS, the block's
// bytes at INPUT after sixteen zero bytes, and sixteen bytes of room after the block.

import { Code, op, simd, wasmModule } from '../wasm/assembler.js';

export const TABLE = 0;
/** Low-nibble tables for a key trigram's first, second and third character, then the high-nibble bits. */
export const NIBBLES = 0x1000;
export const BITS = 0x1_0000;
export const BITS_BYTES = 0x20_0000;
export const HITS = BITS + BITS_BYTES;
export const HITS_CAPACITY = 0x1_0000;
/** Zero bytes before the block stand for "nothing before it", as the JavaScript scan starts. */
const PAD = 16;
export const INPUT = HITS + HITS_CAPACITY * 4 + PAD;
/** The last window reads up to this many bytes past the block. */
export const OVERREAD = 16;

/** The nibble tables for the key trigrams (without the control ones): 64 bytes for NIBBLES. */
export function nibbleTables(trigrams: Iterable<number>, charValue: Uint8Array): Uint8Array {
  const tables = new Uint8Array(64);
  const sets = [new Set<number>(), new Set<number>(), new Set<number>()];
  for (const trigram of trigrams) {
    sets[0]!.add(trigram >> 16);
    sets[1]!.add((trigram >> 8) & 0xff);
    sets[2]!.add(trigram & 0xff);
  }
  for (let k = 0; k < 3; k += 1) {
    for (let byte = 0; byte < 0x80; byte += 1) if (sets[k]!.has(charValue[byte]!)) tables[k * 16 + (byte & 15)]! |= 1 << (byte >> 4);
  }
  for (let high = 0; high < 8; high += 1) tables[48 + high] = 1 << high;
  return tables;
}

const NEWLINE = 0x0a;

// scan(length, urlTrigram) → hits, or -1 when more lines hit than HITS holds.
const LENGTH = 0;
const URL = 1;
const I = 2;
const COUNT = 3;
const J = 4;
const CHAR = 5;
const HIT = 6;
const MASK = 7;
const P = 8;
const T = 9;
const I32_LOCALS = 8;
// Vector locals.
const FIRST = 10;
const SECOND = 11;
const THIRD = 12;
const HIGH = 13;
const LOW4 = 14;
const V = 15;
const VECTORS = 6;

/** Leaves 0xff in each lane whose byte (sixteen from INPUT + I - back) is not in the set of `table`. */
function outside(c: Code, back: number, table: number): void {
  c.get(I).load128(INPUT - back).set(V);
  c.get(table).get(V).get(LOW4).vec(simd.and, simd.swizzle);
  c.get(HIGH).get(V).i32(4).vec(simd.shrU, simd.swizzle);
  c.vec(simd.and).i32(0).vec(simd.splat, simd.eq);
}

function scanCode(): Code {
  const c = new Code();
  c.i32(0).load128(NIBBLES).set(FIRST);
  c.i32(0).load128(NIBBLES + 16).set(SECOND);
  c.i32(0).load128(NIBBLES + 32).set(THIRD);
  c.i32(0).load128(NIBBLES + 48).set(HIGH);
  c.i32(15).vec(simd.splat).set(LOW4);
  c.block('done', () => {
    c.loop('window', () => {
      c.get(I).get(LENGTH).do(op.geU).brIf('done');
      // Candidates: the three characters fit a key trigram, or the byte is a control character.
      outside(c, 2, FIRST);
      outside(c, 1, SECOND);
      c.vec(simd.or);
      outside(c, 0, THIRD);
      c.vec(simd.or, simd.not);
      // V holds the window itself now: C0 but tab and newline, and DEL.
      c.get(V).i32(0x20).vec(simd.splat, simd.ltU);
      c.get(V).i32(0x09).vec(simd.splat, simd.ne, simd.and);
      c.get(V).i32(NEWLINE).vec(simd.splat, simd.ne, simd.and);
      c.get(V).i32(0x7f).vec(simd.splat, simd.eq, simd.or);
      // Bytes past ASCII (C1 controls among them) go to the exact test too, as the JavaScript scan reads them.
      c.get(V).i32(0).vec(simd.splat, simd.ltS, simd.or);
      c.vec(simd.or, simd.bitmask).set(MASK);
      // The last window: no candidates past the block's end.
      c.get(LENGTH).get(I).do(op.sub).set(T);
      c.get(T).i32(16).do(op.ltU);
      c.if(() => {
        c.get(MASK).i32(1).get(T).do(op.shl).i32(1).do(op.sub).do(op.and).set(MASK);
      });
      c.block('advance', () => {
        c.loop('candidate', () => {
          c.get(MASK).do(op.eqz).brIf('advance');
          c.get(I).get(MASK).do(op.ctz).do(op.add).set(P);
          c.get(MASK).get(MASK).i32(1).do(op.sub).do(op.and).set(MASK);
          // The exact test: (BITS[t >> 3] >> (t & 7)) & 1 for the trigram t ending at P.
          c.get(P).load8(INPUT - 2).load8(TABLE).i32(16).do(op.shl);
          c.get(P).load8(INPUT - 1).load8(TABLE).i32(8).do(op.shl).do(op.or);
          c.get(P).load8(INPUT).load8(TABLE).do(op.or).set(T);
          c.get(T).i32(3).do(op.shrU).load8(BITS);
          c.get(T).i32(7).do(op.and).do(op.shrU).i32(1).do(op.and);
          c.do(op.eqz).brIf('candidate');
          c.i32(1).set(HIT);
          c.get(T).get(URL).do(op.eq);
          c.if(() => {
            // A URL's `://` counts only with an `@` before its authority ends.
            c.i32(0).set(HIT);
            c.get(P).i32(1).do(op.add).set(J);
            c.block('authority', () => {
              c.loop('char', () => {
                c.get(J).get(LENGTH).do(op.geU).brIf('authority');
                c.get(J).load8(INPUT).set(CHAR);
                c.get(CHAR).i32(0x40).do(op.eq);
                c.if(() => {
                  c.i32(1).set(HIT).br('authority');
                });
                for (const stop of [0x20, 0x09, 0x2f, NEWLINE]) c.get(CHAR).i32(stop).do(op.eq).brIf('authority');
                c.get(J).i32(1).do(op.add).set(J).br('char');
              });
            });
          });
          c.get(HIT).do(op.eqz).brIf('candidate');
          c.get(COUNT).i32(HITS_CAPACITY).do(op.geU);
          c.if(() => {
            c.i32(-1).do(op.return);
          });
          c.get(COUNT).i32(4).do(op.mul).get(P).store32(HITS);
          c.get(COUNT).i32(1).do(op.add).set(COUNT);
          // The rest of this line has nothing more to tell: on from the next one.
          c.get(P).set(J);
          c.loop('skip', () => {
            c.get(J).i32(1).do(op.add).set(J);
            c.get(J).get(LENGTH).do(op.geU);
            c.if(() => {
              c.get(LENGTH).set(I).br('window');
            });
            c.get(J).load8(INPUT).i32(NEWLINE).do(op.eq);
            c.if(() => {
              c.get(J).i32(1).do(op.add).set(I).br('window');
            });
            c.br('skip');
          });
        });
      });
      c.get(I).i32(16).do(op.add).set(I).br('window');
    });
  });
  c.get(COUNT);
  return c;
}

/** The module's bytes: one function `scan(length, urlTrigram)`. */
export function screenModule(): Uint8Array {
  return wasmModule([{ name: 'scan', params: 2, locals: I32_LOCALS, vectors: VECTORS, code: scanCode() }]);
}
