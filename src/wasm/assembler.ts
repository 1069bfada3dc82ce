// A tiny WebAssembly assembler for warroom's two hot loops (the output screen and the
// prefixed print): function bodies are written with named opcodes and named blocks, so
// the modules stay readable in the source and need no toolchain. Every module imports
// its memory as env.memory and works on i32 only.

/** WebAssembly opcodes used by warroom's modules. */
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  load: 0x28,
  load8: 0x2d,
  store: 0x36,
  const: 0x41,
  eqz: 0x45,
  eq: 0x46,
  ltU: 0x49,
  geU: 0x4f,
  ctz: 0x68,
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  and: 0x71,
  or: 0x72,
  shl: 0x74,
  shrU: 0x76,
};
/** 128-bit vector opcodes, after the 0xfd prefix. */
export const simd = {
  load: 0x00,
  swizzle: 0x0e,
  splat: 0x0f,
  eq: 0x23,
  ne: 0x24,
  ltS: 0x25,
  ltU: 0x26,
  not: 0x4d,
  and: 0x4e,
  or: 0x50,
  bitmask: 0x64,
  shrU: 0x6d,
};
const EMPTY = 0x40;
const I32 = 0x7f;
const V128 = 0x7b;
/** memory.copy (bulk memory): dest, source, length on the stack. */
const MEMORY_COPY = [0xfc, 0x0a, 0x00, 0x00];

export function leb(value: number, signed: boolean): number[] {
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
export class Code {
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
  /** An i32 at the address on the stack plus `offset`. */
  load32(offset: number): this {
    return this.emit(op.load, 2, ...leb(offset, false));
  }
  store32(offset: number): this {
    return this.emit(op.store, 2, ...leb(offset, false));
  }
  /** Copies `length` bytes from `source` to `dest` (all three on the stack, in that order). */
  memoryCopy(): this {
    return this.emit(...MEMORY_COPY);
  }
  do(...opcodes: number[]): this {
    return this.emit(...opcodes);
  }
  /** Vector instructions (`simd`), each with its prefix. */
  vec(...opcodes: number[]): this {
    for (const opcode of opcodes) this.emit(0xfd, ...leb(opcode, false));
    return this;
  }
  /** Sixteen bytes at the address on the stack plus `offset`, any alignment. */
  load128(offset: number): this {
    return this.emit(0xfd, simd.load, 0, ...leb(offset, false));
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

/** One exported function: i32 parameters, `locals` more i32 locals after them, then `vectors` v128 locals; one i32 result. */
export interface WasmFunction {
  name: string;
  params: number;
  locals: number;
  vectors?: number;
  code: Code;
}

const section = (id: number, content: number[]) => [id, ...leb(content.length, false), ...content];
const name = (text: string) => [...leb(text.length, false), ...Buffer.from(text)];

/** The module's bytes: the functions, exported by name, the memory imported as env.memory. */
export function wasmModule(functions: readonly WasmFunction[]): Uint8Array {
  const count = leb(functions.length, false);
  const types = functions.flatMap((fn) => [0x60, ...leb(fn.params, false), ...Array<number>(fn.params).fill(I32), 1, I32]);
  const bodies = functions.flatMap((fn) => {
    const groups = [...(fn.locals > 0 ? [[...leb(fn.locals, false), I32]] : []), ...((fn.vectors ?? 0) > 0 ? [[...leb(fn.vectors!, false), V128]] : [])];
    const body = [...leb(groups.length, false), ...groups.flat(), ...fn.code.bytes, op.end];
    return [...leb(body.length, false), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [...count, ...types]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1, false)]),
    ...section(3, [...count, ...functions.flatMap((_, i) => leb(i, false))]),
    ...section(7, [...count, ...functions.flatMap((fn, i) => [...name(fn.name), 0x00, ...leb(i, false)])]),
    ...section(10, [...count, ...bodies]),
  ]);
}

// Node has WebAssembly; the type library here (no DOM) does not describe it.
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 65_536;

/** A module instantiated over its own memory, which grows on demand; `view` is the memory as a Buffer. */
export class WasmInstance {
  private readonly memory: WasmMemory;
  readonly exports: Record<string, unknown>;
  view: Buffer;

  constructor(bytes: Uint8Array, initialBytes: number) {
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(initialBytes / PAGE) });
    this.exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory } }).exports;
    this.view = Buffer.from(this.memory.buffer);
  }

  /** Makes the memory at least `bytes` long (the old view is stale afterwards). */
  ensure(bytes: number): void {
    if (bytes <= this.view.length) return;
    this.memory.grow(Math.ceil((bytes - this.view.length) / PAGE));
    this.view = Buffer.from(this.memory.buffer);
  }

  /** Four-byte integers at `offset`, over the current memory. */
  int32s(offset: number, count: number): Int32Array {
    return new Int32Array(this.memory.buffer, offset, count);
  }
}
