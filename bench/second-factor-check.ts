// The cost two-factor login adds to a protocol login with the account password: the
// SecondFactors.enabled() check (two primary-key/indexed reads), per call, CPU and wall.
// Run: node --import tsx bench/second-factor-check.ts
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecondFactors } from "../src/auth/2fa/second-factors.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

const dir = await mkdtemp(join(tmpdir(), "w3-bench-"));
const { LocalNotifier } = await import("../src/store/notifier.js");
const store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
await store.directory.addDomain("example.test");
const a = await store.directory.createAccount({ address: "a@example.test", passwordHash: "x" });
const sf = new SecondFactors({ store: store.secondFactors, dataDir: dir });
for (let i = 0; i < 2000; i++) await sf.enabled(a.id);
const N = 20000;
const t0 = process.cpuUsage();
const w0 = performance.now();
for (let i = 0; i < N; i++) await sf.enabled(a.id);
const cpu = process.cpuUsage(t0);
console.log(
  `enabled(): ${(((performance.now() - w0) * 1000) / N).toFixed(1)} µs wall, ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU per call (N=${N})`,
);
await store.close();
await rm(dir, { recursive: true });
