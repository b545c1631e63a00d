// Typed storage errors: protocols map `code` to their own replies (SMTP 452/550, IMAP NO [..]).

export type StoreErrorCode =
  | "not-found"
  | "exists"
  | "invalid"
  | "quota"
  | "domain-not-empty"
  | "mailbox-not-empty"
  | "readonly";

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
