import type { ManualValidation } from '../manual-log.js';

/** What a renderer needs besides the session context: facts known only to the session shell. */
export interface RenderExtras {
  /** ISO time the artifact is written; renderers never read the clock. */
  generatedAt: string;
  planFile: string;
  /** The operator as shown to people, e.g. "Olive Operator (operator)". */
  operator: string;
  /** Announcement lines so far, as written to communication-log.md. */
  communicationLog: string[];
  /** Evidence files present, relative to the evidence folder. */
  files: string[];
  /** Validations recorded by hand (`warroom manual`) for steps whose automation was unavailable. */
  manualValidations?: ManualValidation[];
}
