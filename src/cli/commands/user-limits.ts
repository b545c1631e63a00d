// yubin user show|limits|unfreeze — an account's sending limits and freeze (src/postoffice/
// sending-limits.ts). Limits given here override the [limits] config for that account;
// "default" puts one back to the config's value.
import type { Config } from "../../config/schema.js";
import { effectiveLimits } from "../../postoffice/sending-limits.js";
import type { Account, SendingLimits, SendingPolicy, Store } from "../../store/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";

export const limitFlags: Record<string, keyof SendingLimits> = {
  "messages-per-hour": "messagesPerHour",
  "messages-per-day": "messagesPerDay",
  "recipients-per-hour": "recipientsPerHour",
  "recipients-per-day": "recipientsPerDay",
};

type Lookup = (store: Store) => Promise<Account>;

/** yubin user show ADDRESS */
export async function showUser(env: CliEnv, config: Config, args: ParsedArgs, lookup: Lookup): Promise<void> {
  onlyFlags(args, []);
  await withStore(config, async (store) => {
    const a = await lookup(store);
    const u = await store.mail.quotaUsage(a.id);
    print(env, `address: ${a.address}`);
    const adminOf = await store.directory.listAdminDomains(a.id);
    print(env, `admin: ${a.isAdmin ? "yes" : adminOf.length > 0 ? `of ${adminOf.join(", ")}` : "no"}`);
    print(env, `disabled: ${a.disabled ? "yes" : "no"}`);
    print(env, `usage: ${u.messages} messages, ${u.bytes} bytes`);
    printSending(env, config, await store.sending.getSendingPolicy(a.id));
  });
}

/** yubin user limits ADDRESS [--messages-per-hour N|default …] */
export async function setUserLimits(
  env: CliEnv,
  config: Config,
  args: ParsedArgs,
  lookup: Lookup,
): Promise<void> {
  onlyFlags(args, Object.keys(limitFlags));
  const patch: Partial<SendingPolicy["limits"]> = {};
  for (const [flag, key] of Object.entries(limitFlags)) {
    const v = args.flags.get(flag);
    if (v === undefined) continue;
    if (v === "default") patch[key] = null;
    else if (typeof v === "string" && /^\d{1,9}$/.test(v)) patch[key] = Number(v);
    else throw new UsageError(`--${flag} must be a whole number (0 = no limit) or "default"`);
  }
  await withStore(config, async (store) => {
    const a = await lookup(store);
    const policy =
      Object.keys(patch).length > 0
        ? await store.sending.setSendingLimits(a.id, patch)
        : await store.sending.getSendingPolicy(a.id);
    printSending(env, config, policy);
  });
}

/** yubin user unfreeze ADDRESS: lifts the freeze and releases the held mail. */
export async function unfreezeUser(
  env: CliEnv,
  config: Config,
  args: ParsedArgs,
  lookup: Lookup,
): Promise<void> {
  onlyFlags(args, []);
  await withStore(config, async (store) => {
    const a = await lookup(store);
    const policy = await store.sending.getSendingPolicy(a.id);
    if (policy.frozenAt === null) throw new CliError(`${a.address} is not frozen`, 1);
    const released = await store.sending.unfreezeSending(a.id, new Date());
    // A running server picks the released entries up at its next queue poll.
    print(env, `unfroze ${a.address}; ${released} held message(s) released for delivery`);
  });
}

function printSending(env: CliEnv, config: Config, policy: SendingPolicy): void {
  const effective = effectiveLimits(policy, config.limits);
  for (const [flag, key] of Object.entries(limitFlags)) {
    const own = policy.limits[key] === null ? " (default)" : "";
    const v = effective[key];
    print(env, `${flag}: ${v === 0 ? "unlimited" : v}${own}`);
  }
  print(
    env,
    policy.frozenAt === null
      ? "sending: allowed"
      : `sending: frozen since ${policy.frozenAt.toISOString()} (${policy.frozenReason})`,
  );
}
