// Why a received report was not stored. Each is logged with the reporter's message id; none is
// ever shown to the sender (the message itself was accepted and filed before parsing began).

export type ReportErrorReason =
  | "malformed" // not well-formed XML or JSON, or a required field missing or of the wrong type
  | "too-many-records" // more rows than reports.maxRecords
  | "not-ours"; // about a domain we do not host

export class ReportParseError extends Error {
  constructor(
    readonly reason: ReportErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "ReportParseError";
  }
}

export function malformed(message: string): ReportParseError {
  return new ReportParseError("malformed", message);
}
