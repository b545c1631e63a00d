// What an IMAP client sees of an account, folder by folder (names with "/" as the delimiter):
// roles, subscription, UIDVALIDITY, UIDNEXT and every message's UID, flags (\Recent left out:
// it belongs to a session), internal date and body hash. Two accounts that snapshot alike look
// the same to a client that synchronised with one of them. The importers' round-trip tests compare
// Dovecot's and Yubin's this way.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { ImapFlow } from "imapflow";

export interface FolderSnapshot {
  specialUse: string | null;
  subscribed: boolean;
  uidValidity: number;
  uidNext: number;
  messages: { uid: number; flags: string[]; date: number; sha: string; size: number }[];
}

export async function snapshot(client: ImapFlow): Promise<Map<string, FolderSnapshot>> {
  const out = new Map<string, FolderSnapshot>();
  for (const f of await client.list()) {
    if (f.flags.has("\\Noselect") || f.flags.has("\\NonExistent")) continue;
    const lock = await client.getMailboxLock(f.path, { readOnly: true });
    try {
      const box = client.mailbox;
      assert.ok(box);
      const messages: FolderSnapshot["messages"] = [];
      if (box.exists > 0)
        for await (const m of client.fetch("1:*", {
          uid: true,
          flags: true,
          internalDate: true,
          size: true,
          source: true,
        })) {
          messages.push({
            uid: m.uid,
            flags: [...(m.flags ?? [])].filter((x) => x !== "\\Recent").sort(),
            date: new Date(m.internalDate ?? 0).getTime(),
            sha: createHash("sha256")
              .update(m.source ?? Buffer.alloc(0))
              .digest("hex"),
            size: m.size ?? -1, // RFC822.SIZE as the server reports it
          });
        }
      const name = f.delimiter && f.delimiter !== "/" ? f.path.split(f.delimiter).join("/") : f.path;
      out.set(name.toUpperCase() === "INBOX" ? "INBOX" : name, {
        specialUse: f.specialUse ?? null,
        subscribed: f.subscribed === true,
        uidValidity: Number(box.uidValidity),
        uidNext: box.uidNext,
        messages,
      });
    } finally {
      lock.release();
    }
  }
  return out;
}
