// SASL LOGIN (draft-murchison-sasl-login): the server prompts "Username:" and "Password:"
// (base64), the client answers each in base64. Obsolete but what many clients still use.

export const usernamePrompt = Buffer.from("Username:").toString("base64");
export const passwordPrompt = Buffer.from("Password:").toString("base64");

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeLoginField(b: Buffer): string | null {
  try {
    const s = utf8.decode(b);
    return s === "" || s.includes("\0") ? null : s;
  } catch {
    return null;
  }
}
