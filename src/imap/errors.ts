// Every failure a handler can raise, and the one place where it becomes a tagged NO or BAD with
// a response code (RFC 9051 7.1, RFC 5530 codes). User faults are NO, syntax faults BAD, server
// faults NO [SERVERBUG] (and logged by the dispatcher).
import { QuotaError, StoreError } from "../store/errors.js";

export type ResponseCode =
  | "ALREADYEXISTS"
  | "NONEXISTENT"
  | "TRYCREATE"
  | "OVERQUOTA"
  | "TOOBIG"
  | "CANNOT"
  | "INUSE"
  | "AUTHENTICATIONFAILED"
  | "UNAVAILABLE"
  | "PRIVACYREQUIRED"
  | "CLIENTBUG"
  | "SERVERBUG"
  | "LIMIT"
  | "NOPERM"
  | "BADCHARSET (UTF-8 US-ASCII)"
  | "EXPUNGEISSUED"
  | "CONTACTADMIN"
  | "UNKNOWN-CTE" // RFC 3516 4.3
  | "COMPRESSIONACTIVE"; // RFC 4978 3

export class ImapError extends Error {
  override name = "ImapError";
  constructor(
    readonly status: "NO" | "BAD",
    readonly code: ResponseCode | null,
    message: string,
  ) {
    super(message);
  }
}

export const no = (text: string, code: ResponseCode | null = null) => new ImapError("NO", code, text);
export const bad = (text: string, code: ResponseCode | null = null) => new ImapError("BAD", code, text);

export interface ErrorResponse {
  status: "NO" | "BAD";
  code: string | null;
  text: string;
  serverFault: boolean;
}

export function toErrorResponse(e: unknown): ErrorResponse {
  if (e instanceof ImapError) return { status: e.status, code: e.code, text: e.message, serverFault: false };
  if (e instanceof QuotaError)
    return { status: "NO", code: "OVERQUOTA", text: "Quota exceeded", serverFault: false };
  if (e instanceof StoreError) {
    switch (e.code) {
      case "not-found":
        return { status: "NO", code: "NONEXISTENT", text: "No such mailbox", serverFault: false };
      case "exists":
        return { status: "NO", code: "ALREADYEXISTS", text: "Mailbox already exists", serverFault: false };
      case "quota":
        return { status: "NO", code: "OVERQUOTA", text: "Quota exceeded", serverFault: false };
      case "invalid":
        return { status: "NO", code: "CANNOT", text: e.message, serverFault: false };
      case "mailbox-not-empty":
        return { status: "NO", code: "INUSE", text: e.message, serverFault: false };
      case "readonly":
        return { status: "NO", code: "NOPERM", text: e.message, serverFault: false };
      // RFC 5530 3: UNAVAILABLE, "temporary failure because a subsystem is down"; the command
      // changed nothing and may be repeated.
      case "unavailable":
        return {
          status: "NO",
          code: "UNAVAILABLE",
          text: "Mail store temporarily unavailable, try again later",
          serverFault: false,
        };
      default:
        return { status: "NO", code: "CANNOT", text: e.message, serverFault: false };
    }
  }
  return { status: "NO", code: "SERVERBUG", text: "Internal error", serverFault: true };
}
