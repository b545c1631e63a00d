// `yubin queue` as an admin types it, against a data directory with two queued messages.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openStore } from "../../app/stores.js";
import { defaultConfig } from "../../config/load.js";
import { silentLogger } from "../../log/logger.js";
import { LocalNotifier } from "../../store/notifier.js";
import { yubinSync } from "../test-cli.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-cli-queue-"));
const configPath = join(dir, "yubin.toml");
after(() => rmSync(dir, { recursive: true, force: true }));

const yubin = (args: string[]) => yubinSync(configPath, args);

test("queue counts, show, retry, delete", async () => {
  assert.equal(yubin(["queue", "list"]).code, 0); // writes the config (dataDir = dir)
  const config = defaultConfig();
  config.server.dataDir = dir;
  const store = await openStore(config, new LocalNotifier(), silentLogger);
  const body = Buffer.from("Subject: q\r\n\r\nx\r\n");
  const e1 = await store.queue.enqueue({
    body,
    mailFrom: "a@here.test",
    recipients: [{ address: "x@far.test", notify: ["FAILURE"], orcpt: "rfc822;x@far.test" }],
    envId: "E1",
  });
  const e2 = await store.queue.enqueue({ body, mailFrom: "", recipients: [{ address: "y@far.test" }] });
  await store.queue.updateQueued(e2.id, {
    state: "deferred",
    attempts: 3,
    lastError: "y@far.test: 451 later",
    nextAttemptAt: new Date(Date.now() + 3_600_000),
  });
  await store.close();

  assert.deepEqual(yubin(["queue", "counts"]), {
    code: 0,
    out: "queued\t1\ndeferred\t1\nsending\t0\nheld\t0\nfailed\t0\ndone\t0\n",
    err: "",
  });
  const show = yubin(["queue", "show", String(e1.id)]);
  assert.equal(show.code, 0);
  assert.match(show.out, new RegExp(`^id: ${e1.id}\nstate: queued\nfrom: <a@here.test>\n`));
  assert.match(show.out, /\nenvid: E1\n/);
  assert.match(show.out, /\nrcpt: x@far\.test\tpending\tnotify=FAILURE orcpt=rfc822;x@far\.test\n$/);

  assert.deepEqual(yubin(["queue", "retry", String(e2.id)]), {
    code: 0,
    out: "1 scheduled for retry\n",
    err: "",
  });
  assert.match(yubin(["queue", "counts"]).out, /^queued\t2\ndeferred\t0\n/);
  assert.deepEqual(yubin(["queue", "delete", String(e1.id)]), {
    code: 0,
    out: `deleted ${e1.id}\n`,
    err: "",
  });
  assert.deepEqual(yubin(["queue", "show", String(e1.id)]), {
    code: 1,
    out: "",
    err: `yubin: no queue entry ${e1.id}\n`,
  });
  assert.equal(yubin(["queue", "show", "x"]).code, 2);
  assert.match(yubin(["queue", "list"]).out, /\n1 queued\n$/);
});
