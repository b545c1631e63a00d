// The parse of a message cached at store time, so FETCH/JMAP/search never re-parse the whole message.
// Offsets are byte offsets into the raw stored message, so any part, its header or its body
// can be sliced out (IMAP BODY[1.2.HEADER], BODY[2.TEXT], BINARY[3]) without parsing again.

/** An address as IMAP's ENVELOPE wants it: raw header text, not decoded.
 *  RFC 3501 group syntax: start of group = {name:null, mailbox:"group", host:null},
 *  end of group = {name:null, mailbox:null, host:null}. */
export interface EnvelopeAddress {
  name: string | null;
  /** RFC 5322 4.4 obs-route ("@a,@b"), the IMAP ENVELOPE adl (RFC 3501 7.4.2); absent when none. */
  adl?: string;
  mailbox: string | null;
  host: string | null;
}

export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[];
  sender: EnvelopeAddress[]; // defaults to from (RFC 3501 7.4.2)
  replyTo: EnvelopeAddress[]; // defaults to from
  to: EnvelopeAddress[];
  cc: EnvelopeAddress[];
  bcc: EnvelopeAddress[];
  inReplyTo: string | null;
  messageId: string | null;
}

export interface MimePart {
  headerStart: number; // first byte of this part's header
  bodyStart: number; // first byte after the blank line ending the header
  bodyEnd: number; // end of the body (exclusive), before the CRLF that precedes a boundary
  type: string; // lower-case, e.g. "text"
  subtype: string; // lower-case, e.g. "plain"
  params: Record<string, string>; // lower-case keys, RFC 2231 values decoded, raw otherwise
  id: string | null;
  description: string | null;
  encoding: string; // lower-case Content-Transfer-Encoding, "7bit" by default
  md5: string | null;
  disposition: { type: string; params: Record<string, string> } | null;
  language: string[] | null;
  location: string | null;
  lines: number; // line count of the body (text/* and message/rfc822)
  parts: MimePart[]; // children of a multipart
  message: MessageStructure | null; // for message/rfc822 (and message/global)
}

export interface MessageStructure {
  envelope: Envelope;
  references: string[]; // Message-IDs from References, for threading
  root: MimePart; // the whole message as a part (headerStart 0)
}
