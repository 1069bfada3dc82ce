// The screen's scanning loop (./screen.ts) as WebAssembly: the same trigram table and the
// same rules, about twice as fast as the JavaScript loop over a flood of ASCII
// text. The module is a few dozen instructions, assembled here from named opcodes
// instead of shipped as an opaque binary, so it stays readable and needs no toolchain.
//
// Memory (imported, grown by the caller): the character table at TABLE, the trigram bits
// at BITS, hit offsets (i32) at HITS, the block's bytes at INPUT.

export const TABLE = 0;
export const BITS = 0x1_0000;
export const BITS_BYTES = 0x20_0000;
export const HITS = BITS + BITS_BYTES;
export const HITS_CAPACITY = 0x1_0000;
export const INPUT = HITS + HITS_CAPACITY * 4;

const NEWLINE = 0x0a;

/** WebAssembly opcodes used below. */
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  load8: 0x2d,
  store: 0x36,
  const: 0x41,
  eq: 0x46,
  geU: 0x4f,
  add: 0x6a,
  mul: 0x6c,
  and: 0x71,
  or: 0x72,
  shl: 0x74,
  shrU: 0x76,
};
const EMPTY = 0x40;

function leb(value: number, signed: boolean): number[] {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const byte = rest & 0x7f;
    rest = signed ? rest >> 7 : rest >>> 7;
    const done = signed ? (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0) : rest === 0;
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

/** A function body written with named blocks: `br('done')` finds its own depth. */
class Code {
  readonly bytes: number[] = [];
  private readonly labels: Array<string | undefined> = [];

  private emit(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  get(local: number): this {
    return this.emit(op.localGet, local);
  }
  set(local: number): this {
    return this.emit(op.localSet, local);
  }
  i32(value: number): this {
    return this.emit(op.const, ...leb(value, true));
  }
  /** An unsigned byte at the address on the stack plus `offset`. */
  load8(offset: number): this {
    return this.emit(op.load8, 0, ...leb(offset, false));
  }
  store32(offset: number): this {
    return this.emit(op.store, 2, ...leb(offset, false));
  }
  do(...opcodes: number[]): this {
    return this.emit(...opcodes);
  }
  private nest(opcode: number, label: string | undefined, body: () => void): this {
    this.emit(opcode, EMPTY);
    this.labels.push(label);
    body();
    this.labels.pop();
    return this.emit(op.end);
  }
  block(label: string, body: () => void): this {
    return this.nest(op.block, label, body);
  }
  loop(label: string, body: () => void): this {
    return this.nest(op.loop, label, body);
  }
  if(body: () => void): this {
    return this.nest(op.if, undefined, body);
  }
  private depth(label: string): number {
    return this.labels.length - 1 - this.labels.lastIndexOf(label);
  }
  br(label: string): this {
    return this.emit(op.br, this.depth(label));
  }
  brIf(label: string): this {
    return this.emit(op.brIf, this.depth(label));
  }
}

// scan(length, urlTrigram) → hits, or -1 when more lines hit than HITS holds.
const LENGTH = 0;
const URL = 1;
const I = 2;
const TRIGRAM = 3;
const COUNT = 4;
const J = 5;
const CHAR = 6;
const HIT = 7;

function scanBody(): number[] {
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
  // Six i32 locals after the two parameters.
  const locals = [1, 6, 0x7f];
  const body = [...locals, ...c.bytes, op.end];
  return [...leb(body.length, false), ...body];
}

const section = (id: number, content: number[]) => [id, ...leb(content.length, false), ...content];
const name = (text: string) => [...leb(text.length, false), ...Buffer.from(text)];

/** The module's bytes: one function `scan`, the memory imported as env.memory. */
export function screenModule(): Uint8Array {
  const I32 = 0x7f;
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 2, I32, I32, 1, I32]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1, false)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('scan'), 0x00, 0]),
    ...section(10, [1, ...scanBody()]),
  ]);
}
