// Dovecot users from a passwd-file (`yubin import users`): each line
//   user:password:uid:gid:gecos:home:shell:extra_fields
// becomes an account whose password hash is kept as it is, so users log in with their old
// passwords (verifyPassword checks {ARGON2ID}, {ARGON2I}, {BLF-CRYPT}, {SHA512-CRYPT},
// {SHA256-CRYPT}, and {CRYPT} holding one of those; needsRehash replaces them with argon2id at the
// next login). {PLAIN}/{CLEAR}/{CLEARTEXT} passwords are hashed with argon2id here, never stored
// in clear. Any other scheme ({SSHA512}, {MD5-CRYPT}, DES crypt, …) cannot be verified: the line
// is a failure and no account is made, rather than an account nobody can log in to.
// A user whose domain Yubin does not serve is a failure too (`yubin domain add` first: a domain
// needs its DKIM keys and DNS records, which an import should not decide). Existing accounts are
// skipped and listed, never changed. Lines are read one at a time (readline), so a large file
// costs one line of memory, and a line is bounded (MAX_LINE_CHARS).
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { hashPassword, isVerifiableHash } from "../auth/password.js";
import { normalizeDomain, parseAddress } from "../delivery/address.js";
import { StoreError } from "../store/errors.js";
import type { Account, Store } from "../store/types.js";

/** Longest line read; a longer one is a failure (Dovecot's own lines are far shorter). */
export const MAX_LINE_CHARS = 64 * 1024;
/** Most names listed per outcome in the summary (the counts are always complete). */
export const MAX_LISTED = 1000;

export interface PasswdUser {
  line: number;
  address: string;
  /** The hash to store, or the clear password to hash ({PLAIN} lines). */
  password: { hash: string } | { plain: string };
  /** From userdb_quota_rule/quota_rule `*:storage=` and `*:messages=` (--quota-from-userdb). */
  quotaBytes?: number;
  quotaMessages?: number;
  /** `nologin` in the extra fields: Dovecot refuses the login, so the account is made disabled. */
  disabled: boolean;
}

export interface PasswdFailure {
  line: number;
  user: string;
  reason: string;
}

export interface ParseOptions {
  /** Domain for bare user names (--domain). */
  domain?: string;
}

const CLEAR_SCHEMES = new Set(["PLAIN", "CLEAR", "CLEARTEXT"]);

/** One line of a passwd-file: a user, a failure, or null for a blank or comment line. */
export function parsePasswdLine(
  text: string,
  line: number,
  opts: ParseOptions,
): PasswdUser | PasswdFailure | null {
  if (text.length > MAX_LINE_CHARS) return { line, user: "", reason: "line too long" };
  if (text.trim() === "" || text.trimStart().startsWith("#")) return null;
  const fields = text.split(":");
  const user = fields[0] ?? "";
  const address = addressOf(user, opts.domain);
  if (typeof address !== "string") return { line, user, reason: address.error };
  const fail = (reason: string): PasswdFailure => ({ line, user: address, reason });
  // Fields after the 7th are the extra fields, space-separated key=value (a value may hold ':').
  const extra = parseExtraFields(fields.slice(7).join(":"));
  if (extra.has("nopassword") || extra.has("userdb_nopassword"))
    return fail("nopassword: Yubin has no login without a password");
  const password = storedPassword(fields[1] ?? "");
  if ("error" in password) return fail(password.error);
  return {
    line,
    address,
    password,
    disabled: extra.has("nologin") || extra.has("userdb_nologin"),
    ...quotaOf(extra),
  };
}

function addressOf(user: string, domain: string | undefined): string | { error: string } {
  if (user === "") return { error: "no user name" };
  const full = user.includes("@") ? user : domain ? `${user}@${domain}` : null;
  if (full === null) return { error: "a bare user name needs --domain" };
  const p = parseAddress(full);
  if (!p) return { error: `malformed address ${JSON.stringify(full)}` };
  return `${p.local}@${normalizeDomain(p.domain)}`;
}

/** The password field as Yubin keeps it. */
function storedPassword(field: string): { hash: string } | { plain: string } | { error: string } {
  if (field === "") return { error: "no password" };
  const m = /^\{([A-Za-z0-9.-]+)\}/.exec(field);
  const scheme = m?.[1]?.toUpperCase() ?? null;
  const rest = m ? field.slice(m[0].length) : field;
  if (scheme !== null && CLEAR_SCHEMES.has(scheme)) {
    if (rest === "") return { error: "empty password" };
    return { plain: rest };
  }
  // {CRYPT} (and Dovecot's default scheme for an unprefixed hash) is crypt(3), which reads the
  // algorithm from the hash's own $id$ marker: kept bare, verifyPassword does the same.
  if (scheme === null || scheme === "CRYPT") {
    if (isVerifiableHash(rest)) return { hash: rest };
    return {
      error: `${scheme ?? "CRYPT"} hash of a kind Yubin cannot verify (only $6$, $5$, $2y$, $argon2)`,
    };
  }
  if (isVerifiableHash(field)) return { hash: field };
  return { error: `password scheme {${scheme}} cannot be verified by Yubin` };
}

