// A keyword set by another session is announced by FLAGS and PERMANENTFLAGS before any FETCH of
// this session shows it (RFC 9051 7.3.5, RFC 3501 7.2.6), whichever response shows it: a FETCH
// of FLAGS (the flags-only path and the full one), a STORE's reply, the \Seen a body fetch sets.
// imaptest's stress run reported "Keyword used without being in FLAGS" when a keyword reached a
// session's FETCH before the report of the other session's change.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const ALICE = "alice@example.test";
const SYS = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

/** What imaptest checks: every keyword a FETCH shows was in the last FLAGS response. */
function checkAnnounced(known: Set<string>, lines: string[]): void {
  for (const l of lines) {
    const flags = /^\* FLAGS \(([^)]*)\)$/.exec(l);
    if (flags) {
      known.clear();
      for (const f of flags[1]!.split(" ")) known.add(f);
      continue;
    }
    const fetched = /^\* \d+ FETCH \(.*?FLAGS \(([^)]*)\)/.exec(l);
    if (!fetched) continue;
    for (const f of fetched[1]!.split(" "))
      if (f !== "" && !f.startsWith("\\"))
        assert.ok(known.has(f), `${f} shown before FLAGS: ${lines.join(" | ")}`);
  }
}

describe("keywords set by another session", () => {
  let t: ImapTestServer;
  let a: RawClient;
  let b: RawClient;
  const known = new Set<string>();

  before(async () => {
    t = await startImapTestServer();
    await t.deliver(ALICE, "Subject: one\n\nbody one\n");
    await t.deliver(ALICE, "Subject: two\n\nbody two\n");
    a = await RawClient.connect(t.port.implicit, { tls: true });
    b = await RawClient.connect(t.port.implicit, { tls: true });
    for (const c of [a, b]) {
      await c.line();
      await c.cmd("L", `LOGIN ${ALICE} "${PASSWORD}"`);
    }
    await b.cmd("S", "SELECT INBOX"); // b claims \Recent, so a's lines are exact
    checkAnnounced(known, await a.cmd("S", "SELECT INBOX"));
  });
  after(async () => {
    a.close();
    b.close();
    await t.stop();
  });

  /** B sets a keyword (and is told of it by its own FLAGS response). */
  async function setByB(command: string): Promise<void> {
    const lines = await b.cmd("b", command);
    assert.equal(lines.at(-1), "b OK STORE completed");
  }

  test("FETCH FLAGS: FLAGS first", async () => {
    await setByB("STORE 1 +FLAGS.SILENT (kw1)");
    const lines = await a.cmd("a", "FETCH 1 (FLAGS)");
    checkAnnounced(known, lines);
    assert.deepEqual(lines.slice(0, 3), [
      `* FLAGS (${SYS} kw1)`,
      `* OK [PERMANENTFLAGS (${SYS} kw1 \\*)] Flags permitted`,
      "* 1 FETCH (FLAGS (kw1))",
    ]);
    assert.equal(lines.at(-1), "a OK FETCH completed");
  });

  test("FETCH with other items: FLAGS first", async () => {
    await setByB("STORE 1 +FLAGS.SILENT (kw2)");
    const lines = await a.cmd("a", "FETCH 1 (FLAGS RFC822.SIZE)");
    checkAnnounced(known, lines);
    assert.equal(lines[0], `* FLAGS (${SYS} kw1 kw2)`);
    assert.match(lines[2]!, /^\* 1 FETCH \(FLAGS \(kw1 kw2\) RFC822\.SIZE \d+\)$/);
  });

  test("STORE's reply shows another session's keyword only after FLAGS", async () => {
    await setByB("STORE 2 +FLAGS.SILENT (kw3)");
    const lines = await a.cmd("a", "STORE 2 +FLAGS (\\Flagged)");
    checkAnnounced(known, lines);
    assert.deepEqual(lines.slice(0, 3), [
      `* FLAGS (${SYS} kw1 kw2 kw3)`,
      `* OK [PERMANENTFLAGS (${SYS} kw1 kw2 kw3 \\*)] Flags permitted`,
      "* 2 FETCH (FLAGS (\\Flagged kw3))",
    ]);
  });

  test("a body fetch that sets \\Seen: FLAGS first", async () => {
    await setByB("STORE 2 +FLAGS.SILENT (kw4)");
    const lines = await a.cmd("a", "FETCH 2 (BODY[TEXT])");
    checkAnnounced(known, lines);
    assert.equal(lines[0], `* FLAGS (${SYS} kw1 kw2 kw3 kw4)`);
    assert.ok(known.has("kw4"));
  });

  test("UID FETCH 1:* FLAGS, as clients sync", async () => {
    await setByB("STORE 1:2 +FLAGS.SILENT (kw5)");
    const lines = await a.cmd("a", "UID FETCH 1:* (FLAGS)");
    checkAnnounced(known, lines);
    assert.ok(known.has("kw5"));
  });
});
