import { resolve } from 'node:path';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { EvidenceInputError, verifyEvidence } from '../evidence/verify.js';

const USAGE = 'usage: warroom verify EVIDENCE';

/** `warroom verify EVIDENCE`: one line when intact (exit 0), one line per problem (exit 1), bad input on stderr (exit 3). */
export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  const [target, ...extra] = args;
  if (target === undefined || target.startsWith('-') || extra.length > 0) {
    writeLine(io.stderr, target === undefined ? `${USAGE} (which evidence? e.g. .artifacts/deployment or DEPLOYMENT-EVIDENCE.zip)` : USAGE);
    return EXIT.badInput;
  }
  try {
    const report = await verifyEvidence(resolve(io.cwd, target));
    if (report.intact) {
      writeLine(io.stdout, `intact: ${report.files} files, journal of ${report.journalLines} lines verified`);
      return EXIT.ok;
    }
    for (const problem of report.problems) writeLine(io.stdout, problem);
    return EXIT.failed;
  } catch (error) {
    if (!(error instanceof EvidenceInputError)) throw error;
    writeLine(io.stderr, `${target}: ${error.message}`);
    return EXIT.badInput;
  }
}
