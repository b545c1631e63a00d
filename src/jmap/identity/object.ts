// The Identity object (RFC 8621 6) from the store's Identity, and the checks of the values a
// client may set. mayDelete is false for the account's primary identity (its own address),
// which RFC 8621 6 lets a server keep.
import type { Identity, NamedAddress } from "../../store/types.js";
import { isObject } from "../core/args.js";
import { identityIdOf } from "../core/ids.js";
import type { Json, JsonObject } from "../core/types.js";

export const IDENTITY_PROPERTIES = [
  "id",
  "name",
  "email",
  "replyTo",
  "bcc",
  "textSignature",
  "htmlSignature",
  "mayDelete",
];

const addressesJson = (l: NamedAddress[] | null): Json =>
  l === null ? null : l.map((a) => ({ name: a.name, email: a.email }));

export function identityJson(i: Identity): JsonObject {
  return {
    id: identityIdOf(i.id),
    name: i.name,
    email: i.email,
    replyTo: addressesJson(i.replyTo),
    bcc: addressesJson(i.bcc),
    textSignature: i.textSignature,
    htmlSignature: i.htmlSignature,
    mayDelete: !i.primary,
  };
}

/** EmailAddress[] | null (RFC 8621 4.1.2.3), or undefined when malformed. */
export function addressList(v: Json | undefined): NamedAddress[] | null | undefined {
  if (v === null) return null;
  if (!Array.isArray(v)) return undefined;
  const out: NamedAddress[] = [];
  for (const a of v) {
    if (!isObject(a) || typeof a.email !== "string" || !a.email.includes("@")) return undefined;
    if (a.name !== undefined && a.name !== null && typeof a.name !== "string") return undefined;
    if (Object.keys(a).some((k) => k !== "name" && k !== "email")) return undefined;
    out.push({ name: typeof a.name === "string" ? a.name : null, email: a.email });
  }
  return out;
}
