// The structure stored when the MIME parser fails on a body (it should never throw, but a stored
// message must never be lost to a parser bug): the whole message as one text/plain part. Used by
// both stores (sqlite/index.ts, postgres/index.ts) through parseOrMinimal.
import type { Logger } from "../../log/logger.js";
import type { MessageStructure } from "../../mime/types.js";

/** `parser`, logging a failure and answering minimalStructure instead of throwing. */
export function parseOrMinimal(
  parser: (body: Buffer) => MessageStructure,
  log: Logger,
): (body: Buffer) => MessageStructure {
  return (body) => {
    try {
      return parser(body);
    } catch (error) {
      log.error("message parse failed; storing a minimal structure", { error });
      return minimalStructure(body);
    }
  };
}

export function minimalStructure(body: Buffer): MessageStructure {
  const sep = body.indexOf("\r\n\r\n");
  const bodyStart = sep < 0 ? body.length : sep + 4;
  let lines = 0;
  for (let i = bodyStart; i < body.length; i++) if (body[i] === 0x0a) lines++;
  return {
    envelope: {
      date: null,
      subject: null,
      from: [],
      sender: [],
      replyTo: [],
      to: [],
      cc: [],
      bcc: [],
      inReplyTo: null,
      messageId: null,
    },
    references: [],
    root: {
      headerStart: 0,
      bodyStart,
      bodyEnd: body.length,
      type: "text",
      subtype: "plain",
      params: { charset: "us-ascii" },
      id: null,
      description: null,
      encoding: "7bit",
      md5: null,
      disposition: null,
      language: null,
      location: null,
      lines,
      parts: [],
      message: null,
    },
  };
}
