// The MIME module's public API: parse once at store time, then slice by offsets.

export { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "./address.js";
export { decodeCharset, decodeLoose } from "./charset.js";
export { decodeHeaderValue } from "./encoded-word.js";
export { extractMessageIds } from "./envelope.js";
export { getHeaderFields, type HeaderField, selectHeaderFields } from "./headers.js";
export { parseContentType, parseDisposition } from "./params.js";
export { MAX_MIME_DEPTH, MAX_MIME_PARTS, type ParseOptions, parseStructure } from "./parse.js";
export { partAt } from "./section.js";
export { textOf } from "./text.js";
export { decodeTransfer } from "./transfer.js";
export type { Envelope, EnvelopeAddress, MessageStructure, MimePart } from "./types.js";
