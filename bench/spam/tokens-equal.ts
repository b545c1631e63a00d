// Checks that the tokeniser (src/spam/classifier/tokens.ts) gives exactly the token hashes of its
// reference, the simpler multi-pass implementation it replaced (bench/spam/tokens-reference/,
// kept only here and in tokens.test.ts), on every SpamAssassin corpus message: the same distinct
// hashes in the same order and the same header count, with default options and with word pairs,
// From words and a small maxTokens. Usage: node --import tsx bench/spam/tokens-equal.ts
import { deepStrictEqual } from "node:assert/strict";
import { messageTokens, type TokenOptions, tokenStrings } from "../../src/spam/classifier/tokens.js";
import { buildMessageView } from "../../src/spam/message-view.js";
import { loadCorpus } from "./corpus.js";
import * as reference from "./tokens-reference/tokens.js";

const { train, test } = loadCorpus();
const variants: TokenOptions[] = [{}, { bigrams: true, fromWords: true }, { maxTokens: 100 }];
let messages = 0;
let tokens = 0;
let failed = 0;
for (const sample of [...train, ...test]) {
  messages++;
  const view = buildMessageView(sample.body);
  for (const opts of variants) {
    const want = reference.messageTokens(view, opts);
    const got = messageTokens(view, opts);
    tokens += want.hashes.length;
    try {
      deepStrictEqual(got, want);
      deepStrictEqual(tokenStrings(view, opts), reference.tokenStrings(view, opts));
    } catch {
      failed++;
      if (failed <= 5) console.error(`differs: ${sample.id} ${JSON.stringify(opts)}`);
    }
  }
}
console.log(JSON.stringify({ messages, variants: variants.length, tokens, failed }));
process.exitCode = failed === 0 ? 0 : 1;
