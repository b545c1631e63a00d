// BINARY[part] contents (RFC 3516 4.1): a part's body with its Content-Transfer-Encoding undone.
// BINARY[] is the whole message as stored; multiparts and messages are identity-encoded anyway.
import { partAt } from "../../mime/section.js";
import { decodeTransfer } from "../../mime/transfer.js";
import type { MessageStructure } from "../../mime/types.js";
import { no } from "../errors.js";

const KNOWN = new Set(["7bit", "8bit", "binary", "base64", "quoted-printable"]);

export function binaryBytes(body: Buffer, structure: MessageStructure, path: number[]): Buffer {
  if (path.length === 0) return body;
  const part = partAt(structure, path);
  if (!part) return Buffer.alloc(0);
  const raw = body.subarray(part.bodyStart, part.bodyEnd);
  if (part.parts.length > 0 || part.message) return raw;
  // RFC 3516 4.3: an encoding the server cannot decode is refused with UNKNOWN-CTE.
  if (!KNOWN.has(part.encoding))
    throw no(`Unknown Content-Transfer-Encoding ${part.encoding}`, "UNKNOWN-CTE");
  return decodeTransfer(raw, part.encoding);
}
