// Training one message: the entry point the IMAP/JMAP/webmail Junk moves and keywords, and the
// admin's corpus command, call. It tokenises the message exactly as scoring does, so what a user
// trains is what the next message is compared with.
import type { SpamStore } from "../../store/types.js";
import { buildMessageView } from "../message-view.js";
import { tokenHashes } from "./tokens.js";

export interface TrainRequest {
  /** Who trains: a user (their model and the global one), or 0 for the admin's corpus (the
   *  global model only). */
  accountId: number;
  /** The message's identity for that account (blob id, or a hash of a corpus message's bytes):
   *  training the same key again is a no-op, as the other class a move (SpamStore.train). */
  key: string;
  /** Spam, ham, or null to forget an earlier training. */
  as: "spam" | "ham" | null;
  body: Buffer;
}

export async function trainMessage(
  store: SpamStore,
  t: TrainRequest,
): Promise<"trained" | "retrained" | "forgotten" | "unchanged"> {
  const hashes = tokenHashes(buildMessageView(t.body));
  return store.train({
    accountId: t.accountId,
    key: t.key,
    as: t.as,
    hashes,
    scopes: t.accountId === 0 ? [0] : [0, t.accountId],
  });
}
