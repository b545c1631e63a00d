// Dovecot users from a passwd-file: the hashes are made by Dovecot's own `doveadm pw`; after the
// import the users log in to Yubin with their old passwords over IMAP (imapflow) and POP3
// (Python's poplib), and the same file, given to a private Dovecot as its passdb, lets them log
// in there too (so the file is real Dovecot input, not a format of our own).
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { dovecotSkip, type PrivateDovecot, startDovecot } from "../testing/dovecot.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { importPasswdFile, parsePasswdLine } from "./passwd-file.js";

describe("parsePasswdLine", () => {
  const sha =
    "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/";
  test("schemes kept, hashed or refused", () => {
    const u = parsePasswdLine(`ann@example.test:{SHA512-CRYPT}${sha}:1000:1000::/home/ann::`, 1, {});
    assert.deepEqual(u, {
      line: 1,
      address: "ann@example.test",
      password: { hash: `{SHA512-CRYPT}${sha}` },
      disabled: false,
    });
    // {CRYPT} is crypt(3): the hash's own marker says which; kept bare.
    assert.deepEqual(parsePasswdLine(`ann@example.test:{CRYPT}${sha}`, 2, {}), {
      line: 2,
      address: "ann@example.test",
      password: { hash: sha },
      disabled: false,
    });
    assert.deepEqual(parsePasswdLine("ann@Example.TEST:{plain}it's: no", 3, {}), {
      line: 3,
      address: "ann@example.test",
      password: { plain: "it's" },
      disabled: false,
    });
    assert.deepEqual(parsePasswdLine("ann@example.test:{SSHA512}abcd", 4, {}), {
      line: 4,
      user: "ann@example.test",
      reason: "password scheme {SSHA512} cannot be verified by Yubin",
    });
    assert.match(
      (parsePasswdLine("ann@example.test:$1$abc$def", 5, {}) as { reason: string }).reason,
      /CRYPT hash of a kind Yubin cannot verify/,
    );
    assert.equal(
      (parsePasswdLine("ann@example.test:{SHA256-CRYPT}" + sha, 6, {}) as { reason: string }).reason,
      "password scheme {SHA256-CRYPT} cannot be verified by Yubin", // mislabelled: fails closed
    );
  });
  test("bare names, comments, extra fields, quota rules", () => {
    assert.equal(parsePasswdLine("  # comment", 1, {}), null);
    assert.equal(parsePasswdLine("", 1, {}), null);
    assert.equal(
      (parsePasswdLine("ann:{PLAIN}x", 1, {}) as { reason: string }).reason,
      "a bare user name needs --domain",
    );
    assert.equal(
      (parsePasswdLine("ann:{PLAIN}x", 1, { domain: "a.test" }) as { address: string }).address,
      "ann@a.test",
    );
    assert.equal(
      (parsePasswdLine("ann@a.test:{PLAIN}x:::::: nopassword", 1, {}) as { reason: string }).reason,
      "nopassword: Yubin has no login without a password",
    );
    assert.deepEqual(
      parsePasswdLine(
        "ann@a.test:{PLAIN}x:1:1::/h::userdb_quota_rule=*:storage=2M userdb_quota_rule2=*:messages=500 userdb_quota_rule3=Trash:storage=+1G nologin",
        1,
        {},
      ),
      {
        line: 1,
        address: "ann@a.test",
        password: { plain: "x" },
        disabled: true,
        quotaBytes: 2 * 1024 * 1024,
        quotaMessages: 500,
      },
    );
    assert.equal((parsePasswdLine("x".repeat(70_000), 9, {}) as { reason: string }).reason, "line too long");
  });
});

const skip = commandSkip("doveadm", "dovecot-core") || commandSkip("python3");

/** Python's poplib: USER/PASS over POP3S; prints the reply to PASS. */
const poplibScript = `
import json, poplib, ssl, sys
a = json.load(sys.stdin)
ctx = ssl.create_default_context(cafile=a["cafile"])
p = poplib.POP3_SSL("127.0.0.1", a["port"], context=ctx, timeout=10)
p.user(a["user"])
try:
    print(p.pass_(a["pass"]).decode())
    p.quit()
except poplib.error_proto as e:
    print(e.args[0].decode())
`;

