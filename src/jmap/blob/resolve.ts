// A blobId of this account to its bytes (grammar in email/body.ts parseBlobId): an upload
// ("G…"), a whole stored message ("B<n>"), one decoded part of it ("B<n>_2_1"), and parts of
// attached messages or of uploaded messages, one "-path" per level ("B<n>_3-1", "G…-2"), each
// level parsed on demand. A stored message is only found through the account's own mailboxes,
// so one account never reads another's blobs. A "G…" id that is no pending upload may be the
// content of one of the account's Sieve scripts (RFC 9661 2.2, sieve/object.ts).
import { parseStructure } from "../../mime/parse.js";
import { decodeTransfer } from "../../mime/transfer.js";
import type { MessageStructure } from "../../mime/types.js";
import type { Account } from "../../store/types.js";
import type { JmapServices, MethodContext } from "../core/types.js";
import { parseBlobId, partAtPath } from "../email/body.js";
import { sieveScriptBlob } from "../sieve/object.js";

export interface BlobData {
  data: Buffer;
  type: string;
  /** The cached parse when the blob is a stored message (saves parsing it again). */
  structure?: MessageStructure;
}

async function baseBlob(services: JmapServices, account: Account, base: string): Promise<BlobData | null> {
  if (base.startsWith("G"))
    return (await services.uploads.get(account.id, base)) ?? (await sieveScriptBlob(services, account, base));
  const store = services.app.store.mail;
  const msg = await store.getMessageById(Number(base.slice(1)));
  if (!msg) return null;
  const box = await store.getMailboxById(msg.meta.mailboxId);
  if (!box || box.accountId !== account.id) return null;
  return { data: await store.readBody(msg.meta.blobId), type: "message/rfc822", structure: msg.structure };
}

export async function readBlob(
  services: JmapServices,
  account: Account,
  blobId: string,
): Promise<BlobData | null> {
  const ref = parseBlobId(blobId);
  if (!ref) return null;
  let blob = await baseBlob(services, account, ref.base);
  for (const path of ref.paths) {
    if (!blob) return null;
    const structure = blob.structure ?? parseStructure(blob.data);
    const part = partAtPath(structure, path);
    if (!part || part.type === "multipart") return null;
    blob = {
      data: decodeTransfer(blob.data.subarray(part.bodyStart, part.bodyEnd), part.encoding),
      type: `${part.type}/${part.subtype}`,
    };
  }
  return blob;
}

export const readBlobFor = (mc: MethodContext, blobId: string) => readBlob(mc.services, mc.account, blobId);
