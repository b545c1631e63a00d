// What the SMTP server counts in a message's header: its Received fields (loop detection,
// RFC 5321 §6.3). The author fields of submitted mail are checked in sender.ts.
import { scanHeader } from "../../mime/headers.js";

export function receivedCount(message: Buffer): number {
  let received = 0;
  for (const f of scanHeader(message, 0, message.length).fields) if (f.lname === "received") received++;
  return received;
}
