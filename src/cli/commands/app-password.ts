// yubin user app-password add|list|revoke — an account's per-device passwords (issue 15,
// src/auth/app-passwords.ts). `add` prints the secret once (it is stored only as a keyed hash)
// and, with --mobileconfig FILE, writes an Apple configuration profile that embeds it, for a new
// iPhone, iPad or Mac. A running server sees a new or revoked app password at once: both are
// rows in the shared database, and a revoked one's sessions end at their next command.
import { writeFile } from "node:fs/promises";
import { AppPasswords } from "../../auth/app-passwords.js";
import { clientEndpoints, displayNameFor } from "../../autoconfig/endpoints.js";
import { mobileconfigProfile } from "../../autoconfig/mobileconfig.js";
import type { Config } from "../../config/schema.js";
import { StoreError } from "../../store/errors.js";
import type { Account, AppPassword, AppPasswordScope, Store } from "../../store/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";

/** Flags that take a value (registered with the parser in main.ts). */
export const appPasswordValueFlags = ["name", "scopes", "mobileconfig"];

const SCOPES: readonly AppPasswordScope[] = ["imap", "pop3", "smtp", "jmap", "managesieve"];
/** Without --scopes: what a mail app needs to read and send. */
const DEFAULT_SCOPES: AppPasswordScope[] = ["imap", "smtp"];

const usage =
  "usage: yubin user app-password add ADDRESS --name NAME [--scopes imap,pop3,smtp,jmap,managesieve] [--mobileconfig FILE]\n" +
  "       yubin user app-password list ADDRESS\n" +
  "       yubin user app-password revoke ADDRESS ID";

type Lookup = (store: Store, address: string | undefined) => Promise<Account>;

function parseScopes(v: string | true | undefined): AppPasswordScope[] {
  if (v === undefined) return DEFAULT_SCOPES;
  if (v === true || v.trim() === "") throw new UsageError(`--scopes needs a list: ${SCOPES.join(",")}`);
  const out: AppPasswordScope[] = [];
  for (const raw of v.split(",")) {
    const s = raw.trim().toLowerCase() as AppPasswordScope;
    if (!SCOPES.includes(s))
      throw new UsageError(`unknown scope ${JSON.stringify(raw.trim())} (scopes: ${SCOPES.join(", ")})`);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "never");

function line(p: AppPassword): string {
  const used = p.lastUsedAt ? `${when(p.lastUsedAt)} from ${p.lastUsedIp ?? "?"}` : "never";
  return `${p.id}\t${p.name}\t${p.scopes.join(",")}\tcreated ${when(p.createdAt)}\tlast used ${used}`;
}

/** yubin user app-password SUB ADDRESS … (args.positional starts at SUB). */
export async function appPasswordCommand(
  env: CliEnv,
  config: Config,
  args: ParsedArgs,
  lookup: Lookup,
): Promise<void> {
  const [sub, address, ...rest] = args.positional;
  switch (sub) {
    case "add": {
      onlyFlags(args, appPasswordValueFlags);
      if (rest.length > 0) throw new UsageError(usage);
      const name = args.flags.get("name");
      if (typeof name !== "string" || name.trim() === "") throw new UsageError("--name NAME is required");
      const scopes = parseScopes(args.flags.get("scopes"));
      const out = args.flags.get("mobileconfig");
      if (out === true) throw new UsageError("--mobileconfig needs a FILE");
      if (out !== undefined && !scopes.includes("smtp"))
        throw new UsageError("--mobileconfig needs the smtp scope (the profile sets up sending too)");
      if (out !== undefined && !scopes.includes("imap") && !scopes.includes("pop3"))
        throw new UsageError("--mobileconfig needs the imap or pop3 scope");
      await withStore(config, async (store) => {
        const account = await lookup(store, address);
        const made = await new AppPasswords({
          store: store.appPasswords,
          dataDir: config.server.dataDir,
          maxPerAccount: config.auth.appPasswordsMax,
        })
          .create(account.id, { name, scopes })
          .catch((e: unknown) => {
            if (e instanceof StoreError && (e.code === "invalid" || e.code === "quota"))
              throw new CliError(e.message, e.code === "invalid" ? 2 : 1);
            throw e;
          });
        if (out !== undefined) {
          const domain = account.address.slice(account.address.lastIndexOf("@") + 1);
          const profile = mobileconfigProfile(clientEndpoints(config), {
            email: account.address,
            displayName: displayNameFor(config, domain),
            appPassword: { id: made.appPassword.id, secret: made.secret, scopes },
          });
          if (profile === null) {
            await store.appPasswords.revoke(account.id, made.appPassword.id);
            throw new CliError("no IMAP/POP3 and submission listener to put in a profile; nothing made");
          }
          // It holds the secret: readable by its owner only, and never overwriting a file.
          await writeFile(out, profile, { mode: 0o600, flag: "wx" }).catch(async (e: unknown) => {
            await store.appPasswords.revoke(account.id, made.appPassword.id);
            throw new CliError(`cannot write ${out}: ${(e as Error).message}; nothing made`);
          });
        }
        print(
          env,
          `app password ${made.appPassword.id} "${made.appPassword.name}" for ${account.address} (${made.appPassword.scopes.join(",")}):`,
        );
        print(env, made.secret);
        print(env, "It is shown only this once.");
        if (scopes.includes("managesieve"))
          print(env, "note: the managesieve scope is kept, but this server has no ManageSieve service yet");
        if (out !== undefined) print(env, `profile written to ${out}`);
      });
      return;
    }
    case "list": {
      onlyFlags(args, []);
      if (rest.length > 0) throw new UsageError(usage);
      await withStore(config, async (store) => {
        const account = await lookup(store, address);
        for (const p of await store.appPasswords.list(account.id)) print(env, line(p));
      });
      return;
    }
    case "revoke": {
      onlyFlags(args, []);
      const [idText, ...more] = rest;
      if (more.length > 0 || idText === undefined) throw new UsageError(usage);
      if (!/^[1-9]\d{0,14}$/.test(idText))
        throw new UsageError(`malformed app password id ${JSON.stringify(idText)}`);
      await withStore(config, async (store) => {
        const account = await lookup(store, address);
        if (!(await store.appPasswords.revoke(account.id, Number(idText))))
          throw new CliError(`${account.address} has no app password ${idText}`);
        print(
          env,
          `revoked app password ${idText} of ${account.address}; its sessions end at their next command`,
        );
      });
      return;
    }
    default:
      throw new UsageError(usage);
  }
}
