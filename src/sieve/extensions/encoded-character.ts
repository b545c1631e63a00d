// RFC 5228 2.4.2.4 encoded-character: "${hex:..}" and "${unicode:..}" in strings, decoded when the
// script is compiled (validate.ts, strings.ts decodeEncodedCharacters); this registers the name.
import type { SieveExtension } from "../registry.js";

export const encodedCharacterExtension: SieveExtension = { capabilities: ["encoded-character"] };
