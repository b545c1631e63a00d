// postmaster@ and abuse@ of every local domain reach the admins when nobody created them
// (RFC 5321 §4.5.1, RFC 2142); an account or alias with the address still wins.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { RawSmtpClient } from "../smtp/test-client.js";
import { inbox, startSmtpTestServer } from "../smtp/test-server.js";
import { testPassword } from "../testing/harness.js";
import { FakeDirectory } from "./fake-directory.js";
import { resolveRecipient } from "./resolve.js";

async function setup() {
  const d = new FakeDirectory();
  await d.addDomain("example.org");
  await d.addDomain("example.net");
  const mk = (address: string, isAdmin = false) => d.createAccount({ address, passwordHash: "x", isAdmin });
  const root = await mk("root@example.org", true);
  const netAdmin = await mk("boss@example.net", true);
  const alice = await mk("alice@example.org");
  return { d, ids: { root: root.id, netAdmin: netAdmin.id, alice: alice.id } };
}

const local = (accountIds: number[]) => ({ kind: "local", accountIds, remote: [] });

describe("role addresses", () => {
  test("postmaster and abuse, any spelling, go to the domain's own admins", async () => {
    const { d, ids } = await setup();
    for (const a of [
      "postmaster@example.net",
      "PostMaster@EXAMPLE.NET",
      '"abuse"@example.net',
      "Abuse@example.net",
    ])
      assert.deepEqual(await resolveRecipient(d, a), local([ids.netAdmin]), a);
    assert.deepEqual(await resolveRecipient(d, "postmaster+bounces@example.org"), local([ids.root]));
  });

  test("a domain administrator (of another domain's account) gets the domain's roles too", async () => {
    const { d, ids } = await setup();
    await d.setAdminDomains(ids.alice, ["example.net"]);
    assert.deepEqual(await resolveRecipient(d, "postmaster@example.net"), local([ids.netAdmin, ids.alice]));
    // Alone it is enough: the global admins are not added to a domain that has an admin.
    await d.updateAccount(ids.netAdmin, { disabled: true });
    assert.deepEqual(await resolveRecipient(d, "abuse@example.net"), local([ids.alice]));
    // And not for a domain it does not administer.
    assert.deepEqual(await resolveRecipient(d, "abuse@example.org"), local([ids.root]));
    await d.updateAccount(ids.alice, { disabled: true });
    assert.deepEqual(await resolveRecipient(d, "abuse@example.net"), local([ids.root]));
  });

  test("a domain without admins of its own, even one added later, gets every admin", async () => {
    const { d, ids } = await setup();
    await d.addDomain("later.example");
    assert.deepEqual(await resolveRecipient(d, "postmaster@later.example"), local([ids.root, ids.netAdmin]));
  });

  test("disabled admins are skipped; with no admin at all the address stays unknown", async () => {
    const { d, ids } = await setup();
    await d.updateAccount(ids.netAdmin, { disabled: true });
    assert.deepEqual(await resolveRecipient(d, "abuse@example.net"), local([ids.root]));
    await d.updateAccount(ids.root, { isAdmin: false });
    assert.deepEqual(await resolveRecipient(d, "abuse@example.net"), {
      kind: "unknown",
      reason: "no such user",
    });
  });

  test("an explicit alias or account wins, and the role goes before the catch-all", async () => {
    const { d, ids } = await setup();
    await d.addAlias("postmaster@example.org", ["alice@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "Postmaster@example.org"), local([ids.alice]));
    const abuse = await d.createAccount({ address: "abuse@example.org", passwordHash: "x" });
    // An account's own address comes with what delivery needs of it (resolve.ts); the routing is
    // what this test is about.
    const { facts, ...routed } = (await resolveRecipient(d, "abuse@example.org")) as { facts?: unknown };
    assert.deepEqual(routed, local([abuse.id]));
    assert.ok(facts, "an account's own address carries its facts");
    await d.addAlias("@example.net", ["alice@example.org"]);
    assert.deepEqual(await resolveRecipient(d, "postmaster@example.net"), local([ids.netAdmin]));
    assert.deepEqual(await resolveRecipient(d, "other@example.net"), local([ids.alice]));
  });

  test("other local parts are not roles", async () => {
    const { d } = await setup();
    for (const a of ["postmasters@example.org", "hostmaster@example.org", "abuse-team@example.org"])
      assert.equal((await resolveRecipient(d, a)).kind, "unknown", a);
  });
});

describe("role addresses over SMTP", () => {
  test("mail to Postmaster@ a domain added after start lands in the admin's INBOX", async () => {
    const s = await startSmtpTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "alice@example.test", password: testPassword },
      ],
    });
    try {
      await s.store.directory.addDomain("new.example");
      const [admin, alice] = s.users.map((u) => u.id);
      const c = await RawSmtpClient.connect({ port: s.ports.smtp });
      await c.reply();
      await c.cmd("EHLO client.example");
      const send = async (rcpt: string) => {
        const marker = randomUUID();
        assert.equal(await c.cmd("MAIL FROM:<x@remote.example>"), "250 2.1.0 Sender OK");
        assert.equal(await c.cmd(`RCPT TO:<${rcpt}>`), "250 2.1.5 Recipient OK");
        assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
        assert.match(await c.cmd(`Subject: ${marker}\r\n\r\nhi\r\n.`), /^250 2\.0\.0 OK/);
        return marker;
      };
      const count = async (id: number, marker: string) =>
        (await inbox(s.store, id)).filter((b) => b.includes(marker)).length;

      const toRole = await send("Postmaster@new.example");
      assert.equal(await count(admin!, toRole), 1);
      const toAbuse = await send("abuse@NEW.example");
      assert.equal(await count(admin!, toAbuse), 1);

      await s.store.directory.addAlias("postmaster@new.example", ["alice@example.test"]);
      const toAlias = await send("postmaster@new.example");
      assert.equal(await count(alice!, toAlias), 1);
      assert.equal(await count(admin!, toAlias), 0);
      c.close();
    } finally {
      await s.stop();
    }
  });
});
