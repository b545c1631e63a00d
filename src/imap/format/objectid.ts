// Object identifiers (RFC 8474 3-5): derived from store ids, so they survive restarts and are the
// same in every session. objectid = 1*255(ALPHA / DIGIT / "_" / "-"); a letter prefix keeps the
// three kinds apart (and keeps an id from starting with a digit, which the RFC advises against).

export const mailboxObjectId = (id: number): string => `F${id}`;
export const emailObjectId = (id: number): string => `M${id}`;
export const threadObjectId = (id: number): string => `T${id}`;
