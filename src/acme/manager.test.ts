// The renewal loop with a fake CA (the order function) and a settable clock: first order, files
// and modes, renewal at two thirds, the key kept, backoff after failures, names of a new domain,
// the expiry warning. The real CA is exercised in pebble.test.ts.
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import selfsigned from "selfsigned";
import { defaultConfig } from "../config/load.js";
import { silentLogger } from "../log/logger.js";
import { AcmeError } from "./errors.js";
import type { OrderRequest, OrderResult } from "./issue.js";
import { AcmeManager } from "./manager.js";

const DAY = 86_400_000;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Fake {
  orders: OrderRequest[];
  fail: AcmeError | null;
  reloads: number;
  clock: Date;
  domains: string[];
}

async function setup(acme: Record<string, unknown> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-acme-"));
  dirs.push(dataDir);
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  config.server.hostname = "mail.example.com";
  Object.assign(config.acme, { enabled: "on", retryMinSec: 300, retryMaxSec: 3600, warnDays: 20 }, acme);
  const fake: Fake = {
    orders: [],
    fail: null,
    reloads: 0,
    clock: new Date("2026-03-01T00:00:00Z"),
    domains: [],
  };
  const m = new AcmeManager({
    config,
    tls: { reload: () => fake.reloads++, setAlpnChallenge: () => {} },
    domains: async () => fake.domains,
    log: silentLogger,
    now: () => fake.clock,
    order: async (req): Promise<OrderResult> => {
      fake.orders.push(req);
      if (fake.fail) throw fake.fail;
      const pems = await selfsigned.generate([{ name: "commonName", value: req.names[0]! }], {
        keyType: "ec",
        curve: "P-256",
        keyPair: {
          privateKey: req.certKey,
          publicKey: createPublicKey(req.certKey).export({ type: "spki", format: "pem" }).toString(),
        },
        notBeforeDate: fake.clock,
        notAfterDate: new Date(fake.clock.getTime() + 90 * DAY),
        extensions: [
          { name: "subjectAltName", altNames: req.names.map((value) => ({ type: 2 as const, value })) },
        ],
      });
      return { chain: pems.cert, accountUrl: "https://ca.example/acct/1" };
    },
  });
  await m.start();
  return { m, fake, dataDir };
}

test("first start: orders for the names, writes 0600 files in a 0700 directory, reloads TLS", async () => {
  const { m, fake, dataDir } = await setup();
  fake.domains = ["example.com"];
  const s = await m.renew();
  await m.stop();
  assert.equal(fake.orders.length, 1);
  assert.deepEqual(fake.orders[0]!.names, [
    "mail.example.com",
    "autoconfig.example.com",
    "mta-sts.example.com",
  ]);
  assert.equal(s.state, "valid");
  assert.equal(fake.reloads, 1);
  assert.equal((await stat(join(dataDir, "acme"))).mode & 0o777, 0o700);
  for (const f of ["account.key", "cert.key", "cert.pem", "state.json"])
    assert.equal((await stat(join(dataDir, "acme", f))).mode & 0o777, 0o600, f);
  const state = JSON.parse(await readFile(join(dataDir, "acme", "state.json"), "utf8"));
  assert.equal(state.accounts[defaultConfig().acme.directoryUrl], "https://ca.example/acct/1");
});

test("renewal at two thirds of the lifetime, with the same key and the known account", async () => {
  const { m, fake } = await setup();
  await m.renew();
  const first = m.status();
  assert.equal(fake.orders.length, 1);
  fake.clock = new Date(fake.clock.getTime() + 59 * DAY);
  await m.renew();
  assert.equal(fake.orders.length, 1, "not due on day 59");
  fake.clock = new Date(fake.clock.getTime() + 2 * DAY);
  const s = await m.renew();
  await m.stop();
  assert.equal(fake.orders.length, 2, "due on day 61");
  assert.equal(fake.orders[1]!.certKey, fake.orders[0]!.certKey);
  assert.equal(fake.orders[1]!.accountUrl, "https://ca.example/acct/1");
  assert.notEqual(s.certificate?.serial, first.certificate?.serial);
  assert.equal(s.renewalDue?.getTime(), fake.clock.getTime() + Math.floor(90 * DAY * 0.67));
});

