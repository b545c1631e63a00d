import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { test } from "node:test";
import { freePort, onFreePort } from "./net.js";

test("freePort: bindable ports outside the kernel's ephemeral range, never the same one twice", async () => {
  const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "latin1")
    .trim()
    .split(/\s+/)
    .map(Number);
  const ports: number[] = [];
  for (let i = 0; i < 50; i++) ports.push(await freePort());
  assert.equal(new Set(ports).size, ports.length, ports.join(" "));
  for (const p of ports) assert.ok(p >= 10_000 && (p < lo! || p > hi!), `${p} in ${lo}-${hi}`);
  // Each is free: a server binds it.
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(ports[0], "127.0.0.1", resolve);
  });
  await new Promise((r) => s.close(r));
});

test("onFreePort: another port when the first was taken in between (EADDRINUSE), other errors at once", async () => {
  const tried: number[] = [];
  const { port, value } = await onFreePort(async (p) => {
    tried.push(p);
    if (tried.length === 1) throw Object.assign(new Error("taken"), { code: "EADDRINUSE" });
    return "started";
  });
  assert.equal(value, "started");
  assert.equal(tried.length, 2);
  assert.equal(port, tried[1]);
  assert.notEqual(tried[0], tried[1]);
  let calls = 0;
  await assert.rejects(
    onFreePort(async () => {
      calls++;
      throw Object.assign(new Error("denied"), { code: "EACCES" });
    }),
    /denied/,
  );
  assert.equal(calls, 1);
});
