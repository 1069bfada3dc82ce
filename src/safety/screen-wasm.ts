// The screen's scanning loop (./screen.ts) as WebAssembly: the same trigram table and the
// same rules, about twice as fast as the JavaScript loop over a flood of ASCII
// text. A few dozen instructions, assembled by ../wasm/assembler.ts.
//
// Memory (imported, grown by the caller): the character table at TABLE, the trigram bits
// at BITS, hit offsets (i32) at HITS, the block's bytes at INPUT.

import { Code, op, wasmModule } from '../wasm/assembler.js';

export const TABLE = 0;
export const BITS = 0x1_0000;
export const BITS_BYTES = 0x20_0000;
export const HITS = BITS + BITS_BYTES;
export const HITS_CAPACITY = 0x1_0000;
export const INPUT = HITS + HITS_CAPACITY * 4;

const NEWLINE = 0x0a;

// scan(length, urlTrigram) → hits, or -1 when more lines hit than HITS holds.
const LENGTH = 0;
const URL = 1;
const I = 2;
const TRIGRAM = 3;
const COUNT = 4;
const J = 5;
const CHAR = 6;
const HIT = 7;

function scanCode(): Code {
  const c = new Code();
  c.block('done', () => {
    c.loop('next', () => {
      c.get(I).get(LENGTH).do(op.geU).brIf('done');
      // trigram = ((trigram << 8) | TABLE[INPUT[i]]) & 0xffffff
      c.get(TRIGRAM).i32(8).do(op.shl);
      c.get(I).load8(INPUT).load8(TABLE);
      c.do(op.or).i32(0xff_ffff).do(op.and).set(TRIGRAM);
      // (BITS[trigram >> 3] >> (trigram & 7)) & 1
      c.get(TRIGRAM).i32(3).do(op.shrU).load8(BITS);
      c.get(TRIGRAM).i32(7).do(op.and).do(op.shrU).i32(1).do(op.and);
      c.if(() => {
        c.i32(1).set(HIT);
        c.get(TRIGRAM).get(URL).do(op.eq);
        c.if(() => {
          // A URL's `://` counts only with an `@` before its authority ends.
          c.i32(0).set(HIT);
          c.get(I).i32(1).do(op.add).set(J);
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
        c.get(HIT);
        c.if(() => {
          c.get(COUNT).i32(HITS_CAPACITY).do(op.geU);
          c.if(() => {
            c.i32(-1).do(op.return);
          });
          c.get(COUNT).i32(4).do(op.mul).get(I).store32(HITS);
          c.get(COUNT).i32(1).do(op.add).set(COUNT);
          // The rest of this line has nothing more to tell.
          c.block('line', () => {
            c.loop('skip', () => {
              c.get(I).i32(1).do(op.add).set(I);
              c.get(I).get(LENGTH).do(op.geU).brIf('line');
              c.get(I).load8(INPUT).i32(NEWLINE).do(op.eq).brIf('line');
              c.br('skip');
            });
          });
          c.i32(NEWLINE).set(TRIGRAM);
        });
      });
      c.get(I).i32(1).do(op.add).set(I).br('next');
    });
  });
  c.get(COUNT);
  return c;
}

/** The module's bytes: one function `scan(length, urlTrigram)`. */
export function screenModule(): Uint8Array {
  // Six i32 locals after the two parameters.
  return wasmModule([{ name: 'scan', params: 2, locals: 6, code: scanCode() }]);
}
