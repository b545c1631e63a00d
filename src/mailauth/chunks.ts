// mailauth hashes what it is given chunk by chunk; a whole 25 MB Buffer in one write would be
// hashed in one go and hold the event loop for a quarter of a second. Fed in slices through a
// stream, other connections get their turn between slices.
import { Readable } from "node:stream";

export const CHUNK_BYTES = 64 * 1024;

export function inChunks(body: Buffer, size = CHUNK_BYTES): Readable {
  function* slices() {
    for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
  }
  return Readable.from(slices(), { objectMode: false });
}
