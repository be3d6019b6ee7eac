/**
 * The error every pegkit function throws. `code` is a stable snake_case string (the same codes the
 * `pegkit` CLI prints); `message` says what was wrong. One class is shared by all of pegkit's
 * entry points in a JavaScript realm, so `instanceof PegkitError` works whichever was loaded.
 */
export declare class PegkitError extends Error {
  constructor(code: string, message: string);
  readonly name: 'PegkitError';
  /** Stable machine-readable code, e.g. `"truncated"`, `"invalid_length"`. */
  readonly code: string;
}
