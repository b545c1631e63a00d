import assert from "node:assert/strict";
import { pbkdf2Sync } from "node:crypto";
import { test } from "node:test";
import { cpuMsOf, cpuTimed } from "./cpu-time.js";

test("cpuTimed counts work and not waiting", async () => {
  const busy = await cpuTimed(() => pbkdf2Sync("p", "s", 200_000, 32, "sha256").length);
  assert.equal(busy.value, 32);
  assert.ok(busy.cpuMs > 5, `${busy.cpuMs} ms of CPU for 200,000 PBKDF2 rounds`);
  const idle = await cpuTimed(() => new Promise<string>((r) => setTimeout(() => r("slept"), 300)));
  assert.equal(idle.value, "slept");
  assert.ok(idle.cpuMs < 250, `${idle.cpuMs} ms of CPU while sleeping 300 ms`);
  const sync = cpuMsOf(() => pbkdf2Sync("p", "s", 200_000, 32, "sha256"));
  assert.ok(sync > 5, `${sync} ms of CPU for 200,000 PBKDF2 rounds`);
});
