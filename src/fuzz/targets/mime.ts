// MIME (src/mime) and what IMAP makes of it: the structure parser, header fields and encoded
// words (RFC 2047), addresses, parameters (RFC 2231), transfer decoding, and the IMAP
// ENVELOPE/BODYSTRUCTURE/BINARY answers built from the parse (FETCH). Nothing here may throw on
// any input except BINARY's typed refusal of an unknown encoding. Checks: every part's offsets lie
// inside the message and in order.
import { ImapError } from "../../imap/errors.js";
import { binaryBytes } from "../../imap/format/binary.js";
import { bodyStructureItem } from "../../imap/format/bodystructure.js";
import { envelopeItem } from "../../imap/format/envelope.js";
import { encodeItems } from "../../imap/wire/writer.js";
import {
  decodeHeaderValue,
  getHeaderFields,
  type MimePart,
  parseAddressList,
  parseContentType,
  parseDisposition,
  parseStructure,
  textOf,
} from "../../mime/index.js";
import { check, type FuzzTarget } from "../target.js";

const ADDRESS_FIELDS = new Set(["from", "to", "cc", "bcc", "sender", "reply-to", "resent-from"]);

function walk(part: MimePart, path: number[], out: { part: MimePart; path: number[] }[]): void {
  out.push({ part, path });
  for (const [i, p] of part.parts.entries()) walk(p, [...path, i + 1], out);
  if (part.message) walk(part.message.root, path, out);
}

export const mimeTarget: FuzzTarget = {
  name: "mime",
  coverage: ["src/mime/", "src/imap/format/"],
  dictionary: [
    "\r\n",
    "\r\n\r\n",
    "\n",
    "Content-Type: multipart/mixed; boundary=b\r\n",
    "Content-Type: message/rfc822\r\n",
    "Content-Type: multipart/digest; boundary=",
    "Content-Type: text/html; charset=iso-2022-jp\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "Content-Disposition: attachment; filename*0*=utf-8''a%20b; filename*1=c\r\n",
    "--b\r\n",
    "--b--\r\n",
    "--boundary",
    "=?utf-8?b?",
    "=?utf-8?q?",
    "=?iso-8859-1*en?Q?",
    "?=",
    "=C3=A9",
    "=\r\n",
    "From: ",
    'To: a@b, "x y" <c@d>, g: e@f;\r\n',
    "Subject: ",
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n",
    "Message-ID: <a@b>\r\n",
    "References: <a@b> <c@d>\r\n",
    "(",
    ")",
    '"',
    "\\",
    ";",
    "<",
    ">",
    "\t",
  ],
  maxLength: 8192,
  run(input) {
    const s = parseStructure(input, { maxDepth: 20, maxParts: 200 });
    for (const utf8 of [false, true]) encodeItems([envelopeItem(s.envelope)], { utf8 });
    const parts: { part: MimePart; path: number[] }[] = [];
    walk(s.root, [], parts);
    for (const { part, path } of parts) {
      check(
        0 <= part.headerStart &&
          part.headerStart <= part.bodyStart &&
          part.bodyStart <= part.bodyEnd &&
          part.bodyEnd <= input.length,
        `part ${path.join(".")} offsets out of order`,
      );
      for (const f of getHeaderFields(input.subarray(part.headerStart, part.bodyStart))) {
        const value = f.value;
        decodeHeaderValue(value);
        if (ADDRESS_FIELDS.has(f.name.toLowerCase())) parseAddressList(value);
        if (f.name.toLowerCase() === "content-type") parseContentType(value);
        if (f.name.toLowerCase() === "content-disposition") parseDisposition(value);
      }
      textOf(input, part);
      try {
        binaryBytes(input, s, path);
      } catch (e) {
        if (!(e instanceof ImapError)) throw e;
      }
    }
    for (const extended of [false, true]) encodeItems([bodyStructureItem(s.root, extended)], { utf8: true });
  },
};
