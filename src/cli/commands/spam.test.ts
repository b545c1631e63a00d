// `yubin spam train|forget|status|check` as an admin types them: an mbox corpus into the global
// model, an account's folder into its model and the global one, the model's state, a message
// scored from stdin, and clear errors (exit 2) for what cannot be read or found.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openStore } from "../../app/stores.js";
import { defaultConfig } from "../../config/load.js";
import { silentLogger } from "../../log/logger.js";
import { LocalNotifier } from "../../store/notifier.js";
import type { Store } from "../../store/types.js";
import { yubinSync } from "../test-cli.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-cli-spamtrain-"));
const configPath = join(dir, "yubin.toml");
after(() => rmSync(dir, { recursive: true, force: true }));

const yubin = (args: string[], input = "") => yubinSync(configPath, args, { input, timeoutMs: 60000 });

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

const spam = (n: number) =>
  `From: <promo${n}@casino.example>\nSubject: jackpot bonus ${n}\n\nwin the casino jackpot bonus now, claim prize ${n}\n>From here on, free spins\n`;
const ham = (n: number) =>
  `From: <carol@partner.example>\nSubject: agenda ${n}\n\nthe project meeting agenda and quarterly report, item ${n}\n`;
const mbox = (msgs: string[]) =>
  msgs.map((m) => `From sender@example Mon Jan  1 00:00:00 2024\n${m}\n`).join("");

test("spam train/forget --mbox, status, check", async () => {
  assert.equal(yubin(["spam", "status"]).code, 0); // writes the config (dataDir = dir)
  const spamBox = join(dir, "spam.mbox");
  const hamBox = join(dir, "ham.mbox");
  writeFileSync(spamBox, mbox(Array.from({ length: 25 }, (_, i) => spam(i))));
  writeFileSync(hamBox, mbox(Array.from({ length: 25 }, (_, i) => ham(i))));

  assert.deepEqual(yubin(["spam", "train", "--as", "spam", "--mbox", spamBox]), {
    code: 0,
    out: "25 trained\n",
    err: "",
  });
  assert.equal(yubin(["spam", "train", "--as", "spam", "--mbox", spamBox]).out, "25 unchanged\n");
  assert.equal(yubin(["spam", "train", "--as=ham", "--mbox", spamBox]).out, "25 retrained\n");
  assert.equal(yubin(["spam", "forget", "--mbox", spamBox]).out, "25 forgotten\n");
  assert.equal(yubin(["spam", "train", "--as", "spam", "--mbox", spamBox]).out, "25 trained\n");
  assert.equal(yubin(["spam", "train", "--as", "ham", "--mbox", hamBox]).out, "25 trained\n");
  const status = yubin(["spam", "status"]);
  assert.equal(status.code, 0);
  assert.match(
    status.out,
    /^filter: enabled\nmodels: 1\ntokens: \d+\nglobal model: 25 spam, 25 ham\ntoken caps: global 1000000, per user 150000\nlast expiry: none\n$/,
  );

  const check = yubin(["spam", "check"], spam(99).replaceAll("\n", "\r\n"));
  assert.equal(check.code, 0, check.err);
  assert.match(check.out, /^probability: (0\.99\d\d|1\.0000)\nready: yes\nclues: \d+\n/);
  assert.match(
    check.out,
    /\nscore: \d+\.\d \(local rules and the classifier; junkScore 5\)\ntests: .*BAYES_99=/,
  );
  const checkHam = yubin(["spam", "check"], ham(99));
  assert.match(checkHam.out, /^probability: 0\.0\d{3}\nready: yes\n/);
  assert.match(checkHam.out, /tests: .*BAYES_00=-/);
});

test("spam train --account --folder: each message of the folder, into its model and the global one", async () => {
  const { account, keys } = await withTestStore(async (store) => {
    await store.directory.addDomain("folder.test");
    const a = await store.directory.createAccount({ address: "u@folder.test", passwordHash: "x" });
    const junk = (await store.mail.listMailboxes(a.id)).find((b) => b.specialUse === "\\Junk")!;
    const keys: string[] = [];
    for (const n of [1, 2]) {
      const [c] = await store.mail.deliver(Buffer.from(spam(100 + n).replaceAll("\n", "\r\n")), [
        { accountId: a.id, mailboxId: junk.id },
      ]);
      keys.push((await store.mail.listMessages(junk.id, { minUid: c!.uid, maxUid: c!.uid }))[0]!.blobId);
    }
    return { account: a.id, keys };
  });
  assert.deepEqual(
    yubin(["spam", "train", "--as", "spam", "--account", "u@folder.test", "--folder", "Junk"]),
    {
      code: 0,
      out: "2 trained\n",
      err: "",
    },
  );
  await withTestStore(async (store) => {
    for (const k of keys) assert.equal(await store.spam.trainedAs(account, k), "spam");
    assert.deepEqual(await store.spam.modelTotals(account), { spam: 2, ham: 0 });
  });
  assert.equal(
    yubin(["spam", "train", "--as", "spam", "--account", "u@folder.test", "--folder", "INBOX"]).out,
    "no messages\n",
  );
});

test("clear errors, exit code 2", () => {
  const cases: [string[], RegExp][] = [
    [
      ["spam", "train", "--as", "spam", "--mbox", join(dir, "missing.mbox")],
      /^yubin: cannot read .*missing\.mbox: ENOENT\n$/,
    ],
    [["spam", "train", "--as", "spam", "--mbox", dir], /^yubin: cannot read .*: not a file\n$/],
    [
      ["spam", "train", "--as", "spam", "--account", "nobody@folder.test", "--folder", "Junk"],
      /^yubin: no account nobody@folder\.test\n$/,
    ],
    [
      ["spam", "train", "--as", "spam", "--account", "u@folder.test", "--folder", "Nope"],
      /^yubin: u@folder\.test has no folder "Nope"\n$/,
    ],
    [["spam", "train", "--as", "maybe", "--mbox", "x"], /^yubin: --as must be spam or ham\n$/],
    [["spam", "train", "--as", "spam"], /^yubin: usage: yubin spam train/],
    [["spam", "train", "--as", "spam", "--mbox", "x", "--account", "u@folder.test"], /^yubin: usage: /],
    [["spam", "check", "--account", "nobody@folder.test"], /^yubin: no account nobody@folder\.test\n$/],
    [["spam", "check"], /^yubin: no message on stdin\n$/],
    [["spam", "frobnicate"], /^yubin: usage: yubin spam train.*\n.*\n.*\n.*\n\s+yubin spam allow\|block/],
  ];
  mkdirSync(join(dir, "sub"), { recursive: true });
  for (const [args, err] of cases) {
    const r = yubin(args, args[1] === "check" && args.length > 2 ? spam(1) : "");
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, err, args.join(" "));
    assert.equal(r.out, "");
  }
  // The allow/block subcommands still answer under the same command.
  assert.equal(yubin(["spam", "verdicts"]).code, 0);
});
