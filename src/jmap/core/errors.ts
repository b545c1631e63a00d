// JMAP errors, in the two places RFC 8620 puts them:
//  - request-level (3.6.1): the whole request fails with an HTTP status and a problem-details
//    body (RFC 7807), e.g. notJSON, notRequest, unknownCapability, limit;
//  - method-level (3.6.2): one method call answers ["error", {type, description}, callId] and the
//    others still run, e.g. invalidArguments, unknownMethod, accountNotFound.
// Set errors (5.3, SetError) are per object inside a /set response and are plain data.
// Handlers throw these; request.ts renders them, in one place.

export type RequestErrorType = "unknownCapability" | "notJSON" | "notRequest" | "limit";

export class JmapRequestError extends Error {
  constructor(
    readonly type: RequestErrorType,
    readonly status: number,
    readonly detail: string,
    readonly limit?: string,
  ) {
    super(detail);
    this.name = "JmapRequestError";
  }

  /** RFC 7807 problem details, with the JMAP error URN (RFC 8620 3.6.1). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      type: `urn:ietf:params:jmap:error:${this.type}`,
      status: this.status,
      detail: this.detail,
    };
    if (this.limit !== undefined) out.limit = this.limit;
    return out;
  }
}

export type MethodErrorType =
  | "serverUnavailable"
  | "serverFail"
  | "serverPartialFail"
  | "unknownMethod"
  | "invalidArguments"
  | "invalidResultReference"
  | "forbidden"
  | "accountNotFound"
  | "accountNotSupportedByMethod"
  | "accountReadOnly"
  | "requestTooLarge"
  | "cannotCalculateChanges"
  | "stateMismatch"
  | "anchorNotFound"
  | "unsupportedSort"
  | "unsupportedFilter"
  | "tooManyChanges"
  | "fromAccountNotFound"
  | "fromAccountNotSupportedByMethod";

export class MethodError extends Error {
  constructor(
    readonly type: MethodErrorType,
    readonly description?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(description ?? type);
    this.name = "MethodError";
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { type: this.type, ...this.extra };
    if (this.description !== undefined) out.description = this.description;
    return out;
  }
}

/** RFC 8620 5.3 SetError (and the RFC 8621 additions): one failed create/update/destroy. */
export interface SetError {
  type: string;
  description?: string;
  properties?: string[];
  [key: string]: unknown;
}

export const setError = (
  type: string,
  description?: string,
  extra: Record<string, unknown> = {},
): SetError => (description === undefined ? { type, ...extra } : { type, description, ...extra });

export const invalidArgs = (description: string): MethodError =>
  new MethodError("invalidArguments", description);
