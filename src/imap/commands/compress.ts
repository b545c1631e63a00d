// RFC 4978 3 COMPRESS DEFLATE: the tagged OK goes out uncompressed, then both directions are raw
// DEFLATE (RFC 1951) streams; each batch of responses is ended with a sync flush (RFC 4978 4) so
// the client can decode it at once. A second COMPRESS gets NO [COMPRESSIONACTIVE] (RFC 4978 3).
// Only after authentication, so no credentials pass through the compressor before TLS is chosen.
import { bad, no } from "../errors.js";
import { AUTH, type CommandSpec } from "./types.js";

export const compress: CommandSpec<"COMPRESS"> = {
  states: AUTH,
  async run(cmd, s) {
    if (cmd.mechanism !== "DEFLATE") throw bad("Unknown compression mechanism");
    if (s.io.compressed) throw no("Compression already active", "COMPRESSIONACTIVE");
    s.sendLine(`${cmd.tag} OK DEFLATE active`);
    s.io.startCompression();
    return { done: true };
  },
};
