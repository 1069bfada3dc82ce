/** The exit codes of SPEC section 2: scripts rely on them. */
export const EXIT = {
  released: 0,
  ok: 0,
  rolledBack: 1,
  failed: 1,
  halted: 2,
  badInput: 3,
} as const;