test("keyType rsa: an RSA key; switching the type makes a new key", async () => {
  const { m, fake } = await setup({ keyType: "rsa" });
  await m.renew();
  await m.stop();
  assert.equal(createPrivateKey(fake.orders[0]!.certKey).asymmetricKeyType, "rsa");
  assert.equal(createPrivateKey(fake.orders[0]!.accountKey).asymmetricKeyType, "ec");
});

test("reuseKey = false: a new key at each renewal", async () => {
  const { m, fake } = await setup({ reuseKey: false });
  await m.renew();
  await m.renew({ force: true });
  await m.stop();
  assert.notEqual(fake.orders[1]!.certKey, fake.orders[0]!.certKey);
});

test("failures back off exponentially, keep the last error, and a forced renewal goes through", async () => {
  const { m, fake } = await setup();
  fake.fail = new AcmeError("connection", "the ACME server could not reach http://mail.example.com/…");
  let s = await m.renew();
  assert.equal(s.state, "failing");
  assert.equal(s.failures, 1);
  assert.equal(s.lastError?.kind, "connection");
  assert.equal(s.nextCheck?.getTime(), fake.clock.getTime() + 300_000);
  // Within the backoff nothing is ordered, even without a certificate.
  await m.renew();
  assert.equal(fake.orders.length, 1);
  fake.clock = new Date(fake.clock.getTime() + 301_000);
  s = await m.renew();
  assert.equal(fake.orders.length, 2);
  assert.equal(s.nextCheck?.getTime(), fake.clock.getTime() + 600_000, "doubled");
  fake.fail = new AcmeError("rateLimited", "rate limited", 7200);
  fake.clock = new Date(fake.clock.getTime() + 601_000);
  s = await m.renew();
  assert.equal(s.failures, 3);
  // The next check stays hourly; the Retry-After holds the next order back.
  assert.equal(s.nextCheck?.getTime(), fake.clock.getTime() + 3_600_000);
  fake.fail = null;
  s = await m.renew({ force: true });
  await m.stop();
  assert.equal(s.state, "valid");
  assert.equal(s.failures, 0);
  assert.equal(s.lastError, null);
});

test("a new domain's names make the next check order again", async () => {
  const { m, fake } = await setup();
  await m.renew();
  fake.domains = ["example.org"];
  const s = await m.renew();
  await m.stop();
  assert.equal(fake.orders.length, 2);
  assert.deepEqual(s.certificate?.names.sort(), [
    "autoconfig.example.org",
    "mail.example.com",
    "mta-sts.example.org",
  ]);
});

test("from warnDays before expiry a failing renewal is a warning with the last error", async () => {
  const { m, fake } = await setup();
  await m.renew();
  assert.equal(m.status().warning, null);
  fake.fail = new AcmeError("dns", "the ACME server could not resolve mail.example.com");
  fake.clock = new Date(fake.clock.getTime() + 75 * DAY);
  const s = await m.renew();
  await m.stop();
  assert.match(
    s.warning ?? "",
    /expires in 15 days and has not been renewed — last error: the ACME server could not resolve/,
  );
});

test("over 100 names: several certificates with the same key, the host name in the first; files of dropped groups removed", async () => {
  const { m, fake, dataDir } = await setup();
  fake.domains = Array.from({ length: 75 }, (_, i) => `d${i}.example.net`);
  let s = await m.renew();
  assert.equal(fake.orders.length, 2);
  assert.deepEqual(
    fake.orders.map((o) => o.names.length),
    [100, 51],
  );
  assert.equal(fake.orders[0]!.names[0], "mail.example.com");
  assert.equal(fake.orders[1]!.certKey, fake.orders[0]!.certKey);
  assert.equal(s.certificates?.length, 2);
  assert.ok(existsSync(join(dataDir, "acme", "cert-2.pem")));
  // Nothing due: no order.
  await m.renew();
  assert.equal(fake.orders.length, 2);
  fake.domains = fake.domains.slice(0, 10);
  s = await m.renew();
  await m.stop();
  assert.equal(fake.orders.length, 3, "the first group's names changed");
  assert.equal(s.certificates?.length, 1);
  assert.equal(existsSync(join(dataDir, "acme", "cert-2.pem")), false);
});

test("an unreadable caFile is an error on the page, not a server that does not start", async () => {
  const { m } = await setup({ caFile: "/nonexistent/ca.pem" });
  const s = m.status();
  await m.stop();
  assert.equal(s.lastError?.kind, "config");
  assert.match(s.lastError?.message ?? "", /\[acme\] caFile \/nonexistent\/ca\.pem cannot be read \(ENOENT/);
});
