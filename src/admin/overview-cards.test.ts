// The overview's status cards: when each turns red or amber, and that a red one says what to do.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { defaultConfig } from "../config/load.js";
import { createTlsProvider } from "../server/tls.js";
import { certificateCard, errorsCard, loginCard, queueCard, renderCards } from "./overview-cards.js";

const now = new Date("2026-12-07T08:00:00Z");

test("queue: red when the oldest waits longer than the limit, amber while some are deferred", () => {
  const ok = queueCard({ count: 0, deferred: 0, oldest: null }, { now, alertHours: 6 });
  assert.equal(ok.state, "ok");
  assert.equal(ok.todo, undefined);
  const retrying = queueCard(
    { count: 3, deferred: 2, oldest: new Date(now.getTime() - 30 * 60_000) },
    { now, alertHours: 6 },
  );
  assert.equal(retrying.state, "warn");
  assert.match(String(retrying.status), /3 message\(s\) waiting, 2 deferred, the oldest 30 min old/);
  const stuck = queueCard(
    { count: 3, deferred: 0, oldest: new Date(now.getTime() - 7 * 3_600_000) },
    { now, alertHours: 6 },
  );
  assert.equal(stuck.state, "red");
  assert.match(String(stuck.status), /the oldest 7\.0 h old/);
  assert.match(String(stuck.todo), /href="\/admin\/queue"/);
  assert.match(String(stuck.todo), /DNS/);
});

test("logins: red from the threshold, this hour or the one before", () => {
  assert.equal(loginCard({ failed: 10, throttled: 5, previous: 0 }, { alertPerHour: 100 }).state, "ok");
  const now1 = loginCard({ failed: 60, throttled: 40, previous: 0 }, { alertPerHour: 100 });
  assert.equal(now1.state, "red");
  assert.match(String(now1.todo), /href="\/admin\/throttle"/);
  assert.equal(loginCard({ failed: 0, throttled: 0, previous: 150 }, { alertPerHour: 100 }).state, "red");
});

test("server health: red after an uncaught error, amber after event-loop blocks", () => {
  const fine = errorsCard({ uncaughtErrors: 0, loopBlocks: 0, longestBlockMs: 0 });
  assert.equal(fine.state, "ok");
  assert.equal(errorsCard({ uncaughtErrors: 0, loopBlocks: 2, longestBlockMs: 900 }).state, "warn");
  const bad = errorsCard({ uncaughtErrors: 1, loopBlocks: 0, longestBlockMs: 0 });
  assert.equal(bad.state, "red");
  assert.match(String(bad.todo), /stack/);
});

test("certificate: self-signed is amber; an unreadable one red", async () => {
  // A self-signed certificate for mail.example.test, made as the server makes it at first start.
  const dir = await mkdtemp(join(tmpdir(), "yubin-card-"));
  try {
    const config = defaultConfig();
    config.server.dataDir = dir;
    config.server.hostname = "mail.example.test";
    const tls = await createTlsProvider(config);
    const card = certificateCard(tls.pem().cert, { hostname: "mail.example.test", now: new Date() });
    assert.equal(card.state, "warn");
    assert.match(String(card.status), /self-signed/);
    const elsewhere = certificateCard(tls.pem().cert, { hostname: "other.example.test", now: new Date() });
    assert.equal(elsewhere.state, "red");
    assert.match(String(elsewhere.status), /does not cover other\.example\.test/);
    const late = certificateCard(tls.pem().cert, {
      hostname: "mail.example.test",
      now: new Date(Date.now() + 100 * 365 * 86_400_000),
    });
    assert.equal(late.state, "red");
    assert.match(String(late.status), /^Expired/);
    const acme = {
      directoryUrl: "https://ca.example/dir",
      names: ["mail.example.test"],
      challenges: ["http-01"],
      state: "failing" as const,
      certificate: null,
      lastRenewal: new Date("2026-11-01T00:00:00Z"),
      lastError: { at: new Date(), kind: "dns", message: "mail.example.test does not point at this server" },
      failures: 3,
      renewalDue: null,
      nextCheck: null,
      warning: null,
      keyPath: "/x",
    };
    const failing = certificateCard(tls.pem().cert, { hostname: "mail.example.test", now: new Date(), acme });
    assert.equal(failing.state, "red");
    assert.match(String(failing.todo), /ACME says: dns: mail\.example\.test does not point at this server/);
    assert.match(String(failing.status), /Renewed by ACME 2026-11-01\./);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const broken = certificateCard("not a certificate", { hostname: "x", now });
  assert.equal(broken.state, "red");
});

test("cards render with their state class and escaped text", () => {
  const out = renderCards([
    { id: "card-x", title: "<Queue>", state: "red", status: "a & b", todo: "do <this>" },
  ]).value;
  assert.match(
    out,
    /<section class="card card-red" id="card-x"><h3>&lt;Queue&gt; <span class="state">Action needed<\/span>/,
  );
  assert.match(out, /<p>a &amp; b<\/p><p class="todo">do &lt;this&gt;<\/p>/);
});
