// Two-factor login from the admin's side (issue 15): auth.require2fa=admins sends an admin
// without 2FA to enrolment after the password (a user without it logs straight in), and the
// users page shows who has 2FA and resets it (a lost phone): afterwards the user's password alone
// logs in again, over the web and IMAP, and the reset is in the audit log. Domain administrators
// count as admins for require2fa.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { totpCode } from "../auth/2fa/totp.js";
import { hashPassword } from "../auth/password.js";
import { csrfFrom, WebClient } from "../http/test-client.js";
import { createLogger } from "../log/logger.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const ADMIN = "admin@example.test";
const CAROL = "carol@example.test";

describe("admin: two-factor login", () => {
  let srv: TestServer;
  const logLines: Record<string, unknown>[] = [];
  before(async () => {
    srv = await startTestServer({
      users: [
        { address: ADMIN, password: testPassword, isAdmin: true },
        { address: CAROL, password: testPassword },
      ],
      config: { auth: { require2fa: "admins" } },
      log: createLogger({ format: "json", level: "info", write: (l) => logLines.push(JSON.parse(l)) }),
    });
  });
  after(() => srv.stop());
  const web = () => new WebClient(srv.ports.https!, srv.certPem);

  test("require2fa=admins: the admin is sent to enrolment, the user is not", async () => {
    const user = web();
    assert.equal((await user.login(CAROL, testPassword)).headers.location, "/settings");
    const admin = web();
    const r = await admin.login(ADMIN, testPassword);
    assert.equal(r.headers.location, "/login/2fa");
    assert.equal((await admin.get("/admin/users")).status, 303, "no admin page before enrolment");
    const enrol = await admin.get("/login/2fa");
    const secret = /class="totp-secret">([A-Z2-7 ]+)</.exec(enrol.body)?.[1]?.replace(/ /g, "");
    assert.ok(secret);
    const ok = await admin.post("/login/2fa", {
      _csrf: csrfFrom(enrol.body),
      code: totpCode(secret, Date.now()),
    });
    assert.equal(ok.status, 200);
    assert.equal((await admin.get("/admin/users")).status, 200);
  });

  test("require2fa=admins covers domain administrators too", async () => {
    const dana = await srv.store.directory.createAccount({
      address: "dana@example.test",
      passwordHash: await hashPassword(testPassword),
    });
    assert.equal((await web().login("dana@example.test", testPassword)).headers.location, "/settings");
    await srv.store.directory.setAdminDomains(dana.id, ["example.test"]);
    const client = web();
    assert.equal((await client.login("dana@example.test", testPassword)).headers.location, "/login/2fa");
    assert.equal((await client.get("/admin/users")).status, 303, "no admin page before enrolment");
  });

  test("the users page shows 2FA and resets it; the user's password then opens IMAP again", async () => {
    const carolId = srv.users[1]!.id;
    const t = await srv.ctx.secondFactors.newTotp({ accountId: carolId, address: CAROL, issuer: "Yubin" });
    assert.ok(await srv.ctx.secondFactors.confirmTotp(carolId, t.sealed, totpCode(t.secret, Date.now())));
    const imap = () =>
      new ImapFlow({
        host: "127.0.0.1",
        port: srv.ports.imaps!,
        secure: true,
        tls: { ca: srv.certPem, servername: "mail.example.test" },
        auth: { user: CAROL, pass: testPassword },
        logger: false,
      });
    const refused = imap();
    refused.on("error", () => {});
    await assert.rejects(refused.connect());

    // The admin logs in (with 2FA: enrolled above) through the second step.
    const admin = web();
    assert.equal((await admin.login(ADMIN, testPassword)).headers.location, "/login/2fa");
    const adminId = srv.users[0]!.id;
    // A fresh code for the admin: the enrolment's step is spent, the next one is not.
    const row = await srv.ctx.store.secondFactors.totp(adminId);
    assert.ok(row);
    const secret = (await srv.ctx.secondFactors.keys()).open(row.sealedSecret)?.split(":")[1];
    assert.ok(secret);
    const step = await admin.get("/login/2fa");
    assert.equal(
      (
        await admin.post("/login/2fa", {
          _csrf: csrfFrom(step.body),
          code: totpCode(secret, Date.now() + 30_000),
        })
      ).status,
      303,
    );
    const page = await admin.get("/admin/users");
    assert.match(page.body, new RegExp(`${CAROL}[\\s\\S]*?two-factor login on`));
    const reset = await admin.submit("/admin/users", `/admin/users/${carolId}/2fa-reset`, {});
    assert.equal(reset.status, 303);
    assert.equal(await srv.ctx.secondFactors.enabled(carolId), false);
    assert.equal(logLines.filter((l) => l.msg === "admin action" && l.action === "user.2fa-reset").length, 1);
    const ok = imap();
    await ok.connect();
    await ok.logout();
  });
});
