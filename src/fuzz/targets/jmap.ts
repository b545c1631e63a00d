// JMAP Email objects (src/jmap/email, RFC 8621 4.1) of any message, as Email/get and Email/parse
// build them: every default property (preview through the HTML-to-text code, bodyValues, body
// lists, sentAt's Date parse), the raw headers, bodyStructure, and header:*:as* forms (§4.1.2).
// Nothing may throw: a malformed message still gets an Email object.

import { DEFAULT_BODY_PROPERTIES } from "../../jmap/email/body.js";
import { DEFAULT_EMAIL_PROPERTIES, emailObject } from "../../jmap/email/object.js";
import { parseStructure } from "../../mime/index.js";
import type { FuzzTarget } from "../target.js";

const PROPS = [
  ...DEFAULT_EMAIL_PROPERTIES,
  "headers",
  "bodyStructure",
  "header:From:asAddresses",
  "header:To:asGroupedAddresses:all",
  "header:Subject:asText",
  "header:Date:asDate",
  "header:Message-ID:asMessageIds",
  "header:List-Unsubscribe:asURLs",
  "header:X-Anything:asRaw",
];
// Body values whole, and cut short (a small preview scan and maxBodyValueBytes, so that cuts
// inside characters and tags are tried).
const ALL_VALUES = {
  fetchText: true,
  fetchHtml: true,
  fetchAll: true,
  maxBytes: 0,
  previewScanBytes: 262_144,
};
const SHORT_VALUES = {
  fetchText: false,
  fetchHtml: true,
  fetchAll: false,
  maxBytes: 100,
  previewScanBytes: 1024,
};
const BODY_PROPS = [...DEFAULT_BODY_PROPERTIES, "headers", "subParts", "header:Content-Type:asText"];

export const jmapTarget: FuzzTarget = {
  name: "jmap",
  coverage: ["src/jmap/email/", "src/jmap/snippet/"],
  dictionary: [
    "\r\n",
    "\r\n\r\n",
    "Content-Type: text/html; charset=utf-8\r\n",
    "Content-Type: multipart/alternative; boundary=b\r\n",
    "Content-Type: message/rfc822\r\n",
    "--b\r\n",
    "--b--\r\n",
    "<style>",
    "</style>",
    "<script>",
    "</script",
    "<br>",
    "<",
    ">",
    "&nbsp;",
    "&amp;",
    "&#x41;",
    "<!--",
    "-->",
    "Date: ",
    "(",
    ")",
    "Mon, 1 Jan 2024 00:00:00 +0000",
    "From: ",
    "List-Unsubscribe: <https://a/b>, <mailto:x@y>\r\n",
    "=?utf-8?q?",
    "?=",
    "Subject: ",
  ],
  maxLength: 8192,
  run(input) {
    const structure = parseStructure(input, { maxDepth: 20, maxParts: 200 });
    const src = { meta: null, blobId: "Gfuzz", size: input.length, structure, body: input };
    emailObject(src, PROPS, BODY_PROPS, ALL_VALUES);
    emailObject(src, PROPS, BODY_PROPS, SHORT_VALUES);
  },
};
