// yubin user add|passwd|list|show|limits|unfreeze|admin|disable|enable|remove (show, limits, unfreeze:
// user-limits.ts; admin: user-admin.ts)
import { hashPassword } from "../../auth/password.js";
import { normalizeDomain, parseAddress } from "../../delivery/address.js";
import type { Store } from "../../store/types.js";
import { intFlag, onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { readNewPassword } from "../password-input.js";
import { appPasswordCommand } from "./app-password.js";
import { twoFactorCommand } from "./two-factor.js";
import { setAdminRole } from "./user-admin.js";
import { setUserLimits, showUser, unfreezeUser } from "./user-limits.js";

const usage =
  "usage: yubin user add|passwd|list|show|remove ADDRESS [--password-stdin]\n" +
  "       yubin user disable|enable ADDRESS  (a disabled account gets no mail and cannot log in; its sessions end at once)\n" +
  "       yubin user limits ADDRESS [--messages-per-hour N] [--messages-per-day N] [--recipients-per-hour N] [--recipients-per-day N] (N or default)\n" +
  "       yubin user unfreeze ADDRESS\n" +
  "       yubin user admin ADDRESS --domain D [--domain D2 …] | --global | --none  (administrator role)\n" +
  "       yubin user app-password add|list|revoke ADDRESS …  (per-device passwords)\n" +
  "       yubin user 2fa status|reset ADDRESS  (two-factor login)";

export async function userCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, target, ...rest] = args.positional;
  if (sub === "app-password") {
    const { config } = loadOrCreateConfig(env);
    const sub2 = { positional: args.positional.slice(1), flags: args.flags };
    return appPasswordCommand(env, config, sub2, (store, a) => mustGetAccount(store, checkAddress(a)));
  }
  if (sub === "2fa") {
    const { config } = loadOrCreateConfig(env);
    const sub2 = { positional: args.positional.slice(1), flags: args.flags };
    return twoFactorCommand(env, sub2, (fn, a) =>
      withStore(config, async (store) => fn(store, await mustGetAccount(store, checkAddress(a)))),
    );
  }
  if (rest.length > 0) throw new UsageError(usage);
  const { config } = loadOrCreateConfig(env);
  switch (sub) {
    case "add": {
      onlyFlags(args, ["password-stdin", "password", "quota-bytes", "quota-messages", "admin"]);
      const address = checkAddress(target);
      const quotaBytes = intFlag(args, "quota-bytes") ?? config.quota.defaultBytes;
      const quotaMessages = intFlag(args, "quota-messages") ?? config.quota.defaultMessages;
      await withStore(config, async (store) => {
        const domain = address.split("@")[1]!;
        if (!(await store.directory.getDomain(domain)))
          throw new CliError(`unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``);
        if (await store.directory.getAccountByAddress(address))
          throw new CliError(`user ${address} already exists`);
        if (await store.directory.getAlias(address)) throw new CliError(`${address} is already an alias`);
        const password = await readNewPassword(args, env.io);
        await store.directory.createAccount({
          address,
          passwordHash: await hashPassword(password),
          quotaBytes,
          quotaMessages,
          isAdmin: args.flags.has("admin"),
        });
      });
      print(env, `added user ${address}`);
      return;
    }
    case "passwd": {
      onlyFlags(args, ["password-stdin", "password"]);
      const address = checkAddress(target);
      await withStore(config, async (store) => {
        const account = await mustGetAccount(store, address);
        const password = await readNewPassword(args, env.io);
        await store.directory.updateAccount(account.id, { passwordHash: await hashPassword(password) });
      });
      print(env, `password changed for ${address}`);
      return;
    }
    case "list": {
      onlyFlags(args, []);
      await withStore(config, async (store) => {
        const frozen = await store.sending.listFrozen();
        for (const a of await store.directory.listAccounts(target?.toLowerCase())) {
          const u = await store.mail.quotaUsage(a.id);
          const quota = a.quotaBytes ? `/${a.quotaBytes}` : "";
          const adminOf = await store.directory.listAdminDomains(a.id);
          const marks = [
            a.isAdmin ? "admin" : adminOf.length > 0 ? `admin of ${adminOf.join(" ")}` : "",
            a.disabled ? "disabled" : "",
            frozen.has(a.id) ? "frozen" : "",
          ]
            .filter(Boolean)
            .join(",");
          print(
            env,
            `${a.address}\t${u.messages} messages\t${u.bytes}${quota} bytes${marks ? `\t${marks}` : ""}`,
          );
        }
      });
      return;
    }
    case "show":
      return showUser(env, config, args, (store) => mustGetAccount(store, checkAddress(target)));
    case "limits":
      return setUserLimits(env, config, args, (store) => mustGetAccount(store, checkAddress(target)));
    case "unfreeze":
      return unfreezeUser(env, config, args, (store) => mustGetAccount(store, checkAddress(target)));
    case "admin":
      return setAdminRole(env, config, args, (store) => mustGetAccount(store, checkAddress(target)));
    case "disable":
    case "enable": {
      // The running server notices within a second (store: login_changes, polled) and ends the
      // account's IMAP, POP3, SMTP, ManageSieve, push and web sessions (auth/login-recheck.ts).
      onlyFlags(args, []);
      const address = checkAddress(target);
      await withStore(config, async (store) => {
        const account = await mustGetAccount(store, address);
        await store.directory.updateAccount(account.id, { disabled: sub === "disable" });
      });
      print(env, `${sub}d user ${address}`);
      return;
    }
    case "remove": {
      onlyFlags(args, []);
      const address = checkAddress(target);
      await withStore(config, async (store) => {
        const account = await mustGetAccount(store, address);
        await store.directory.removeAccount(account.id);
      });
      print(env, `removed user ${address} and its mail`);
      return;
    }
    default:
      throw new UsageError(usage);
  }
}

/** Validate an account address and return it with the domain lower-cased. */
export function checkAddress(s: string | undefined): string {
  if (!s) throw new UsageError("expected an ADDRESS (user@domain)");
  const p = parseAddress(s);
  if (!p) throw new CliError(`malformed address: ${JSON.stringify(s)}`);
  return `${p.local}@${normalizeDomain(p.domain)}`;
}

async function mustGetAccount(store: Store, address: string) {
  const a = await store.directory.getAccountByAddress(address);
  if (!a) throw new CliError(`unknown user ${address}`);
  return a;
}
