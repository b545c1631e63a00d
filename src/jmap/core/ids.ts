// JMAP ids (RFC 8620 1.2: 1-255 of [A-Za-z0-9_-]) from the store's numeric ids, with a letter per
// kind so an id of one kind never parses as another. They match IMAP's OBJECTID (RFC 8474:
// MAILBOXID F…, EMAILID M…, THREADID T…), so a client using both sees the same ids; identities are I…. Store ids
// are AUTOINCREMENT, so an id is never reused after its object is destroyed.
export const CAP_CORE = "urn:ietf:params:jmap:core";
export const CAP_MAIL = "urn:ietf:params:jmap:mail";
export const CAP_SUBMISSION = "urn:ietf:params:jmap:submission";
export const CAP_VACATION = "urn:ietf:params:jmap:vacationresponse";

export const accountIdOf = (id: number): string => `A${id}`;
export const mailboxIdOf = (id: number): string => `F${id}`;
export const emailIdOf = (id: number): string => `M${id}`;
export const threadIdOf = (id: number): string => `T${id}`;
export const identityIdOf = (id: number): string => `I${id}`;

function parse(prefix: string, id: unknown): number | null {
  if (typeof id !== "string" || id.length < 2 || id.length > 20 || id[0] !== prefix) return null;
  const digits = id.slice(1);
  if (!/^[1-9][0-9]*$/.test(digits)) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}

export const parseAccountId = (id: unknown): number | null => parse("A", id);
export const parseMailboxId = (id: unknown): number | null => parse("F", id);
export const parseEmailId = (id: unknown): number | null => parse("M", id);
export const parseThreadId = (id: unknown): number | null => parse("T", id);
export const parseIdentityId = (id: unknown): number | null => parse("I", id);

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
