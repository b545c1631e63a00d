// Per-account settings' backend-neutral pieces: reply-to and bcc lists as stored (JSON text), the
// vacation response an account never set, and a nullable date. Used by the SQLite
// (sqlite/settings.ts) and PostgreSQL (postgres/settings.ts) stores. The identity and vacation
// rows are not here: SQLite keeps is_primary and is_enabled as 0/1, PostgreSQL as booleans.
import { StoreError } from "../errors.js";
import type { NamedAddress, VacationResponse } from "../types.js";

/** A stored address list (JSON text) as read. */
export const addresses = (json: string | null): NamedAddress[] | null =>
  json === null ? null : (JSON.parse(json) as NamedAddress[]);

/** An address list as stored: JSON of name and email only, or null for none. */
export function addressJson(list: NamedAddress[] | null | undefined, what: string): string | null {
  if (list === null || list === undefined) return null;
  if (
    !Array.isArray(list) ||
    list.some((a) => typeof a?.email !== "string" || (a.name !== null && typeof a.name !== "string"))
  ) {
    throw new StoreError("invalid", `${what} must be a list of addresses`);
  }
  return JSON.stringify(list.map((a) => ({ name: a.name, email: a.email })));
}

export const dateOf = (n: number | null): Date | null => (n === null ? null : new Date(n));

/** No row: never set, i.e. disabled (RFC 8621 8). */
export const DISABLED_VACATION: Readonly<VacationResponse> = {
  isEnabled: false,
  fromDate: null,
  toDate: null,
  subject: null,
  textBody: null,
  htmlBody: null,
};
