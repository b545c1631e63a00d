// `yubin domain dns` prints our MX host's TLSA 3 1 1 record (and the staged next key's), and
// `--check` says which of them the DNS publishes. Real CLI processes on a fresh data directory;
// the expected digest is computed by openssl, not by the code under test.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCommand, YUBIN_BIN } from "../cli/test-cli.js";
import { createTestCa, type TestCa } from "../outbound/test-certs.js";
import { type DnsServer, type SecureZoneRecord, startDnsServer } from "../testing/dns-server.js";
import { commandSkip } from "../testing/requires.js";

const NAME = "_25._tcp.mail.a.test";

/** openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum */
function opensslSpkiSha256(certPath: string): string {
  const pub = execFileSync("openssl", ["x509", "-in", certPath, "-noout", "-pubkey"]);
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
  return execFileSync("openssl", ["dgst", "-sha256", "-r"], { input: der }).toString().split(" ")[0]!;
}

function opensslKeySha256(keyPath: string): string {
  const der = execFileSync("openssl", ["pkey", "-in", keyPath, "-pubout", "-outform", "der"]);
  return execFileSync("openssl", ["dgst", "-sha256", "-r"], { input: der }).toString().split(" ")[0]!;
}

describe("yubin domain dns: TLSA for DANE", { skip: commandSkip("openssl") }, () => {
  const dir = mkdtempSync(join(tmpdir(), "yubin-tlsa-cli-"));
  const config = join(dir, "yubin.toml");
  let dns: DnsServer;
  let ca: TestCa;
  let current = "";
  let next = "";
  const yubin = (args: string[]) =>
    runCommand(process.execPath, [YUBIN_BIN, "--config", config, ...args], { timeoutMs: 30000 });
  const tlsa = (hex: string): SecureZoneRecord => ({
    name: NAME,
    type: "TLSA",
    usage: 3,
    selector: 1,
    matchingType: 1,
    data: hex,
    secure: true,
  });
  const check = async () => {
    const r = await yubin(["domain", "dns", "a.test", "--check"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split("\n");
    const at = lines.findIndex((l) => l.includes(`\tTLSA\t${NAME}`));
    assert.ok(at >= 0, r.out);
    return lines.slice(at);
  };

  before(async () => {
    dns = await startDnsServer([]);
    ca = await createTestCa();
    const files = await ca.issueFiles(["mail.a.test"]);
    current = opensslSpkiSha256(files.cert);
    writeFileSync(
      config,
      `[server]\nhostname = "mail.a.test"\ndataDir = "${dir}"\n[tls]\ncert = "${files.cert}"\nkey = "${files.key}"\n[dns]\nservers = ${JSON.stringify(dns.servers)}\ntimeoutMs = 3000\ntries = 2\n`,
    );
    assert.equal((await yubin(["domain", "add", "a.test"])).code, 0);
  });
  after(async () => {
    await dns.stop();
    await ca.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test("prints _25._tcp.<mx> TLSA 3 1 1 with the SPKI digest openssl computes", async () => {
    const r = await yubin(["domain", "dns", "a.test"]);
    assert.equal(r.code, 0, r.err);
    const records = r.out.split("\n").filter((l) => l.includes(" IN TLSA "));
    assert.deepEqual(records, [`${NAME}. IN TLSA 3 1 1 ${current}`]);
  });

  test("with a staged next key, its record is printed too (pre-publish)", async () => {
    const keyPem = (await ca.issue(["mail.a.test"])).key;
    mkdirSync(join(dir, "acme"), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, "acme", "next-key.pem"), keyPem, { mode: 0o600 });
    next = opensslKeySha256(join(dir, "acme", "next-key.pem"));
    assert.notEqual(next, current);
    const r = await yubin(["domain", "dns", "a.test"]);
    assert.deepEqual(
      r.out.split("\n").filter((l) => l.includes(" IN TLSA ")),
      [`${NAME}. IN TLSA 3 1 1 ${current}`, `${NAME}. IN TLSA 3 1 1 ${next}`],
    );
  });

  test("--check: none, current (roll not yet safe), current + next, next only, mismatch", async () => {
    dns.set([], { ad: true });
    let out = await check();
    assert.equal(out[0], `missing\tTLSA\t${NAME}`);
    assert.match(out[1]!, /^;\tno TLSA published: DANE senders use opportunistic TLS/);
    assert.ok(dns.queries.includes(`${NAME.toLowerCase()} TLSA`));

    dns.set([tlsa(current)], {});
    out = await check();
    assert.deepEqual(out, [
      `warning\tTLSA\t${NAME}\tfound: 3 1 1 ${current}`,
      ";\tTLSA matches the current key",
      `;\tthe next key is not in the DNS yet: a roll now would make DANE senders defer mail to this server; publish ${NAME}. IN TLSA 3 1 1 ${next} and wait for the old record's TTL before the roll`,
    ]);

    dns.set([tlsa(current), tlsa(next)], {});
    out = await check();
    assert.deepEqual(out, [
      `ok\tTLSA\t${NAME}\tfound: 3 1 1 ${current} | 3 1 1 ${next}`,
      ";\tTLSA matches the current key",
      ";\tthe next key's record is published too: the key can roll",
    ]);

    dns.set([tlsa(next)], {});
    out = await check();
    assert.deepEqual(out, [
      `warning\tTLSA\t${NAME}\tfound: 3 1 1 ${next}`,
      `;\tTLSA matches only the next key: a roll now would be fine, but the current key is not published — publish ${NAME}. IN TLSA 3 1 1 ${current}`,
    ]);

    rmSync(join(dir, "acme", "next-key.pem"));
    dns.set([tlsa("ab".repeat(32))], {});
    out = await check();
    assert.deepEqual(out, [
      `different\tTLSA\t${NAME}\tfound: 3 1 1 ${"ab".repeat(32)}`,
      `;\tTLSA does not match the current key: DANE senders will defer mail to this server — publish ${NAME}. IN TLSA 3 1 1 ${current} (and remove the stale records)`,
    ]);

    // Published in an unsigned zone: matches, but senders will not use it.
    dns.set([{ ...tlsa(current), secure: false }], {});
    out = await check();
    assert.deepEqual(out, [
      `warning\tTLSA\t${NAME}\tfound: 3 1 1 ${current}`,
      ";\tTLSA matches the current key",
      ";\tthe answer was not DNSSEC-validated (no AD bit from the [dns] servers): senders ignore TLSA records in an unsigned zone",
    ]);
  });
});
