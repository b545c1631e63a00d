// yubin queue list|held|show|retry|release|delete|counts — the outbound queue (mail for other
// domains). Held entries (a frozen account's, or outbound mail the spam filter held) are never
// sent until released (src/postoffice/release-held.ts) or deleted.
import { releaseHeld } from "../../postoffice/release-held.js";
import { StoreError } from "../../store/errors.js";
import type { QueuedMessage } from "../../store/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";

const usage = "usage: yubin queue list | held | counts | show ID | retry ID|all | release ID | delete ID";

function line(q: QueuedMessage): string {
  const rcpts = q.recipients.map((r) => `${r.address}(${r.state})`).join(",");
  return `${q.id}\t${q.state}\t${q.createdAt.toISOString()}\t${q.size}\t<${q.mailFrom}>\t${rcpts}\tattempts=${q.attempts}${q.lastError ? `\t${q.lastError}` : ""}`;
}

export async function queueCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, []);
  const { config } = loadOrCreateConfig(env);
  const [sub, arg] = args.positional;
  const id = () => {
    const n = Number(arg);
    if (!arg || !Number.isSafeInteger(n) || n < 1) throw new UsageError(usage);
    return n;
  };
  switch (sub) {
    case "list":
    case "held":
      await withStore(config, async (store) => {
        const items = await store.queue.listQueue(sub === "held" ? { state: "held" } : {});
        for (const q of items) print(env, line(q));
        print(env, `${items.length} ${sub === "held" ? "held" : "queued"}`);
      });
      return;
    case "release":
      await withStore(config, async (store) => {
        try {
          await releaseHeld(store, id(), new Date());
        } catch (e) {
          if (e instanceof StoreError) throw new CliError(e.message, 1);
          throw e;
        }
        // A running server picks it up at its next queue poll.
        print(env, `released ${arg} for delivery`);
      });
      return;
    case "counts":
      await withStore(config, async (store) => {
        const counts = new Map<string, number>();
        for (const q of await store.queue.listQueue()) counts.set(q.state, (counts.get(q.state) ?? 0) + 1);
        for (const state of ["queued", "deferred", "sending", "held", "failed", "done"])
          print(env, `${state}\t${counts.get(state) ?? 0}`);
      });
      return;
    case "show":
      await withStore(config, async (store) => {
        const q = await store.queue.getQueued(id());
        if (!q) throw new CliError(`no queue entry ${arg}`, 1);
        print(env, `id: ${q.id}`);
        print(env, `state: ${q.state}`);
        print(env, `from: <${q.mailFrom}>`);
        print(env, `size: ${q.size}`);
        print(env, `created: ${q.createdAt.toISOString()}`);
        print(env, `next attempt: ${q.nextAttemptAt.toISOString()}`);
        print(env, `attempts: ${q.attempts}`);
        if (q.envId) print(env, `envid: ${q.envId}`);
        if (q.ret) print(env, `ret: ${q.ret}`);
        if (q.lastError) print(env, `last error: ${q.lastError}`);
        for (const r of q.recipients) {
          const dsn = [r.notify ? `notify=${r.notify.join(",")}` : "", r.orcpt ? `orcpt=${r.orcpt}` : ""]
            .filter(Boolean)
            .join(" ");
          print(
            env,
            `rcpt: ${r.address}\t${r.state}${dsn ? `\t${dsn}` : ""}${r.lastError ? `\t${r.lastError}` : ""}`,
          );
        }
      });
      return;
    case "retry":
      await withStore(config, async (store) => {
        // Due now; a running server picks it up at its next poll. Entries being sent keep their lease.
        const targets =
          arg === "all"
            ? (await store.queue.listQueue()).filter((q) => q.state === "deferred" || q.state === "queued")
            : [await store.queue.getQueued(id())];
        let n = 0;
        for (const q of targets) {
          if (!q) throw new CliError(`no queue entry ${arg}`, 1);
          if (q.state === "sending") throw new CliError(`queue entry ${q.id} is being sent`, 1);
          // Held: its account's sending is frozen (src/postoffice/sending-limits.ts); releasing one
          // message behind the freeze's back would defeat it.
          if (q.state === "held") {
            const frozen =
              q.accountId !== null && (await store.sending.getSendingPolicy(q.accountId)).frozenAt !== null;
            throw new CliError(
              frozen
                ? `queue entry ${q.id} is held: its account is frozen (yubin user unfreeze)`
                : `queue entry ${q.id} is held: release it with \`yubin queue release ${q.id}\``,
              1,
            );
          }
          await store.queue.updateQueued(q.id, { state: "queued", nextAttemptAt: new Date() });
          n++;
        }
        print(env, `${n} scheduled for retry`);
      });
      return;
    case "delete":
      await withStore(config, async (store) => {
        const q = await store.queue.getQueued(id());
        if (!q) throw new CliError(`no queue entry ${arg}`, 1);
        await store.queue.removeQueued(q.id);
        print(env, `deleted ${q.id}`);
      });
      return;
    default:
      throw new UsageError(usage);
  }
}
