// `yubin spam allow|block|prefs|verdicts` and `yubin queue held|release` as an admin types them,
// real processes against a data directory the test fills through the store.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openStore } from "../../app/stores.js";
import { defaultConfig } from "../../config/load.js";
import { silentLogger } from "../../log/logger.js";
import { LocalNotifier } from "../../store/notifier.js";
import type { Store } from "../../store/types.js";
import { yubinSync } from "../test-cli.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-cli-spam-"));
const configPath = join(dir, "yubin.toml");
after(() => rmSync(dir, { recursive: true, force: true }));

const yubin = (args: string[], input = "") => yubinSync(configPath, args, { input });

/** The store of the test's data directory, opened for one step (the CLI opens it between). */
async function withTestStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = defaultConfig();
  config.server.dataDir = dir;
  const store = await openStore(config, new LocalNotifier(), silentLogger);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe("yubin spam and held-queue commands", () => {
  before(() => {
    assert.equal(yubin(["domain", "add", "example.test"]).code, 0);
    assert.equal(
      yubin(["user", "add", "ann@example.test", "--password-stdin"], "tr0ub4dor&3-horse\n").code,
      0,
    );
  });

  test("allow and block lists: add, list, remove, and the errors", () => {
    assert.deepEqual(yubin(["spam", "allow", "add", "ann@example.test", "Boss@Work.test", "@friends.test"]), {
      code: 0,
      out: "added to the allow list of ann@example.test: boss@work.test, @friends.test\n",
      err: "",
    });
    assert.equal(yubin(["spam", "block", "add", "ann@example.test", "@ads.test"]).code, 0);
    assert.deepEqual(yubin(["spam", "allow", "list", "ann@example.test"]), {
      code: 0,
      out: "boss@work.test\n@friends.test\n",
      err: "",
    });
    assert.equal(yubin(["spam", "block", "list", "ann@example.test"]).out, "@ads.test\n");
    assert.deepEqual(yubin(["spam", "allow", "remove", "ann@example.test", "boss@work.test"]), {
      code: 0,
      out: "removed from the allow list of ann@example.test: boss@work.test\n",
      err: "",
    });
    assert.equal(yubin(["spam", "allow", "list", "ann@example.test"]).out, "@friends.test\n");
    assert.deepEqual(yubin(["spam", "allow", "remove", "ann@example.test", "nobody@x.test"]), {
      code: 1,
      out: "",
      err: "yubin: not in the allow list of ann@example.test: nobody@x.test\n",
    });
    const bad = yubin(["spam", "block", "add", "ann@example.test", "not-an-address"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^yubin: spam block list: "not-an-address" is not an address or @domain\n$/);
    assert.equal(yubin(["spam", "block", "list", "ann@example.test"]).out, "@ads.test\n");
    assert.deepEqual(yubin(["spam", "allow", "list", "who@example.test"]), {
      code: 1,
      out: "",
      err: "yubin: unknown user who@example.test\n",
    });
    assert.equal(yubin(["spam", "allow", "add", "ann@example.test"]).code, 2);
    assert.equal(yubin(["spam", "allow", "frob", "ann@example.test", "@x.test"]).code, 2);
  });

  test("prefs: the user's Junk threshold and filing overrides", () => {
    assert.deepEqual(
      yubin(["spam", "prefs", "ann@example.test", "--junk-score", "7", "--file-into-junk", "no"]),
      {
        code: 0,
        out: "junk-score: 7\nfile-into-junk: no\nallow: 1 entry\nblock: 1 entry\n",
        err: "",
      },
    );
    assert.match(
      yubin(["spam", "prefs", "ann@example.test", "--junk-score", "default", "--file-into-junk", "default"])
        .out,
      /^junk-score: default \(5\)\nfile-into-junk: default\n/,
    );
    assert.equal(yubin(["spam", "prefs", "ann@example.test", "--junk-score", "high"]).code, 2);
  });

  test("verdicts: newest first, with their reasons", async () => {
    assert.deepEqual(yubin(["spam", "verdicts"]), { code: 0, out: "0 verdict(s)\n", err: "" });
    await withTestStore(async (store) => {
      for (const [i, score] of [1.5, 12].entries())
        await store.spam.recordVerdict(
          {
            at: new Date(Date.UTC(2026, 11, 6, 10, i)),
            messageId: `m${i}`,
            door: "inbound",
            mailFrom: i === 0 ? "" : "promo@ads.test",
            recipient: "ann@example.test",
            recipients: i + 1,
            score,
            action: i === 0 ? "deliver" : "junk",
            reasons: i === 0 ? "" : "BAYES_99=3.5 DNSBL_DBL=3",
          },
          100,
        );
    });
    assert.deepEqual(yubin(["spam", "verdicts", "--limit", "5"]), {
      code: 0,
      out:
        "2026-12-06T10:01:00.000Z\tinbound\t12.0\tjunk\t<promo@ads.test>\tann@example.test(+1)\tm1\tBAYES_99=3.5 DNSBL_DBL=3\n" +
        "2026-12-06T10:00:00.000Z\tinbound\t1.5\tdeliver\t<>\tann@example.test\tm0\t\n" +
        "2 verdict(s)\n",
      err: "",
    });
    assert.match(yubin(["spam", "verdicts", "--limit", "1"]).out, /\tm1\t[^\n]*\n1 verdict\(s\)\n$/);
    assert.equal(yubin(["spam", "verdicts", "--limit", "x"]).code, 2);
  });

  test("queue held, release, delete; a frozen sender's entry is not released", async () => {
    const body = Buffer.from("Subject: h\r\n\r\nx\r\n");
    const ids = await withTestStore(async (store) => {
      const ann = (await store.directory.getAccountByAddress("ann@example.test"))!;
      const a = await store.queue.enqueue({
        body,
        mailFrom: "ann@example.test",
        recipients: [{ address: "x@far.test" }],
        accountId: ann.id,
      });
      const b = await store.queue.enqueue({
        body,
        mailFrom: "ann@example.test",
        recipients: [{ address: "y@far.test" }],
        accountId: ann.id,
      });
      const c = await store.queue.enqueue({ body, mailFrom: "", recipients: [{ address: "z@far.test" }] });
      const later = new Date(Date.now() + 3_600_000);
      for (const q of [a, b]) await store.queue.updateQueued(q.id, { state: "held", nextAttemptAt: later });
      return { a: a.id, b: b.id, c: c.id, ann: ann.id };
    });
    const held = yubin(["queue", "held"]);
    assert.equal(held.code, 0);
    assert.match(
      held.out,
      new RegExp(`^${ids.a}\\theld\\t[^\\n]*\\t<ann@example\\.test>\\tx@far\\.test\\(pending\\)\\t`),
    );
    assert.match(held.out, /\n2 held\n$/);
    assert.doesNotMatch(held.out, new RegExp(`^${ids.c}\\t`, "m"));
    assert.deepEqual(yubin(["queue", "release", String(ids.a)]), {
      code: 0,
      out: `released ${ids.a} for delivery\n`,
      err: "",
    });
    const after = await withTestStore((store) => store.queue.getQueued(ids.a));
    assert.equal(after?.state, "queued");
    assert.ok(after && after.nextAttemptAt.getTime() <= Date.now());
    assert.deepEqual(yubin(["queue", "release", String(ids.c)]), {
      code: 1,
      out: "",
      err: `yubin: queue entry ${ids.c} is not held (it is queued)\n`,
    });
    assert.equal(yubin(["queue", "release", "999999"]).err, "yubin: no queue entry 999999\n");
    assert.match(
      yubin(["queue", "retry", String(ids.b)]).err,
      new RegExp(`held: release it with \`yubin queue release ${ids.b}\``),
    );

    // Frozen: only unfreezing releases its mail.
    await withTestStore(async (store) => {
      const now = new Date();
      await store.sending.freezeSending(ids.ann, {
        now,
        reason: "burst",
        holdSince: new Date(now.getTime() - 3_600_000),
      });
    });
    const refused = yubin(["queue", "release", String(ids.b)]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /its account's sending is frozen: unfreeze the account instead/);
    assert.deepEqual(yubin(["queue", "delete", String(ids.b)]), {
      code: 0,
      out: `deleted ${ids.b}\n`,
      err: "",
    });
    assert.match(yubin(["queue", "counts"]).out, /\nheld\t1\n/); // ids.a, held again by the freeze
  });
});