function python(script: string, input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`python3 exited ${code}: ${err}`));
    });
    p.stdin.end(JSON.stringify(input));
  });
}

const doveadmPw = (scheme: string, password: string) =>
  execFileSync("doveadm", ["pw", "-s", scheme, "-p", password], { encoding: "utf8" }).trim();

// Each user's old password and the scheme Dovecot hashed it with.
const users = {
  ann: { scheme: "SHA512-CRYPT", password: "ann's old password" },
  ben: { scheme: "BLF-CRYPT", password: "ben's old password" },
  cat: { scheme: "ARGON2ID", password: "cat's old password" },
  dan: { scheme: "SHA256-CRYPT", password: "dan's old password" },
  eve: { scheme: "PLAIN", password: "eve's old password" },
  fay: { scheme: "SSHA512", password: "fay's old password" },
  gus: { scheme: "SHA512-CRYPT", password: "gus's old password" },
};

describe("yubin import users: a Dovecot passwd-file", { skip }, () => {
  let srv: TestServer;
  let dir: string;
  let file: string;
  before(async () => {
    srv = await startTestServer({ domains: ["example.test"] });
    dir = await mkdtemp(join(tmpdir(), "yubin-passwd-"));
    await chmod(dir, 0o755); // Dovecot's auth process (not root) reads the file too
    file = join(dir, "users");
    const u = users;
    const lines = [
      "# users of the old server",
      `ann@example.test:${doveadmPw(u.ann.scheme, u.ann.password)}:65534:65534::/home/ann::userdb_quota_rule=*:storage=10M userdb_quota_rule2=*:messages=1000`,
      `ben@example.test:${doveadmPw(u.ben.scheme, u.ben.password)}:65534:65534::/home/ben::`,
      `cat@example.test:${doveadmPw(u.cat.scheme, u.cat.password)}:65534:65534::/home/cat::`,
      // A bare name (--domain) whose hash is given as crypt(3), Dovecot's {CRYPT}.
      `dan:${doveadmPw(u.dan.scheme, u.dan.password).replace("{SHA256-CRYPT}", "{CRYPT}")}:65534:65534::/home/dan::`,
      `eve@example.test:${doveadmPw(u.eve.scheme, u.eve.password)}:65534:65534::/home/eve::`,
      `fay@example.test:${doveadmPw(u.fay.scheme, u.fay.password)}:65534:65534::/home/fay::`,
      `gus@example.test:${doveadmPw(u.gus.scheme, u.gus.password)}:65534:65534::/home/gus::nologin`,
      `alice@example.test:${doveadmPw("PLAIN", "not alice's password")}::::::`,
      `hal@elsewhere.test:${doveadmPw("PLAIN", "hal's old password")}::::::`,
    ];
    await writeFile(file, `${lines.join("\n")}\n`, { mode: 0o644 });
  });
  after(async () => {
    await srv?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("accounts made with the hashes kept; unverifiable, unknown-domain and existing listed", async () => {
    const sum = await importPasswdFile(srv.store, {
      path: file,
      domain: "example.test",
      quotaFromUserdb: true,
      defaultQuotaBytes: 0,
      defaultQuotaMessages: 0,
    });
    assert.deepEqual(sum.createdList, [
      "ann@example.test",
      "ben@example.test",
      "cat@example.test",
      "dan@example.test",
      "eve@example.test",
      "gus@example.test",
    ]);
    assert.equal(sum.createdDisabled, 1);
    assert.deepEqual(sum.existingList, ["alice@example.test"]);
    assert.deepEqual(
      sum.failures.map((f) => [f.line, f.user, f.reason]),
      [
        [7, "fay@example.test", "password scheme {SSHA512} cannot be verified by Yubin"],
        [
          10,
          "hal@elsewhere.test",
          "unknown domain elsewhere.test: add it first with `yubin domain add elsewhere.test`",
        ],
      ],
    );
    const ann = (await srv.store.directory.getAccountByAddress("ann@example.test"))!;
    assert.equal(ann.quotaBytes, 10 * 1024 * 1024);
    assert.equal(ann.quotaMessages, 1000);
    assert.match(ann.passwordHash, /^\{SHA512-CRYPT\}\$6\$/);
    const eve = (await srv.store.directory.getAccountByAddress("eve@example.test"))!;
    assert.match(eve.passwordHash, /^\$argon2id\$/, "a clear password is hashed, never stored");
    assert.equal((await srv.store.directory.getAccountByAddress("gus@example.test"))!.disabled, true);
    assert.equal(await srv.store.directory.getAccountByAddress("fay@example.test"), null);
    // alice keeps her own password.
    const alice = await srv.ctx.auth.authenticate({
      username: "alice@example.test",
      password: testPassword,
      ip: "127.0.0.2",
      protocol: "imap",
    });
    assert.equal(alice.ok, true);
    // A second run changes nothing and says so.
    const again = await importPasswdFile(srv.store, {
      path: file,
      domain: "example.test",
      quotaFromUserdb: true,
      defaultQuotaBytes: 0,
      defaultQuotaMessages: 0,
    });
    assert.equal(again.created, 0);
    assert.equal(again.existing, 7);
  });

  const imapLogin = async (o: { port: number; secure: boolean; user: string; pass: string; ca?: string }) => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: o.port,
      secure: o.secure,
      doSTARTTLS: o.secure ? undefined : false,
      tls: o.ca ? { ca: o.ca, servername: "mail.example.test" } : undefined,
      auth: { user: o.user, pass: o.pass },
      logger: false,
    });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.logout();
      return true;
    } catch (e) {
      if ((e as { authenticationFailed?: boolean }).authenticationFailed) return false;
      throw e;
    }
  };

  test("they log in to Yubin with their old passwords: IMAP (imapflow) and POP3 (poplib)", async () => {
    const yubinImap = (user: string, pass: string) =>
      imapLogin({ port: srv.ports.imaps!, secure: true, ca: srv.certPem, user, pass });
    for (const name of ["ann", "ben", "cat", "dan", "eve"] as const)
      assert.equal(await yubinImap(`${name}@example.test`, users[name].password), true, `${name} over IMAP`);
    assert.equal(await yubinImap("ann@example.test", "not ann's password"), false);
    assert.equal(await yubinImap("gus@example.test", users.gus.password), false, "nologin: disabled");

    const certFile = join(dir, "cert.pem");
    await writeFile(certFile, srv.certPem);
    const pop3 = (user: string, pass: string) =>
      python(poplibScript, { port: srv.ports.pop3s, cafile: certFile, user, pass });
    for (const name of ["ann", "ben", "cat", "dan", "eve"] as const)
      assert.match(await pop3(`${name}@example.test`, users[name].password), /^\+OK/, `${name} over POP3`);
    assert.match(await pop3("ben@example.test", "not ben's password"), /^-ERR/);
  });

  describe("the same file as a private Dovecot's passdb", { skip: dovecotSkip() }, () => {
    let dovecot: PrivateDovecot;
    before(async () => {
      dovecot = await startDovecot({
        users: [],
        extraConfig: ["passdb {", "  driver = passwd-file", `  args = username_format=%u ${file}`, "}"],
      });
    });
    after(async () => {
      await dovecot?.remove();
    });

    test("Dovecot accepts the same passwords (and refuses the same ones)", async () => {
      const dovecotImap = (user: string, pass: string) =>
        imapLogin({ port: dovecot.imapPort, secure: false, user, pass });
      for (const name of ["ann", "ben", "cat", "eve", "fay"] as const)
        assert.equal(
          await dovecotImap(`${name}@example.test`, users[name].password),
          true,
          `${name} at Dovecot`,
        );
      assert.equal(await dovecotImap("dan", users.dan.password), true, "dan (bare) at Dovecot");
      assert.equal(await dovecotImap("ann@example.test", "not ann's password"), false);
      assert.equal(await dovecotImap("gus@example.test", users.gus.password), false, "nologin at Dovecot");
    });
  });
});
