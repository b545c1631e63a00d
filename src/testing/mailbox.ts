// Reading what was delivered, for tests of any door (SMTP, JMAP, the post office).
import type { Store } from "../store/types.js";

/** Bodies in an account's INBOX, oldest first. */
export async function inbox(store: Store, accountId: number): Promise<Buffer[]> {
  const box = await store.mail.getMailbox(accountId, "INBOX");
  if (!box) throw new Error(`no INBOX for account ${accountId}`);
  const metas = await store.mail.listMessages(box.id);
  return Promise.all(metas.map((m) => store.mail.readBody(m.blobId)));
}
