// Subscriptions as Dovecot keeps them (imaptest's subscribe and listext scripts): CREATE does not
// subscribe; a subscribed mailbox that is deleted stays subscribed, \NonExistent (RFC 5258 3.1);
// LSUB shows an unsubscribed parent of a subscribed mailbox "%" does not reach as \Noselect
// (RFC 3501 6.3.9); RECURSIVEMATCH's CHILDINFO only for a descendant no pattern lists (RFC 5258
// 3.5). And names that are not valid modified UTF-7 (RFC 3501 5.1.3): NO, not BAD.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";

describe("subscriptions", () => {
  let t: ImapTestServer;
  let c: RawClient;

  before(async () => {
    t = await startImapTestServer();
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    for (const n of ["t/a", "t/b/", "t/b/x", "t/c/c", "t/d/d", "t/d/e", "t/gone"]) {
      const [ok] = await c.cmd("c", `CREATE ${n}`);
      assert.match(ok!, /^c OK \[MAILBOXID \(F\d+\)\] CREATE completed/);
    }
    for (const n of ["t/a", "t/b/x", "t/c/c", "t/d/d", "t/d/e", "t/gone"])
      assert.deepEqual(await c.cmd("s", `SUBSCRIBE ${n}`), ["s OK SUBSCRIBE completed"]);
    assert.deepEqual(await c.cmd("d", "DELETE t/gone"), ["d OK DELETE completed"]);
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  test("CREATE subscribes nothing; LSUB marks parents of subscribed names \\Noselect", async () => {
    assert.deepEqual(await c.cmd("a", 'LSUB "" t/%'), [
      '* LSUB (\\HasNoChildren) "/" "t/a"',
      '* LSUB (\\Noselect \\HasChildren) "/" "t/b"',
      '* LSUB (\\Noselect \\HasChildren) "/" "t/c"',
      '* LSUB (\\Noselect \\HasChildren) "/" "t/d"',
      '* LSUB (\\Noselect \\HasNoChildren) "/" "t/gone"',
      "a OK LSUB completed",
    ]);
    // "*" reaches the subscribed names themselves: their parents are not listed.
    assert.deepEqual(await c.cmd("b", 'LSUB "" *c'), [
      '* LSUB (\\HasNoChildren) "/" "t/c/c"',
      "b OK LSUB completed",
    ]);
  });

  test("LIST (SUBSCRIBED) shows a deleted subscribed mailbox \\NonExistent until UNSUBSCRIBE", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST (SUBSCRIBED) "" t/*'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/a"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/b/x"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/c/c"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/d/d"',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/d/e"',
      '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "t/gone"',
      "a OK LIST completed",
    ]);
    // Not in a LIST without the SUBSCRIBED selection: there is no such mailbox.
    assert.deepEqual(await c.cmd("b", 'LIST "" t/g*'), ["b OK LIST completed"]);
    assert.deepEqual(await c.cmd("c", "SUBSCRIBE t/gone"), ["c NO [NONEXISTENT] No such mailbox"]);
    assert.deepEqual(await c.cmd("d", "UNSUBSCRIBE t/gone"), ["d OK UNSUBSCRIBE completed"]);
    assert.deepEqual(await c.cmd("e", 'LIST (SUBSCRIBED) "" t/g*'), ["e OK LIST completed"]);
    assert.deepEqual(await c.cmd("f", "UNSUBSCRIBE t/gone"), ["f NO [NONEXISTENT] No such mailbox"]);
  });

  test("a mailbox created again under a subscribed name is subscribed", async () => {
    await c.cmd("a", "CREATE back");
    await c.cmd("b", "SUBSCRIBE back");
    await c.cmd("c", "DELETE back");
    await c.cmd("d", "CREATE back");
    assert.deepEqual(await c.cmd("e", 'LIST "" back RETURN (SUBSCRIBED)'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "back"',
      "e OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("f", 'LIST (SUBSCRIBED) "" back'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "back"',
      "f OK LIST completed",
    ]);
  });

  test("RETURN (CHILDREN SUBSCRIBED): \\Subscribed only on subscribed mailboxes", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST "" t/% RETURN (CHILDREN SUBSCRIBED)'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/a"',
      '* LIST (\\HasChildren) "/" "t/b"',
      '* LIST (\\HasChildren) "/" "t/c"',
      '* LIST (\\HasChildren) "/" "t/d"',
      "a OK LIST completed",
    ]);
  });

  test("CHILDINFO only for a subscribed descendant that no pattern lists", async () => {
    assert.deepEqual(await c.cmd("a", 'LIST (SUBSCRIBED RECURSIVEMATCH) "" t/b'), [
      '* LIST (\\HasChildren) "/" "t/b" ("CHILDINFO" ("SUBSCRIBED"))',
      "a OK LIST completed",
    ]);
    assert.deepEqual(await c.cmd("b", 'LIST (SUBSCRIBED RECURSIVEMATCH) "" (t/b t/b/x)'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/b/x"',
      "b OK LIST completed",
    ]);
    // t/d/e is subscribed and "*d" does not list it: t/d is listed for it.
    assert.deepEqual(await c.cmd("c", 'LIST (SUBSCRIBED RECURSIVEMATCH) "" *d'), [
      '* LIST (\\HasChildren) "/" "t/d" ("CHILDINFO" ("SUBSCRIBED"))',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/d/d"',
      "c OK LIST completed",
    ]);
    // Every subscribed child of t/c is listed: t/c is not.
    assert.deepEqual(await c.cmd("d", 'LIST (SUBSCRIBED RECURSIVEMATCH) "" *c'), [
      '* LIST (\\HasNoChildren \\Subscribed) "/" "t/c/c"',
      "d OK LIST completed",
    ]);
  });

  test("a name that is not valid modified UTF-7 is a name: NO, not BAD", async () => {
    const name = "!#$$&'+,-.0123456789:;<=>?@^_`|[}";
    assert.deepEqual(await c.cmd("a", `SELECT ${name}`), ["a NO [NONEXISTENT] No such mailbox"]);
    assert.deepEqual(await c.cmd("b", 'STATUS "&Jjo" (MESSAGES)'), ["b NO [NONEXISTENT] No such mailbox"]);
    assert.deepEqual(await c.cmd("c", 'CREATE "a&Jjo"'), ["c NO [CANNOT] Invalid mailbox name"]);
    assert.deepEqual(await c.cmd("d", `LIST "" ${name}%*`), ["d OK LIST completed"]);
    assert.deepEqual(await c.cmd("e", "NOOP"), ["e OK NOOP completed"]);
  });
});