function parseExtraFields(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of s.split(" ")) {
    if (word === "") continue;
    const eq = word.indexOf("=");
    out.set(eq < 0 ? word : word.slice(0, eq), eq < 0 ? "" : word.slice(eq + 1));
  }
  return out;
}

/** `*:storage=1G` and `*:messages=N` from quota_rule, quota_rule2, … (userdb_ prefixed or not).
 *  Dovecot 2.x reads storage in bytes with the suffixes b, k, M, G, T (powers of 1024); a rule for
 *  one mailbox, or a percentage, has no Yubin equivalent and is ignored. */
function quotaOf(extra: Map<string, string>): { quotaBytes?: number; quotaMessages?: number } {
  const out: { quotaBytes?: number; quotaMessages?: number } = {};
  for (const [key, value] of extra) {
    if (!/^(?:userdb_)?quota_rule\d*$/.test(key)) continue;
    const [box, ...limits] = value.split(":");
    if (box !== "*") continue;
    for (const limit of limits) {
      const m = /^(storage|bytes|messages)=(\d+)([bkmgt]?)$/i.exec(limit);
      if (!m?.[1] || !m[2]) continue;
      const n = Number(m[2]) * 1024 ** "bkmgt".indexOf((m[3] || "b").toLowerCase());
      if (!Number.isSafeInteger(n)) continue;
      if (m[1].toLowerCase() === "messages") out.quotaMessages = n;
      else out.quotaBytes = n;
    }
  }
  return out;
}

export interface UsersImportOptions {
  path: string;
  domain?: string;
  /** Take each user's quota from its userdb quota_rule fields (else the defaults). */
  quotaFromUserdb: boolean;
  defaultQuotaBytes: number;
  defaultQuotaMessages: number;
  /** Called after each line that made or skipped an account or failed (progress). */
  onLine?(done: number): void;
}

export interface UsersImportSummary {
  created: number;
  createdDisabled: number;
  existing: number;
  failed: number;
  /** The first MAX_LISTED of each. */
  createdList: string[];
  existingList: string[];
  failures: PasswdFailure[];
}

/** Read the passwd-file and make its accounts. */
export async function importPasswdFile(store: Store, opts: UsersImportOptions): Promise<UsersImportSummary> {
  const sum: UsersImportSummary = {
    created: 0,
    createdDisabled: 0,
    existing: 0,
    failed: 0,
    createdList: [],
    existingList: [],
    failures: [],
  };
  const fail = (f: PasswdFailure) => {
    sum.failed++;
    if (sum.failures.length < MAX_LISTED) sum.failures.push(f);
  };
  const domains = new Map<string, boolean>();
  const input = createReadStream(opts.path, { encoding: "utf8" });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of lines) {
      n++;
      const u = parsePasswdLine(text, n, opts.domain === undefined ? {} : { domain: opts.domain });
      if (u === null) continue;
      if ("reason" in u) fail(u);
      else await createUser(store, u, { opts, sum, domains, fail });
      opts.onLine?.(n);
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return sum;
}

async function createUser(
  store: Store,
  u: PasswdUser,
  c: {
    opts: UsersImportOptions;
    sum: UsersImportSummary;
    domains: Map<string, boolean>;
    fail(f: PasswdFailure): void;
  },
): Promise<void> {
  const domain = u.address.slice(u.address.lastIndexOf("@") + 1);
  let known = c.domains.get(domain);
  if (known === undefined) {
    known = (await store.directory.getDomain(domain)) !== null;
    c.domains.set(domain, known);
  }
  if (!known)
    return c.fail({
      line: u.line,
      user: u.address,
      reason: `unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``,
    });
  if (await store.directory.getAccountByAddress(u.address)) {
    c.sum.existing++;
    if (c.sum.existingList.length < MAX_LISTED) c.sum.existingList.push(u.address);
    return;
  }
  if (await store.directory.getAlias(u.address))
    return c.fail({ line: u.line, user: u.address, reason: "already an alias" });
  const passwordHash = "hash" in u.password ? u.password.hash : await hashPassword(u.password.plain);
  let account: Account;
  try {
    account = await store.directory.createAccount({
      address: u.address,
      passwordHash,
      quotaBytes: (c.opts.quotaFromUserdb ? u.quotaBytes : undefined) ?? c.opts.defaultQuotaBytes,
      quotaMessages: (c.opts.quotaFromUserdb ? u.quotaMessages : undefined) ?? c.opts.defaultQuotaMessages,
    });
  } catch (e) {
    // Made meanwhile (the admin page, another run) or taken by an alias: this line only.
    if (!(e instanceof StoreError)) throw e;
    return c.fail({ line: u.line, user: u.address, reason: e.message });
  }
  if (u.disabled) {
    await store.directory.updateAccount(account.id, { disabled: true });
    c.sum.createdDisabled++;
  }
  c.sum.created++;
  if (c.sum.createdList.length < MAX_LISTED) c.sum.createdList.push(u.address);
}
