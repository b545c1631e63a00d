// `yubin domain add` (keys), `yubin domain dns`, `yubin dkim list|rotate|remove` as a user runs
// them: real processes on a fresh config and data directory.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type DnsServer, startDnsServer } from "../../testing/dns-server.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-dkim-cli-"));
const config = join(dir, "yubin.toml");
const year = new Date().getUTCFullYear();
let dns: DnsServer;

before(async () => {
  dns = await startDnsServer([]);
  writeFileSync(
    config,
    `[server]\nhostname = "mail.a.test"\ndataDir = "${dir}"\n[dns]\nservers = ${JSON.stringify(dns.servers)}\ntimeoutMs = 3000\ntries = 2\n`,
  );
});
after(async () => {
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Asynchronous, so the DNS server in this process can answer the child's queries.
const yubin = (args: string[]) =>
  runCommand(process.execPath, [YUBIN_BIN, "--config", config, ...args], { timeoutMs: 30000 });

describe("yubin dkim and domain dns", () => {
  test("domain add creates 0600 keys; dkim list shows them signing", async () => {
    assert.deepEqual(await yubin(["domain", "add", "a.test"]), {
      code: 0,
      out: "added domain a.test\n",
      err: "",
    });
    const keyDir = join(dir, "dkim", "a.test");
    assert.deepEqual(readdirSync(keyDir).sort(), [`y${year}a-ed.key`, `y${year}a-rsa.key`]);
    for (const f of readdirSync(keyDir)) assert.equal(statSync(join(keyDir, f)).mode & 0o777, 0o600);
    assert.deepEqual(await yubin(["dkim", "list"]), {
      code: 0,
      out: `a.test\ty${year}a-ed\ted25519-sha256\tsigning\na.test\ty${year}a-rsa\trsa-sha256\tsigning\n`,
      err: "",
    });
  });

  test("domain dns prints every record as zone lines with comments", async () => {
    const r = await yubin(["domain", "dns", "a.test"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split("\n");
    const records = lines.filter((l) => !l.startsWith(";"));
    assert.deepEqual(
      records.map((l) => l.split(" ").slice(0, 3).join(" ")),
      [
        "a.test. IN MX",
        "a.test. IN TXT",
        "mail.a.test. IN TXT",
        `y${year}a-ed._domainkey.a.test. IN TXT`,
        `y${year}a-rsa._domainkey.a.test. IN TXT`,
        "_dmarc.a.test. IN TXT",
        "_mta-sts.a.test. IN TXT",
        "mta-sts.a.test. IN CNAME",
        "_smtp._tls.a.test. IN TXT",
        "_submissions._tcp.a.test. IN SRV",
        "_submission._tcp.a.test. IN SRV",
        "_imaps._tcp.a.test. IN SRV",
        "_imap._tcp.a.test. IN SRV",
        "_pop3s._tcp.a.test. IN SRV",
        "_pop3._tcp.a.test. IN SRV",
        "_sieve._tcp.a.test. IN SRV",
        "autoconfig.a.test. IN CNAME",
      ],
    );
    assert.ok(records.includes("a.test. IN MX 10 mail.a.test."));
    assert.ok(
      records.includes('_dmarc.a.test. IN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@a.test"'),
    );
    assert.equal(lines[0], "; mx: where mail for the domain goes (RFC 5321 §5)");
    assert.ok(lines.includes(";   mode: testing"));
    assert.deepEqual(await yubin(["domain", "dns", "nope.test"]), {
      code: 1,
      out: "",
      err: "yubin: unknown domain nope.test\n",
    });
  });

  test("domain dns --check compares with what DNS holds", async () => {
    dns.set([
      { name: "a.test", type: "MX", exchange: "mail.a.test", priority: 10 },
      { name: "a.test", type: "TXT", value: "v=spf1 -all" },
    ]);
    const r = await yubin(["domain", "dns", "a.test", "--check"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split("\n");
    assert.equal(lines[0], "ok\tMX\ta.test");
    assert.equal(lines[1], "different\tTXT\ta.test\tfound: v=spf1 -all");
    assert.equal(lines[2], "missing\tTXT\tmail.a.test");
    assert.ok(dns.queries.includes("a.test MX"));
  });

  test("rotate: new selector signs, the old stays until removed; the signing key cannot be removed", async () => {
    const r = await yubin(["dkim", "rotate", "a.test"]);
    assert.equal(r.code, 0, r.err);
    const out = r.out.trimEnd().split("\n");
    assert.match(out[0]!, /^; new DKIM keys for a\.test/);
    assert.match(
      out[2]!,
      new RegExp(`^y${year}b-ed\\._domainkey\\.a\\.test\\. IN TXT "v=DKIM1; k=ed25519; p=`),
    );
    assert.match(out[3]!, new RegExp(`^y${year}b-rsa\\._domainkey\\.a\\.test\\. IN TXT "v=DKIM1; k=rsa; p=`));
    assert.equal(out.length, 4);
    assert.equal(
      (await yubin(["dkim", "list", "a.test"])).out,
      [
        `a.test\ty${year}b-ed\ted25519-sha256\tsigning`,
        `a.test\ty${year}b-rsa\trsa-sha256\tsigning`,
        `a.test\ty${year}a-ed\ted25519-sha256\told`,
        `a.test\ty${year}a-rsa\trsa-sha256\told`,
        "",
      ].join("\n"),
    );
    assert.deepEqual(await yubin(["dkim", "remove", "a.test", `y${year}b-ed`]), {
      code: 1,
      out: "",
      err: `yubin: y${year}b-ed is the signing key: rotate first\n`,
    });
    assert.deepEqual(await yubin(["dkim", "remove", "a.test", `y${year}a-ed`]), {
      code: 0,
      out: `removed DKIM key y${year}a-ed of a.test; its DNS record can go too\n`,
      err: "",
    });
    assert.deepEqual(await yubin(["dkim", "remove", "a.test", "../../yubin"]), {
      code: 1,
      out: "",
      err: "yubin: no DKIM key ../../yubin for a.test\n",
    });
    assert.deepEqual(await yubin(["dkim", "rotate", "nope.test"]), {
      code: 1,
      out: "",
      err: "yubin: unknown domain nope.test\n",
    });
    assert.equal((await yubin(["dkim", "frobnicate"])).code, 2);
  });
});
