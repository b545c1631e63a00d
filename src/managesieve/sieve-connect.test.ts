// sieve-connect (Debian's sieve-connect, a real ManageSieve client) against the server: upload,
// list, activate, download, deactivate, delete, and a script with a syntax error coming back with
// its line number; with two-factor login on, an app password of scope managesieve (not the account
// password, not an IMAP one). It always uses STARTTLS: once with the harness's certificate as its
// CA, the rest with --notlsverify.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { totpCode } from "../auth/2fa/totp.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const skip = commandSkip("sieve-connect");
const USER = "sc@example.test";
const RULES =
  'require "fileinto";\nif address :is "from" "bank@example.net" {\n  fileinto "Finance";\n  stop;\n}\n';
('require ["fileinto", "imap4flags"];\nif address :is "from" "bank@example.net" {\n  fileinto "Finance";\n  addflag "\\\\Seen";\n}\n');
const BROKEN = 'require "fileinto";\n\nif header :contains "subject" {\n  fileinto "Finance";\n}\n';

describe("sieve-connect", { skip }, () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer({ users: [{ address: USER, password: testPassword }] });
    dir = await mkdtemp(join(tmpdir(), "yubin-sieve-connect-"));
    await writeFile(join(dir, "ca.pem"), server.certPem);
    await writeFile(join(dir, "rules.sieve"), RULES);
    await writeFile(join(dir, "broken.sieve"), BROKEN);
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs sieve-connect with the password on fd 3 (--passwordfd): its exit code and output. */
  function sieveConnect(
    args: string[],
    password = testPassword,
  ): Promise<{ code: number | null; out: string }> {
    const tls = args.includes("--tlscafile") ? [] : ["--notlsverify"];
    const child = spawn(
      "sieve-connect",
      [
        "--server",
        "127.0.0.1",
        "--port",
        String(server.ports.managesieve),
        "--user",
        USER,
        "--passwordfd",
        "3",
        ...tls,
        ...args,
      ],
      { stdio: ["ignore", "pipe", "pipe", "pipe"], cwd: dir },
    );
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const fd3 = child.stdio[3] as NodeJS.WritableStream;
    fd3.on("error", () => {});
    fd3.end(`${password}\n`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }

  test("upload, list, activate, download, deactivate, delete", async () => {
    const accountId = server.users[0]!.id;
    let r = await sieveConnect(["--upload", "--localsieve", "rules.sieve", "--remotesieve", "rules"]);
    assert.equal(r.code, 0, r.out);
    assert.equal((await server.store.sieve.get(accountId, "rules"))?.content, RULES);

    r = await sieveConnect(["--list", "--tlscafile", join(dir, "ca.pem"), "--tlshostname", "localhost"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out, '"rules"\n');

    r = await sieveConnect(["--activate", "--remotesieve", "rules"]);
    assert.equal(r.code, 0, r.out);
    assert.equal((await server.store.sieve.active(accountId))?.name, "rules");
    r = await sieveConnect(["--list"]);
    assert.equal(r.out, '"rules" ACTIVE\n');

    r = await sieveConnect(["--download", "--remotesieve", "rules", "--localsieve", "downloaded.sieve"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(await readFile(join(dir, "downloaded.sieve"), "utf8"), RULES);

    r = await sieveConnect(["--deactivate"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(await server.store.sieve.active(accountId), null);

    r = await sieveConnect(["--delete", "--remotesieve", "rules"]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await server.store.sieve.list(accountId), []);
    r = await sieveConnect(["--list"]);
    assert.equal(r.out, "");
  });

  test("a script with a syntax error is refused with its line number, by PUTSCRIPT and CHECKSCRIPT", async () => {
    let r = await sieveConnect(["--upload", "--localsieve", "broken.sieve", "--remotesieve", "broken"]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^PUTSCRIPT\(broken\) failed: NO "line 3, column \d+: /m);
    assert.deepEqual(await server.store.sieve.list(server.users[0]!.id), []);
    r = await sieveConnect(["--checkscript", "--localsieve", "broken.sieve"]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^CHECKSCRIPT failed: NO "line 3, column \d+: /m);
  });

  test("two-factor login on: the main password fails, a managesieve app password works, an IMAP one fails", async () => {
    const accountId = server.users[0]!.id;
    const sieve = await server.ctx.appPasswords.create(accountId, {
      name: "laptop",
      scopes: ["managesieve"],
    });
    const imap = await server.ctx.appPasswords.create(accountId, { name: "phone", scopes: ["imap"] });
    const t = await server.ctx.secondFactors.newTotp({ accountId, address: USER, issuer: "Yubin" });
    assert.ok(
      await server.ctx.secondFactors.confirmTotp(accountId, t.sealed, totpCode(t.secret, Date.now())),
    );
    try {
      let r = await sieveConnect(["--list"]);
      assert.notEqual(r.code, 0);
      assert.match(r.out, /two-factor authentication is on: use an app password/);
      r = await sieveConnect(["--list"], imap.secret);
      assert.notEqual(r.code, 0, r.out);
      r = await sieveConnect(
        ["--upload", "--localsieve", "rules.sieve", "--remotesieve", "laptop"],
        sieve.secret,
      );
      assert.equal(r.code, 0, r.out);
      assert.equal((await server.store.sieve.get(accountId, "laptop"))?.content, RULES);
      const used = await server.store.appPasswords.get(accountId, sieve.appPassword.id);
      assert.equal(used?.lastUsedIp, "127.0.0.1");
    } finally {
      await server.ctx.secondFactors.disable(accountId);
      await server.store.sieve.remove(accountId, "laptop").catch(() => {});
    }
  });

  test("a wrong password fails", async () => {
    const r = await sieveConnect(["--list"], "not the password");
    assert.notEqual(r.code, 0);
  });
});
