// Strict base64 for SASL exchanges (RFC 4954 §4): a response that is not valid base64 is a
// protocol error, not something to guess at. "=" alone stands for an empty response.

export function decodeSaslBase64(s: string): Buffer | null {
  if (s === "=") return Buffer.alloc(0);
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  return Buffer.from(s, "base64");
}
