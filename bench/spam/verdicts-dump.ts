// Everything the spam filter decides about each of the corpus' 6,046 messages (training and
// held-out groups), one JSON line per message, so two builds can be compared byte for byte
// (`cmp`): the token hashes and header count (tokens.ts, default options), the token strings'
// digest, the classifier's probability against the global model trained on the 2002 groups,
// the signals with their scores (rules at a fixed clock, BAYES_*) and the inbound filter's
// verdict (folders, X-Spam-* fields). A CPU change to the MIME parsers or the tokeniser must
// leave this file unchanged (docs/ARCHITECTURE.md, "Spam classifier", Cost).
// Usage: node --import tsx bench/spam/verdicts-dump.ts --out /tmp/verdicts.jsonl
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FilterInput } from "../../src/postoffice/types.js";
import { classify } from "../../src/spam/classifier/classify.js";
import { messageTokens, tokenStrings } from "../../src/spam/classifier/tokens.js";
import { buildMessageView } from "../../src/spam/message-view.js";
import { bayesSignals } from "../../src/spam/rules/index.js";
import { ruleSignals } from "../../src/spam/score.js";
import { benchArgs } from "../args.js";
import { loadCorpus } from "./corpus.js";
import { inboundFilter, openStore, trainCorpus } from "./yubin.js";

const { values: opt } = benchArgs(import.meta.url, {
  options: { out: { type: "string", default: "/tmp/yubin-verdicts.jsonl" } },
});

/** One clock for every run: the Date rules compare with it. */
const NOW = new Date("2003-06-01T00:00:00Z");

const dir = mkdtempSync(join(tmpdir(), "yubin-bench-verdicts-"));
const store = await openStore(dir);
try {
  const corpus = loadCorpus();
  await trainCorpus(store, corpus.train, { accountId: 0 });
  const { inbound, account, verdicts } = await inboundFilter(store, "dump@example.test", () => NOW);
  const lines: string[] = [];
  for (const s of [...corpus.train, ...corpus.test]) {
    const input: FilterInput = {
      door: "inbound",
      id: s.id,
      mailFrom: "sender@remote.example",
      recipients: [{ address: "dump@example.test", accountIds: [account.id], remote: [] }],
      body: s.body,
      accountIds: [account.id],
      accountId: null,
      origin: {
        kind: "smtp",
        helo: "remote.example",
        ip: "192.0.2.1",
        esmtp: true,
        utf8: false,
        authenticated: false,
        tls: null,
      },
      screen: null,
      auth: null,
    };
    const view = buildMessageView(s.body);
    const tokens = messageTokens(view);
    const strings = createHash("sha256").update(tokenStrings(view).join("\n")).digest("hex");
    const c = await classify(store.spam, { accountId: null }, tokens);
    const signals = [...ruleSignals(input, view, { outbound: false, now: NOW }), ...bayesSignals(c)];
    const verdict = await inbound.check(input);
    lines.push(JSON.stringify({ id: s.id, tokens, strings, classification: c, signals, verdict }));
  }
  writeFileSync(opt.out, `${lines.join("\n")}\n`);
  console.log(JSON.stringify({ messages: lines.length, out: opt.out }));
  await verdicts.flush();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
