// SASL PLAIN (RFC 4616 §2): [authzid] NUL authcid NUL passwd, UTF-8.
// Yubin has no proxy authorization: an authzid other than the login itself is refused.

export interface Credentials {
  username: string;
  password: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodePlain(message: Buffer): Credentials | { error: "syntax" | "authzid" } {
  const first = message.indexOf(0);
  const second = first < 0 ? -1 : message.indexOf(0, first + 1);
  if (first < 0 || second < 0 || message.indexOf(0, second + 1) >= 0) return { error: "syntax" };
  let authzid: string;
  let username: string;
  let password: string;
  try {
    authzid = utf8.decode(message.subarray(0, first));
    username = utf8.decode(message.subarray(first + 1, second));
    password = utf8.decode(message.subarray(second + 1));
  } catch {
    return { error: "syntax" };
  }
  if (username === "" || password === "") return { error: "syntax" };
  if (authzid !== "" && authzid.toLowerCase() !== username.toLowerCase()) return { error: "authzid" };
  return { username, password };
}
