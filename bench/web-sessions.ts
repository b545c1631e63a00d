// What a request pays for its login now that web sessions and JMAP tokens are in the store
// (issue 15): `TokenStore.account` (token hash → row, then the account row) and
// `SessionStore.get`, against the account read alone that every request made before (the
// in-memory map lookup it replaced cost well under a microsecond). Uses are not written back
// (touchEvery: at most once a minute per session), so this is the read path.
// Usage: node --import tsx bench/web-sessions.ts [--sessions N] [--calls N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createSessionStore } from "../src/http/session.js";
import { TokenStore } from "../src/jmap/http/tokens.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import type { Account } from "../src/store/types.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SESSIONS = arg("sessions", 2000);
const CALLS = arg("calls", 50_000);

const dir = mkdtempSync(join(tmpdir(), "yubin-bench-sessions-"));
const store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
try {
  await store.directory.addDomain("example.test");
  const accounts: Account[] = [];
  for (let i = 0; i < 1000; i++)
    accounts.push(
      await store.directory.createAccount({ address: `u${i}@example.test`, passwordHash: `h${i}` }),
    );
  const opts = {
    idleMs: 3_600_000,
    maxAgeMs: 86_400_000,
    maxSessions: SESSIONS * 2,
    maxPerAccount: SESSIONS,
  };
  const tokens = new TokenStore(store.webSessions, {
    ttlMs: opts.maxAgeMs,
    idleMs: opts.idleMs,
    maxTokens: opts.maxSessions,
    maxPerAccount: opts.maxPerAccount,
  });
  const sessions = createSessionStore(store.webSessions, opts);
  const jmap: string[] = [];
  const web: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const a = accounts[i % accounts.length]!;
    jmap.push(await tokens.issue(a));
    web.push((await sessions.create(a, "192.0.2.1")).token);
  }
  const time = async (name: string, fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 2000; i++) await fn(i); // warm up
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await fn(i);
    const us = ((performance.now() - t) * 1000) / CALLS;
    console.log(`${name.padEnd(44)} ${us.toFixed(1)} µs per request`);
  };
  console.log(`${SESSIONS} JMAP tokens and ${SESSIONS} web sessions stored, ${CALLS} calls each`);
  await time("account row alone (what every request read)", (i) =>
    store.directory.getAccount(accounts[i % accounts.length]!.id),
  );
  await time("TokenStore.account (token row + account row)", (i) =>
    tokens.account(jmap[i % jmap.length]!, store.directory),
  );
  await time("SessionStore.get (session row)", (i) => sessions.get(web[i % web.length]!));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
