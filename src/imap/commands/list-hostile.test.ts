// Issue 18, finding 4: LIST patterns from the client used to become backtracking RegExps, so one
// command blocked the whole server for minutes. Over a real socket, they now answer at once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cpuTimed } from "../../testing/cpu-time.js";
import { RawClient } from "../test-client.js";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

describe("LIST with hostile patterns", () => {
  let t: ImapTestServer;
  let c: RawClient;
  const long = `L${"a".repeat(59)}`; // a 60-character mailbox name
  before(async () => {
    t = await startImapTestServer();
    c = await RawClient.connect(t.port.implicit, { tls: true });
    await c.line();
    await c.cmd("L", `LOGIN alice@example.test "${PASSWORD}"`);
    assert.match((await c.cmd("c1", "CREATE Archive/2024")).join(), /^c1 OK /);
    assert.match((await c.cmd("c2", `CREATE ${long}`)).join(), /^c2 OK /);
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  // The RegExp took 16 s for 60 "%" and more than two minutes for 200, and 36 s for the "*a…b"
  // pattern. Counted in CPU time of this process (the server runs in it), which a loaded CI
  // machine does not inflate as it does wall-clock time.
  const timed = async (tag: string, command: string) => {
    const { value: lines, cpuMs: ms } = await cpuTimed(() => c.cmd(tag, command));
    return { lines, ms };
  };

  test('LIST "" of 200 × "%" answers promptly', async () => {
    const { lines, ms } = await timed("a", `LIST "" "${"%".repeat(200)}"`);
    assert.equal(lines.at(-1), "a OK LIST completed");
    // "%" never crosses the delimiter: the top-level names only.
    assert.ok(
      lines.some((l) => l.startsWith("* LIST (\\HasChildren") && l.endsWith(' "/" "Archive"')),
      lines.join("\n"),
    );
    assert.ok(!lines.some((l) => l.includes("Archive/2024")), lines.join("\n"));
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  test('LIST "" "*a*a*a*a*a*a*a*a*b" against a 60-character name answers promptly', async () => {
    const { lines, ms } = await timed("b", 'LIST "" "*a*a*a*a*a*a*a*a*b"');
    assert.deepEqual(lines, ["b OK LIST completed"]);
    assert.ok(ms < 1000, `took ${ms} ms`);
    const hit = await c.cmd("c", 'LIST "" "*a*a*a*a*a*a*a*a*a"');
    assert.deepEqual(hit, [`* LIST (\\HasNoChildren) "/" "${long}"`, "c OK LIST completed"]);
  });

  test("a pattern longer than maxListPatternLength is refused", async () => {
    assert.deepEqual(await c.cmd("d", `LIST "" "${"%".repeat(1025)}"`), [
      "d BAD [LIMIT] Mailbox pattern too long",
    ]);
    assert.deepEqual(await c.cmd("e", `LSUB "${"x".repeat(1000)}" "${"*".repeat(25)}"`), [
      "e BAD [LIMIT] Mailbox pattern too long",
    ]);
    assert.deepEqual(await c.cmd("f", "NOOP"), ["f OK NOOP completed"]);
  });
});
