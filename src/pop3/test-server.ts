// The test harness for POP3 tests (its pop3 and pop3s listeners), plus helpers to fill a mailbox.
import { startTestServer, type TestServer, type TestServerOptions } from "../testing/harness.js";

export async function startPop3TestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer(opts);
}

export async function deliverTo(server: TestServer, accountId: number, body: Buffer): Promise<number> {
  const [copy] = await server.store.mail.deliver(body, [{ accountId }]);
  if (!copy) throw new Error("delivery produced no copy");
  return copy.uid;
}

export async function inboxOf(server: TestServer, accountId: number): Promise<number> {
  const box = await server.store.mail.getMailbox(accountId, "INBOX");
  if (!box) throw new Error("no INBOX");
  return box.id;
}

/** A test message with CRLF line ends. */
export function message(subject: string, bodyLines: string[] = ["Hello."]): Buffer {
  return Buffer.from(
    [
      "From: Sender <sender@example.net>",
      "To: alice@example.test",
      `Subject: ${subject}`,
      "Date: Mon, 1 Jan 2024 00:00:00 +0000",
      `Message-ID: <${subject.replace(/\W/g, "")}-${Math.random().toString(36).slice(2)}@example.net>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      ...bodyLines,
      "",
    ].join("\r\n"),
  );
}

// A message that exercises RETR exactness: a 5,000-octet line, leading-dot lines, 8-bit UTF-8
// and a raw 0xFF octet.
export const tricky = Buffer.concat([
  message("tricky", ["x".repeat(5000), ".leading dot", "..two dots", ".", "Grüße, 日本語", "last line"]),
  Buffer.from([0xff, 0x0d, 0x0a]),
]);
