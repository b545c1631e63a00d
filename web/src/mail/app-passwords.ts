// The user's app passwords (our JMAP extension urn:yubin:params:jmap:apppasswords, AppPassword/get
// and /set): per-device passwords for mail programs, each with a name and the protocols it may
// open. The secret comes back once, in the answer to the create, and is never readable again.
// The server checks names and scopes again; the check here only tells the user at once.
import type { JmapApi } from "../api/jmap";
import { MethodError } from "../api/jmap";

export type AppPasswordScope = "imap" | "pop3" | "smtp" | "jmap" | "managesieve";
/** In the order the server lists them. */
export const SCOPES: readonly AppPasswordScope[] = ["imap", "pop3", "smtp", "jmap", "managesieve"];
/** What a phone's or desktop's mail app needs to read and send. */
export const DEFAULT_SCOPES: readonly AppPasswordScope[] = ["imap", "smtp"];
/** The server's limit on a name (src/store/sqlite/app-passwords.ts). */
export const NAME_MAX = 64;

export interface AppPasswordInfo {
  id: string;
  name: string;
  scopes: AppPasswordScope[];
  /** RFC 8620 UTCDate strings. */
  createdAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export interface CreatedAppPassword {
  appPassword: AppPasswordInfo;
  /** As the user is to type it ("abcd efgh ijkl mnop"); shown once. */
  secret: string;
  /** When asked for: an Apple configuration profile (.mobileconfig) holding the secret. */
  appleProfile?: string;
}

/** The type Apple devices install a configuration profile from. */
export const MOBILECONFIG_TYPE = "application/x-apple-aspen-config";

type SetErrors = Record<string, { type: string; description?: string }> | null | undefined;

export async function loadAppPasswords(jmap: JmapApi): Promise<AppPasswordInfo[]> {
  const r = await jmap.call<{ list: AppPasswordInfo[] }>("AppPassword/get", { ids: null });
  return r.list;
}

/** What is wrong with a new app password's form, or null: "name" (empty or too long) or
 *  "scopes" (none ticked). */
export function formProblem(
  name: string,
  scopes: readonly AppPasswordScope[],
  opts: { appleProfile?: boolean } = {},
): "name" | "scopes" | "profileScopes" | null {
  const n = name.trim();
  if (n.length === 0 || n.length > NAME_MAX) return "name";
  if (scopes.length === 0) return "scopes";
  // A profile sets up reading and sending: the server refuses one without both.
  const reads = scopes.includes("imap") || scopes.includes("pop3");
  if (opts.appleProfile && !(reads && scopes.includes("smtp"))) return "profileScopes";
  return null;
}

export async function createAppPassword(
  jmap: JmapApi,
  p: { name: string; scopes: readonly AppPasswordScope[]; appleProfile?: boolean },
): Promise<CreatedAppPassword> {
  const create = {
    name: p.name.trim(),
    scopes: [...p.scopes],
    ...(p.appleProfile ? { withAppleProfile: true } : {}),
  };
  const r = await jmap.call<{
    created?: Record<string, AppPasswordInfo & { secret: string; appleProfile?: string }> | null;
    notCreated?: SetErrors;
  }>("AppPassword/set", { create: { new: create } });
  const made = r.created?.new;
  if (!made) {
    const bad = r.notCreated?.new;
    throw new MethodError(bad?.type ?? "serverFail", bad?.description);
  }
  const { secret, appleProfile, ...appPassword } = made;
  return appleProfile === undefined ? { appPassword, secret } : { appPassword, secret, appleProfile };
}

/** A file name for the profile from the device's name: letters, digits, "-", "_" and spaces kept. */
export function profileFileName(name: string): string {
  let base = "";
  for (const ch of name.trim()) base += /[\p{L}\p{N} _-]/u.test(ch) ? ch : "_";
  return `${base.slice(0, NAME_MAX) || "mail"}.mobileconfig`;
}

/** Revokes it: the device's sessions end at their next command. */
export async function revokeAppPassword(jmap: JmapApi, id: string): Promise<void> {
  const r = await jmap.call<{ notDestroyed?: SetErrors }>("AppPassword/set", { destroy: [id] });
  const bad = r.notDestroyed?.[id];
  // Already gone (revoked in another tab or with the CLI): what the user wanted.
  if (bad && bad.type !== "notFound") throw new MethodError(bad.type, bad.description);
}

/** The list with a scope ticked or unticked, kept in SCOPES order. */
export function toggleScope(
  scopes: readonly AppPasswordScope[],
  scope: AppPasswordScope,
  on: boolean,
): AppPasswordScope[] {
  return SCOPES.filter((s) => (s === scope ? on : scopes.includes(s)));
}
