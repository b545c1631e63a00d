// yubin spam train|forget|status|check — the statistical classifier's training (src/spam/
// classifier) from an admin's corpus: an account's folder (its model and the global one) or an
// mbox file (the global model), its state, and a message scored from stdin. What users do in
// their mail clients trains it too, while the server runs (src/spam/training/trainer.ts).
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import type { FilterInput } from "../../postoffice/types.js";
import { classify } from "../../spam/classifier/classify.js";
import { messageTokens } from "../../spam/classifier/tokens.js";
import { trainMessage } from "../../spam/classifier/train.js";
import { buildMessageView } from "../../spam/message-view.js";
import { bayesSignals } from "../../spam/rules/index.js";
import { ruleSignals, scored } from "../../spam/score.js";
import { readMbox } from "../../spam/training/mbox.js";
import type { SpamClass, Store } from "../../store/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { spamListsCommand, spamListsSubcommands, spamListsUsage } from "./spam-lists.js";

const usage = `usage: yubin spam train --as spam|ham (--account ADDRESS --folder NAME | --mbox FILE)
       yubin spam forget (--account ADDRESS --folder NAME | --mbox FILE)
       yubin spam status
       yubin spam check [--account ADDRESS] < message.eml
${spamListsUsage.replace("usage: ", "       ")}`;

export const spamValueFlags = ["as", "account", "folder", "mbox"];

type Outcome = Awaited<ReturnType<typeof trainMessage>>;

