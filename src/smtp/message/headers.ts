// What the SMTP server reads from a message's header: the From addresses (send-as check on
// submission) and the number of Received fields (loop detection, RFC 5321 §6.3).
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../../mime/address.js";
import { fieldValue, scanHeader } from "../../mime/headers.js";

export interface HeaderFacts {
  from: string[] | null; // addresses of all From fields; null when there is no From field
  fromInvalid: boolean; // a From field holds something that is not an address
  received: number;
}

/** `withFrom` false skips parsing From (inbound mail: nobody to check it against). */
export function headerFacts(message: Buffer, withFrom: boolean): HeaderFacts {
  const { fields } = scanHeader(message, 0, message.length);
  let from: string[] | null = null;
  let fromInvalid = false;
  let received = 0;
  for (const f of fields) {
    if (f.lname === "received") received++;
    else if (withFrom && f.lname === "from") {
      from ??= [];
      for (const a of parseAddressList(fieldValue(message, f))) {
        if (a.mailbox === null || a.host === null) continue; // group markers
        if (a.mailbox === MISSING_MAILBOX || a.host === MISSING_DOMAIN) fromInvalid = true;
        else from.push(`${a.mailbox}@${a.host}`);
      }
    }
  }
  return { from, fromInvalid, received };
}
