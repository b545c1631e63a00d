// JMAP message-list benchmark: a mailbox of N messages (default 100,000), then the webmail's
// common calls timed through the JMAP request path (no HTTP): Email/query inMailbox + sort
// receivedAt desc at the first page, deep in the list, by anchor, with collapseThreads; the
// same query forced through the general (scanning) path for comparison; Mailbox/get with
// counts; Email/query + Email/get of one page.
// Usage: npm run bench:jmap -- [--count N] [--runs N] [--dir PATH]
// or env JMAP_BENCH_COUNT, JMAP_BENCH_RUNS, JMAP_BENCH_DIR.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { defaultConfig } from "../src/config/load.js";
import { handleJmapRequest } from "../src/jmap/index.js";
import { silentLogger } from "../src/log/logger.js";
import type { AppContext } from "../src/server/context.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

function option(name: string, env: string, def: number | string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.env[env];
  return v ?? String(def);
}
function intOption(name: string, env: string, def: number): number {
  const n = Number(option(name, env, def));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const count = intOption("count", "JMAP_BENCH_COUNT", 100_000);
const runs = intOption("runs", "JMAP_BENCH_RUNS", 20);
const root = mkdtempSync(join(option("dir", "JMAP_BENCH_DIR", tmpdir()), "yubin-jmap-bench-"));
const USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"];

/** Every 4th message replies to the one before, so threads have 1-2 messages. */
function message(n: number): Buffer {
  const reply = n % 4 === 1 ? `In-Reply-To: <b${n - 1}@bench.example>\r\n` : "";
  return Buffer.from(
    `From: Sender ${n % 97} <s${n % 97}@example.org>\r\nTo: bench@example.com\r\nSubject: bench message ${n}\r\n` +
      `Message-ID: <b${n}@bench.example>\r\n${reply}Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n` +
      `Body of message ${n}, some words to look like mail.\r\n`,
  );
}

async function main() {
  const notifier = new LocalNotifier();
  const store = await openSqliteStore({ dataDir: join(root, "data"), notifier });
  const ctx = {
    config: defaultConfig(),
    store,
    notifier,
    log: silentLogger,
  } as unknown as AppContext; // the JMAP request path reads only these
  try {
    await store.directory.addDomain("example.com");
    const acc = await store.directory.createAccount({ address: "bench@example.com", passwordHash: "x" });
    const inbox = (await store.mail.getMailbox(acc.id, "INBOX"))!;
    const t0 = performance.now();
    let next = 0;
    const start = Date.UTC(2020, 0, 1);
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < count) {
          const n = next++;
          // Deliveries commit out of order; the internal date gives the list its order.
          await store.mail.deliver(message(n), [{ accountId: acc.id }], {
            internalDate: new Date(start + n * 60_000),
          });
        }
      }),
    );
    const fillSec = (performance.now() - t0) / 1000;
    console.log(`filled INBOX with ${count} messages in ${fillSec.toFixed(1)} s`);

    const accountId = `A${acc.id}`;
    const F = `F${inbox.id}`;
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = await handleJmapRequest(ctx, acc.id, {
        using: USING,
        methodCalls: [[name, { accountId, ...args }, "0"]],
      });
      const [n, out] = r.methodResponses[0]!;
      if (n === "error") throw new Error(`${name}: ${JSON.stringify(out)}`);
      return out;
    };
    const time = async (
      label: string,
      fn: () => Promise<unknown>,
      before?: (i: number) => Promise<unknown>,
    ) => {
      await fn(); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        await before?.(i);
        const t = performance.now();
        await fn();
        ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      const p = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(2);
      console.log(`${label.padEnd(58)} median ${p(0.5)} ms  p90 ${p(0.9)} ms`);
    };
    const list = { filter: { inMailbox: F }, sort: [{ property: "receivedAt", isAscending: false }] };
    const first = await call("Email/query", { ...list, limit: 50, calculateTotal: true });
    if (first.total !== count) throw new Error(`total ${String(first.total)} != ${count}`);
    const mid = await call("Email/query", { ...list, position: Math.floor(count / 2), limit: 1 });
    const anchor = (mid.ids as string[])[0]!;

    console.log(`${runs} runs each, after one warm-up:`);
    await time("Email/query inMailbox, receivedAt desc, first 50 + total", () =>
      call("Email/query", { ...list, limit: 50, calculateTotal: true }),
    );
    await time(`Email/query same, position ${Math.floor(count / 2)}, 50`, () =>
      call("Email/query", { ...list, position: Math.floor(count / 2), limit: 50 }),
    );
    await time("Email/query same, anchor in the middle, 50", () =>
      call("Email/query", { ...list, anchor, limit: 50 }),
    );
    await time("Email/query same, collapseThreads, first 50 + total", () =>
      call("Email/query", { ...list, collapseThreads: true, limit: 50, calculateTotal: true }),
    );
    await time("Email/query + Email/get (list properties) of 50", async () => {
      const q = await call("Email/query", { ...list, limit: 50 });
      await call("Email/get", {
        ids: q.ids,
        properties: ["threadId", "mailboxIds", "keywords", "from", "subject", "receivedAt", "preview"],
      });
    });
    await time("Mailbox/get with counts, nothing changed (cached)", () => call("Mailbox/get", { ids: null }));
    await time(
      "Mailbox/get with counts after a flag change in INBOX",
      () => call("Mailbox/get", { ids: null }),
      (i) => store.mail.setFlags(inbox.id, [1 + i], { mode: "add", flags: ["\\Seen"] }),
    );
    const scanRuns = Math.min(runs, 3);
    const general = async () => {
      // minSize: 0 matches everything but takes the general path (a scan of the mailbox).
      await call("Email/query", { ...list, filter: { inMailbox: F, minSize: 0 }, limit: 50 });
    };
    const t = performance.now();
    for (let i = 0; i < scanRuns; i++) await general();
    console.log(
      `${"general path (filter inMailbox + minSize 0), first 50".padEnd(58)} mean ${((performance.now() - t) / scanRuns).toFixed(2)} ms (${scanRuns} runs)`,
    );
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
