import { z } from 'zod';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { planSchema } from '../plan/schema.js';

/** The plan's JSON Schema, for editors (yaml-language-server) and CI linters. */
export function planJsonSchema(): Record<string, unknown> {
  // io 'input': what an author may write, so keys with defaults are optional.
  const schema = z.toJSONSchema(planSchema, { io: 'input' });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'warroom release plan (release.yaml)',
    ...schema,
  };
}

/** `warroom schema`: prints the JSON Schema on stdout. */
export async function schemaCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length > 0 && !args.includes('--help') && !args.includes('-h')) {
    writeLine(io.stderr, 'usage: warroom schema (takes no arguments)');
    return EXIT.badInput;
  }
  if (args.length > 0) {
    writeLine(io.stdout, 'usage: warroom schema > release.schema.json');
    return EXIT.ok;
  }
  writeLine(io.stdout, JSON.stringify(planJsonSchema(), null, 2));
  return EXIT.ok;
}