export async function spamCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, extra] = args.positional;
  if ((spamListsSubcommands as readonly string[]).includes(sub ?? "")) return spamListsCommand(env, args);
  const { config } = loadOrCreateConfig(env);
  if (extra !== undefined) throw new UsageError(usage);
  switch (sub) {
    case "train":
    case "forget": {
      onlyFlags(args, sub === "train" ? ["as", "account", "folder", "mbox"] : ["account", "folder", "mbox"]);
      const as = sub === "forget" ? null : classFlag(args);
      const mbox = stringFlag(args, "mbox");
      const account = stringFlag(args, "account");
      const folder = stringFlag(args, "folder");
      if (
        (mbox === undefined) === (account === undefined) ||
        (account === undefined) !== (folder === undefined)
      )
        throw new UsageError(usage);
      const counts = new Map<Outcome | "skipped", number>();
      const count = (k: Outcome | "skipped") => counts.set(k, (counts.get(k) ?? 0) + 1);
      if (mbox !== undefined) {
        // Opened before the store, so an unreadable file is a clear error and nothing else.
        const fh = await open(mbox, "r").catch((e: NodeJS.ErrnoException) => {
          throw new CliError(`cannot read ${mbox}: ${e.code ?? e.message}`, 2);
        });
        if (!(await fh.stat()).isFile()) {
          await fh.close();
          throw new CliError(`cannot read ${mbox}: not a file`, 2);
        }
        await withStore(config, async (store) => {
          const input = fh.createReadStream({ highWaterMark: 256 * 1024 });
          for await (const item of readMbox(input, { maxMessageBytes: config.smtp.maxMessageSize })) {
            if (!("body" in item)) {
              count("skipped");
              continue;
            }
            // A corpus message has no blob in our store: its key is a hash of its bytes.
            const key = createHash("sha256").update(item.body).digest("hex");
            count(await trainMessage(store.spam, { accountId: 0, key, as, body: item.body }));
          }
        });
      } else {
        await withStore(config, async (store) => {
          const { accountId, mailboxId } = await findFolder(store, account!, folder!);
          for (const m of await store.mail.listMessages(mailboxId)) {
            const body = await store.mail.readBody(m.blobId);
            count(await trainMessage(store.spam, { accountId, key: m.blobId, as, body }));
          }
        });
      }
      const order: (Outcome | "skipped")[] = ["trained", "retrained", "forgotten", "unchanged", "skipped"];
      const parts = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`);
      if (counts.has("skipped")) parts[parts.length - 1] += ` (over smtp.maxMessageSize)`;
      print(env, parts.length > 0 ? parts.join(", ") : "no messages");
      return;
    }
    case "status":
      onlyFlags(args, []);
      await withStore(config, async (store) => {
        const stats = await store.spam.modelStats();
        const global = await store.spam.modelTotals(0);
        print(env, `filter: ${config.spam.enabled ? "enabled" : "disabled"}`);
        print(env, `models: ${stats.models}`);
        print(env, `tokens: ${stats.tokens}`);
        print(env, `global model: ${global.spam} spam, ${global.ham} ham`);
        const cap = (n: number) => (n === 0 ? "no limit" : String(n));
        print(
          env,
          `token caps: global ${cap(config.spam.maxTokensGlobal)}, per user ${cap(config.spam.maxTokensPerUser)}`,
        );
        const expiry = await store.spam.lastExpiry();
        print(
          env,
          `last expiry: ${expiry ? `${expiry.at.toISOString()}, ${expiry.removed} removed` : "none"}`,
        );
      });
      return;
    case "check": {
      onlyFlags(args, ["account"]);
      const account = stringFlag(args, "account");
      const body = await readStdin(env, config.smtp.maxMessageSize);
      await withStore(config, async (store) => {
        let accountId: number | null = null;
        if (account !== undefined) {
          const a = await store.directory.getAccountByAddress(account);
          if (!a) throw new CliError(`no account ${account}`, 2);
          accountId = a.id;
        }
        const view = buildMessageView(body, { maxTextBytes: config.spam.maxScanBytes });
        const c = await classify(store.spam, { accountId }, messageTokens(view));
        print(env, `probability: ${c.probability.toFixed(4)}`);
        print(env, `ready: ${c.ready ? "yes" : "no (the models hold too little training to judge)"}`);
        print(env, `clues: ${c.clues}`);
        // The filter's local part: its rule families and the classifier's BAYES_* signal, as for
        // mail arriving on port 25 — without what only a connection has (DNS lists, SPF/DKIM/
        // DMARC results, the connection screen) or the other sources (rspamd, URI lists).
        const input: FilterInput = {
          door: "inbound",
          id: "cli-check",
          mailFrom: "",
          recipients: [],
          body,
          accountIds: accountId === null ? [] : [accountId],
          accountId: null,
          origin: { kind: "local" },
          screen: null,
          auth: null,
        };
        const r = scored([
          ...ruleSignals(input, view, { outbound: false, now: new Date() }),
          ...bayesSignals(c),
        ]);
        print(
          env,
          `score: ${r.score.toFixed(1)} (local rules and the classifier; junkScore ${config.spam.junkScore})`,
        );
        print(env, `tests: ${r.signals.map((x) => `${x.name}=${x.score}`).join(",") || "none"}`);
      });
      return;
    }
    default:
      throw new UsageError(usage);
  }
}

function classFlag(args: ParsedArgs): SpamClass {
  const v = args.flags.get("as");
  if (v !== "spam" && v !== "ham") throw new UsageError("--as must be spam or ham");
  return v;
}

function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

async function findFolder(
  store: Store,
  address: string,
  folder: string,
): Promise<{ accountId: number; mailboxId: number }> {
  const a = await store.directory.getAccountByAddress(address);
  if (!a) throw new CliError(`no account ${address}`, 2);
  const box = await store.mail.getMailbox(a.id, folder);
  if (!box) throw new CliError(`${address} has no folder ${JSON.stringify(folder)}`, 2);
  return { accountId: a.id, mailboxId: box.id };
}

/** The message on stdin, refused beyond the server's own size limit. */
async function readStdin(env: CliEnv, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of env.io.stdin as AsyncIterable<Buffer | string>) {
    const b = typeof c === "string" ? Buffer.from(c) : c;
    total += b.length;
    if (total > max) throw new CliError(`message on stdin is larger than smtp.maxMessageSize (${max})`, 2);
    chunks.push(b);
  }
  if (total === 0) throw new UsageError("no message on stdin");
  return Buffer.concat(chunks, total);
}
