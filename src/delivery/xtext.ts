// xtext (RFC 3461 §4): printable ASCII except "+" and "=", with "+XX" hex escapes.
// Used by the DSN parameters ENVID and ORCPT: the SMTP server decodes them (src/smtp/commands),
// the delivery engine encodes them again (src/outbound/client.ts). It lives with the envelope, in
// delivery/, so that neither imports the other's protocol folder.

export function decodeXtext(s: string): string | null {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return null;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 2;
    } else if (c >= 0x21 && c <= 0x7e && c !== 0x3d) out += s[i];
    else return null;
  }
  return out;
}

export function encodeXtext(s: string): string {
  let out = "";
  for (const ch of Buffer.from(s, "utf8")) {
    if (ch >= 0x21 && ch <= 0x7e && ch !== 0x2b && ch !== 0x3d) out += String.fromCharCode(ch);
    else out += `+${ch.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
