// yubin queue list — the outbound queue (mail for other domains).
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { UsageError } from "../errors.js";

export async function queueCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, []);
  const { config } = loadOrCreateConfig(env);
  switch (args.positional[0]) {
    case "list":
      await withStore(config, async (store) => {
        const items = await store.queue.listQueue();
        for (const q of items) {
          const rcpts = q.recipients.map((r) => `${r.address}(${r.state})`).join(",");
          print(
            env,
            `${q.id}\t${q.state}\t${q.createdAt.toISOString()}\t${q.size}\t<${q.mailFrom}>\t${rcpts}\tattempts=${q.attempts}${q.lastError ? `\t${q.lastError}` : ""}`,
          );
        }
        print(env, `${items.length} queued`);
      });
      return;
    default:
      throw new UsageError("usage: yubin queue list");
  }
}
