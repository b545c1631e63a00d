// ENVELOPE (RFC 9051 7.5.2 / RFC 3501 7.4.2) from the cached parse: raw header text, never decoded.
import type { Envelope, EnvelopeAddress } from "../../mime/types.js";
import { type Item, q } from "../wire/writer.js";

function addresses(list: EnvelopeAddress[]): Item {
  if (list.length === 0) return null;
  // (name adl mailbox host); adl is the obsolete source route, NIL when there is none.
  return list.map((a) => [q(a.name), q(a.adl ?? null), q(a.mailbox), q(a.host)]);
}

export function envelopeItem(e: Envelope): Item {
  return [
    q(e.date),
    q(e.subject),
    addresses(e.from),
    addresses(e.sender.length ? e.sender : e.from),
    addresses(e.replyTo.length ? e.replyTo : e.from),
    addresses(e.to),
    addresses(e.cc),
    addresses(e.bcc),
    q(e.inReplyTo),
    q(e.messageId),
  ];
}
