// The VacationResponse object (RFC 8621 8): one per account, id "singleton".
import type { VacationResponse } from "../../store/types.js";
import type { JsonObject } from "../core/types.js";
import { utcDate } from "../email/object.js";

export const SINGLETON = "singleton";

export const VACATION_PROPERTIES = [
  "id",
  "isEnabled",
  "fromDate",
  "toDate",
  "subject",
  "textBody",
  "htmlBody",
];

export function vacationJson(v: VacationResponse): JsonObject {
  return {
    id: SINGLETON,
    isEnabled: v.isEnabled,
    fromDate: v.fromDate ? utcDate(v.fromDate) : null,
    toDate: v.toDate ? utcDate(v.toDate) : null,
    subject: v.subject,
    textBody: v.textBody,
    htmlBody: v.htmlBody,
  };
}

/** RFC 8620 1.4 UTCDate: "Z" and upper-case letters; fractional seconds allowed. */
const UTC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function parseUtcDate(v: unknown): Date | null | undefined {
  if (v === null) return null;
  if (typeof v !== "string" || !UTC_DATE.test(v)) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
