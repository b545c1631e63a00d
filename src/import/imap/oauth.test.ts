// An IMAP pull logged in with an OAuth 2.0 access token (OAUTHBEARER, RFC 7628, as imapflow
// chooses when offered) from a real OpenID Connect provider (src/oauth/testing/provider.ts),
// through the CLI kind's --oauth-token-file; a token for another user is refused at login,
// before anything is filed. Also the kind's refusals of secrets on the command line.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import type { ParsedArgs } from "../../cli/args.js";
import { importImapKind } from "../../cli/commands/import-imap.js";
import { CliError, UsageError } from "../../cli/errors.js";
import { startTestProvider, type TestProvider } from "../../oauth/testing/provider.js";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import { runImport } from "../engine.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const PASSWORD = "oauth import password 1";

function parsed(flags: Record<string, string | true>): ParsedArgs {
  return { positional: [], flags: new Map(Object.entries(flags)), lists: new Map() };
}

describe("IMAP import with an OAuth access token", () => {
  let idp: TestProvider;
  let srv: TestServer;
  const io = () => ({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() });
  const ctx = () => ({ env: { configPath: "unused", io: io() }, config: srv.config });

  before(async () => {
    idp = await startTestProvider();
    srv = await startTestServer({
      users: [
        { address: ALICE, password: PASSWORD },
        { address: BOB, password: PASSWORD },
      ],
      config: { oauth: { issuer: idp.issuer, audience: idp.audience, clockSkewSec: 0 } },
    });
    const alice = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: ALICE, pass: PASSWORD },
      logger: false,
    });
    await alice.connect();
    await alice.append("INBOX", Buffer.from("Subject: one\r\n\r\nby token\r\n"), ["\\Seen", "$T"]);
    await alice.append("INBOX", Buffer.from("Subject: two\r\n\r\nby token\r\n"), []);
    await alice.logout();
  });
  after(async () => {
    await srv?.stop();
    await idp?.close();
  });

  const flags = (tokenFile: string) => ({
    host: "127.0.0.1",
    port: String(srv.ports.imaps!),
    user: ALICE,
    "oauth-token-file": tokenFile,
    insecure: true as const,
  });

  test("--oauth-token-file: the pull logs in with the token and files alice's mail for bob", async () => {
    const tokenFile = join(srv.dataDir, "token");
    await writeFile(tokenFile, `${await idp.accessToken(ALICE)}\n`, { mode: 0o600 });
    const source = await importImapKind.open(parsed(flags(tokenFile)), ctx());
    try {
      const summary = await runImport(srv.store, srv.users[1]!.id, source, {});
      assert.equal(summary.imported, 2);
      assert.equal(summary.failed, 0);
    } finally {
      await source.close();
    }
    const inbox = await srv.store.mail.getMailbox(srv.users[1]!.id, "INBOX");
    assert.ok(inbox);
    assert.equal((await srv.store.mail.quotaUsage(srv.users[1]!.id)).messages, 2);
  });

  test("a token for another user is refused at login: a CliError, nothing filed", async () => {
    const tokenFile = join(srv.dataDir, "bob-token");
    await writeFile(tokenFile, `${await idp.accessToken(BOB)}\n`, { mode: 0o600 });
    const before = (await srv.store.mail.quotaUsage(srv.users[1]!.id)).messages;
    await assert.rejects(importImapKind.open(parsed(flags(tokenFile)), ctx()), (e: unknown) => {
      assert.ok(e instanceof CliError);
      assert.match(e.message, /refused the login of alice@example\.test/);
      return true;
    });
    assert.equal((await srv.store.mail.quotaUsage(srv.users[1]!.id)).messages, before);
  });

  test("secrets never on the command line; one secret source at a time; an unset variable named", async () => {
    const base = { host: "127.0.0.1", user: ALICE };
    await assert.rejects(importImapKind.open(parsed({ ...base, password: "x" }), ctx()), UsageError);
    await assert.rejects(
      importImapKind.open(parsed({ ...base, "password-env": "A", "password-file": "/nonexistent" }), ctx()),
      /exclude each other/,
    );
    await assert.rejects(
      importImapKind.open(parsed({ ...base, "password-env": "YUBIN_TEST_SURELY_UNSET_VAR" }), ctx()),
      /YUBIN_TEST_SURELY_UNSET_VAR is not set/,
    );
    await assert.rejects(importImapKind.open(parsed(base), ctx()), /no password/);
    await assert.rejects(
      importImapKind.open(parsed({ ...base, "password-file": "/nonexistent/pw" }), ctx()),
      /cannot read the password file/,
    );
    await assert.rejects(importImapKind.open(parsed({ ...base, tls: "ssl" }), ctx()), /--tls must be/);
  });
});
