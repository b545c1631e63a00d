// Typed storage errors: protocols map `code` to their own replies (SMTP 452/550, IMAP NO [..]).

export type StoreErrorCode =
  | "not-found"
  | "exists"
  | "invalid"
  | "quota"
  | "domain-not-empty"
  | "mailbox-not-empty"
  | "readonly"
  /** The database cannot be reached (PostgreSQL down or restarting): try again later. Protocols
   *  answer it as a temporary failure (SMTP 451 4.3.0, IMAP NO [UNAVAILABLE], JMAP serverUnavailable). */
  | "unavailable";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/** A delivery or append would exceed an account's quota; nothing was stored. */
export class QuotaError extends StoreError {
  constructor(
    readonly accountId: number,
    message: string,
  ) {
    super("quota", message);
    this.name = "QuotaError";
  }
}

/** The database could not be reached or went away during the call; nothing of it was committed
 *  unless the call says so (a COMMIT whose answer was lost is the one case that cannot tell). */
export class StoreUnavailableError extends StoreError {
  constructor(message: string, cause?: unknown) {
    super("unavailable", message);
    this.name = "StoreUnavailableError";
    this.cause = cause;
  }
}

/** Whether `e` is the store's "the database cannot be reached" (StoreUnavailableError or a
 *  StoreError with that code), which protocols answer as a temporary failure. */
export function isStoreUnavailable(e: unknown): e is StoreError {
  return e instanceof StoreError && e.code === "unavailable";
}
