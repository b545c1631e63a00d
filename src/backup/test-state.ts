// What the backup tests compare before and after a restore: every mailbox of alice as an IMAP
// client sees it (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, and each message's UID, flags, MODSEQ,
// internal date and bytes).
import { ImapFlow } from "imapflow";
import { type TestServer, testPassword } from "../testing/harness.js";

export function message(n: number, big: boolean): Buffer {
  const filler = big ? `${"x".repeat(70)}\r\n`.repeat(40) : "";
  return Buffer.from(
    `From: sender${n}@elsewhere.example\r\nTo: alice@example.test\r\nSubject: message ${n}\r\n` +
      `Message-ID: <m${n}@backup.test>\r\n\r\nbody ${n}\r\n${filler}`,
  );
}

export interface Seen {
  uidValidity: string;
  uidNext: number;
  highestModseq: string;
  messages: { uid: number; flags: string[]; internalDate: string; modseq: string; source: string }[];
}

/** Every mailbox of alice as an IMAP client sees it. */
export async function imapState(server: TestServer): Promise<Record<string, Seen>> {
  const c = new ImapFlow({
    host: "127.0.0.1",
    port: server.ports.imaps!,
    secure: true,
    auth: { user: "alice@example.test", pass: testPassword },
    tls: { rejectUnauthorized: false },
    logger: false,
  });
  await c.connect();
  try {
    const out: Record<string, Seen> = {};
    for (const box of await c.list()) {
      const mb = await c.mailboxOpen(box.path, { readOnly: true });
      const messages: Seen["messages"] = [];
      if (mb.exists > 0) {
        for await (const m of c.fetch("1:*", { uid: true, flags: true, internalDate: true, source: true })) {
          messages.push({
            uid: m.uid,
            flags: [...(m.flags ?? [])].sort(),
            internalDate: new Date(m.internalDate ?? 0).toISOString(),
            modseq: String(m.modseq),
            source: m.source!.toString("base64"),
          });
        }
      }
      out[box.path] = {
        uidValidity: String(mb.uidValidity),
        uidNext: mb.uidNext,
        highestModseq: String(mb.highestModseq),
        messages,
      };
      await c.mailboxClose();
    }
    return out;
  } finally {
    await c.logout().catch(() => c.close());
  }
}
