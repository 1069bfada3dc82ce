import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The hostile-output corpora in fixtures/corpora and what the output filter must make of
// them (expectations.json). Shared by the filter's own test and the end-to-end run.

export const CORPORA = resolve(import.meta.dirname, '../../fixtures/corpora');

export interface SecretExpectation {
  /** 1-based line of secrets.log. */
  line: number;
  kind: string;
  /** The mask text the line must show. */
  mask: string;
  /** The whole line after masking. */
  masked: string;
  /** Reusable parts that must not appear anywhere. */
  secrets: string[];
}

export interface EscapeExpectation {
  /** 1-based line of escapes.log. */
  line: number;
  name: string;
  /** What the operator sees: the evidence text, and the console's text without colour. */
  screen: string;
  /** An earlier line this one tries to overwrite: it must stay visible, before this one. */
  forges?: string;
  /** The console keeps colour sequences on this line. */
  sgr?: boolean;
  secrets?: string[];
}

export interface Expectations {
  env: { name: string; placeholder: string; value: string };
  patterns: string[];
  secrets: SecretExpectation[];
  escapes: EscapeExpectation[];
}

export const expectations = JSON.parse(readFileSync(join(CORPORA, 'expectations.json'), 'utf8')) as Expectations;

/** The corpora as a deploy step prints them (secrets.log with the secrets.env value in place). */
export function corpusBytes(dir = CORPORA): { secrets: Buffer; clean: Buffer; escapes: Buffer } {
  const secrets = readFileSync(join(dir, 'secrets.log'), 'utf8').replace(expectations.env.placeholder, expectations.env.value);
  return { secrets: Buffer.from(secrets), clean: readFileSync(join(dir, 'clean.log')), escapes: readFileSync(join(dir, 'escapes.log')) };
}

/** Lines of a text file, without the final newline's empty line. */
export const linesOf = (text: string): string[] => text.replace(/\n$/, '').split('\n');

/** Every string that must not survive anywhere: the fake secrets, the env value, the pattern's token. */
export function forbiddenSecrets(): string[] {
  return [...new Set([...expectations.secrets.flatMap((e) => e.secrets), ...expectations.escapes.flatMap((e) => e.secrets ?? []), expectations.env.value])];
}

/** C0 controls but newline, DEL and C1 controls (as code points): none may reach evidence text. */
export const EVIDENCE_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;
/** Colour sequences: the only escapes the console may be sent (global: for replace). */
export const SGR = /\x1b\[[0-9;:]*m/g;
/** Holds at least one colour sequence. */
export const HAS_SGR = /\x1b\[[0-9;:]*m/;
