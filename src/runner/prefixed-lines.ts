// The headless print of a flood: every line of an ASCII block after the step's prefix
// (`deploy | `). Done in JavaScript it costs a string the size of the block and a second
// copy to encode it; here a WebAssembly loop copies the prefix and then the line, as
// bytes, a line at a time (../wasm/assembler.ts).

import { Code, WasmInstance, op, wasmModule } from '../wasm/assembler.js';
import type { AsciiBlock } from './types.js';

// prefixed(ends, input, out, from, to, start, prefixLength) → where the output ends.
// The prefix sits at address 0; ends[i] is the offset in input of line i's `\n`.
const ENDS = 0;
const INPUT = 1;
const OUT = 2;
const FROM = 3;
const TO = 4;
const START = 5;
const PREFIX_LENGTH = 6;
const END = 7;
const LENGTH = 8;

function prefixedCode(): Code {
  const c = new Code();
  c.block('done', () => {
    c.loop('line', () => {
      c.get(FROM).get(TO).do(op.geU).brIf('done');
      c.get(ENDS).get(FROM).i32(4).do(op.mul).do(op.add).load32(0).set(END);
      c.get(OUT).i32(0).get(PREFIX_LENGTH).memoryCopy();
      c.get(OUT).get(PREFIX_LENGTH).do(op.add).set(OUT);
      // The line with its newline.
      c.get(END).i32(1).do(op.add).get(START).do(op.sub).set(LENGTH);
      c.get(OUT).get(INPUT).get(START).do(op.add).get(LENGTH).memoryCopy();
      c.get(OUT).get(LENGTH).do(op.add).set(OUT);
      c.get(END).i32(1).do(op.add).set(START);
      c.get(FROM).i32(1).do(op.add).set(FROM).br('line');
    });
  });
  c.get(OUT);
  return c;
}

type Prefixed = (ends: number, input: number, out: number, from: number, to: number, start: number, prefixLength: number) => number;

/** Where a block sits in the module's memory while its runs of lines are printed. */
interface Loaded {
  block: AsciiBlock;
  prefix: string;
  prefixLength: number;
  ends: number;
  input: number;
  out: number;
}

const align = (offset: number) => Math.ceil(offset / 8) * 8;

export class LinePrefixer {
  private readonly wasm = new WasmInstance(wasmModule([{ name: 'prefixed', params: 7, locals: 2, code: prefixedCode() }]), 512 * 1024);
  private readonly prefixed = this.wasm.exports.prefixed as Prefixed;
  private loaded: Loaded | undefined;

  /** Lines [from, to) of `block` (`start`: line `from`'s offset), each after `prefix`, as UTF-8 bytes; valid until the next call. */
  lines(block: AsciiBlock, from: number, to: number, start: number, prefix: string): Buffer {
    const at = this.load(block, prefix);
    const end = this.prefixed(at.ends, at.input, at.out, from, to, start, at.prefixLength);
    return this.wasm.view.subarray(at.out, end);
  }

  /** Copies the block into the module's memory once, for all the runs printed from it. */
  private load(block: AsciiBlock, prefix: string): Loaded {
    if (this.loaded?.block === block && this.loaded.prefix === prefix) return this.loaded;
    const prefixBytes = Buffer.from(prefix);
    const ends = align(prefixBytes.length);
    const input = align(ends + block.count * 4);
    const out = align(input + block.bytes.length);
    this.wasm.ensure(out + block.count * prefixBytes.length + block.bytes.length);
    this.wasm.view.set(prefixBytes, 0);
    this.wasm.int32s(ends, block.count).set(block.ends.subarray(0, block.count));
    this.wasm.view.set(block.bytes, input);
    this.loaded = { block, prefix, prefixLength: prefixBytes.length, ends, input, out };
    return this.loaded;
  }
}
