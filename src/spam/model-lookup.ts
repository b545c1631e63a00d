// The built-in classifier as the filter asks it, once per message: the work that cannot change
// the answer is not done. Measured with bench:smtp (docs/ARCHITECTURE.md, "Spam filter cost"):
// tokenising a 4 KB message and looking its tokens up in two models were 0.28 ms of the filter's
// 0.44 ms of CPU per message.
// - The models' totals are read first (one indexed row each). While they hold less than
//   MIN_TRAINED of either class the classification is "not ready", which the filter ignores
//   (rules/bayes.ts), so the message is neither tokenised nor looked up.
// - A recipient whose own model holds no training gets exactly the global model's answer
//   (classify.ts adds the user's counts, all zero), so only the global model is looked up.
// - The message's tokens are computed once, on the first recipient that needs them.
// - Totals and token counts come through the cache of the models (classifier/token-cache.ts),
//   synced with the models' version once per message (by the filter, which reads the recipients'
//   prefs through the same cache, or here): training (IMAP moves here, `yubin spam train` in
//   another process) takes effect for the next message.
import type { SpamTokenCounts } from "../store/types.js";
import { classify, MIN_TRAINED } from "./classifier/classify.js";
import type { TokenCache } from "./classifier/token-cache.js";
import { type MessageTokens, messageTokens } from "./classifier/tokens.js";
import type { MessageView } from "./types.js";

export interface ModelAnswer {
  probability: number;
  ready: boolean;
}

/** The classifier for one message: `classify(accountId)` is that account's model over the global
 *  one, `classify(null)` the global model alone. */
export function modelLookup(
  spam: TokenCache,
  view: MessageView,
  opts: { synced?: Promise<void> } = {},
): { classify(accountId: number | null): Promise<ModelAnswer> } {
  let tokens: MessageTokens | null = null;
  let global: Promise<SpamTokenCounts> | null = null;
  return {
    async classify(accountId) {
      // `synced`: the message's sync, already asked by the caller.
      global ??= (opts.synced ?? spam.sync()).then(() => spam.modelTotals(0));
      const user = accountId !== null && accountId !== 0 ? accountId : null;
      const [g, u] = await Promise.all([global, user === null ? null : spam.modelTotals(user)]);
      const ready = g.spam + (u?.spam ?? 0) >= MIN_TRAINED && g.ham + (u?.ham ?? 0) >= MIN_TRAINED;
      if (!ready) return { probability: 0.5, ready: false };
      tokens ??= messageTokens(view);
      const own = u !== null && u.spam + u.ham > 0 ? user : null;
      const c = await classify(spam, { accountId: own }, tokens);
      return { probability: c.probability, ready: c.ready };
    },
  };
}
