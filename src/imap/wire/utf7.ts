// Modified UTF-7 for mailbox names (RFC 3501 5.1.3): printable ASCII stands for itself except "&",
// written "&-"; other characters are UTF-16 in modified base64 ("," for "/") between "&" and "-".
// Used only while the client has not enabled UTF8=ACCEPT or IMAP4rev2 (RFC 9051 / RFC 6855).

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

export function encodeMailboxName(name: string): string {
  let out = "";
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      out += c === 0x26 ? "&-" : name[i];
      i++;
      continue;
    }
    let j = i;
    while (j < name.length) {
      const d = name.charCodeAt(j);
      if (d >= 0x20 && d <= 0x7e) break;
      j++;
    }
    const bytes: number[] = [];
    for (let k = i; k < j; k++) {
      const u = name.charCodeAt(k);
      bytes.push(u >> 8, u & 0xff);
    }
    out += `&${base64(bytes)}-`;
    i = j;
  }
  return out;
}

function base64(bytes: number[]): string {
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64[(acc >> bits) & 0x3f];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B64[(acc << (6 - bits)) & 0x3f];
  return out;
}

/** Decodes a modified UTF-7 name; returns null when it is not valid modified UTF-7. */
export function decodeMailboxName(s: string): string | null {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c > 0x7e) return null;
    if (ch !== "&") {
      out += ch;
      i++;
      continue;
    }
    const end = s.indexOf("-", i + 1);
    if (end === -1) return null;
    if (end === i + 1) {
      out += "&";
      i = end + 1;
      continue;
    }
    let acc = 0;
    let bits = 0;
    const units: number[] = [];
    let pendingByte = -1;
    for (let k = i + 1; k < end; k++) {
      const v = B64.indexOf(s[k]!);
      if (v === -1) return null;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const byte = (acc >> bits) & 0xff;
        acc &= (1 << bits) - 1;
        if (pendingByte === -1) pendingByte = byte;
        else {
          units.push((pendingByte << 8) | byte);
          pendingByte = -1;
        }
      }
    }
    if (pendingByte !== -1 || acc !== 0) return null;
    const text = String.fromCharCode(...units);
    // RFC 3501 5.1.3: printable ASCII must not be encoded in base64.
    if (/[\x20-\x7e]/.test(text)) return null;
    out += text;
    i = end + 1;
  }
  return out;
}
