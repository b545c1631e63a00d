// The answers to pending ACME challenges, while their validation runs: HTTP-01 key
// authorizations by token (served at /.well-known/acme-challenge/TOKEN, RFC 8555 8.3, by
// routes.ts on every plain-HTTP listener) and TLS-ALPN-01 validation certificates by name
// (RFC 8737 3, served by the HTTPS listener through the TLS provider).

export interface AlpnSink {
  setAlpnChallenge(name: string, pem: { cert: string; key: string } | null): void;
}

/** Token characters (RFC 8555 8.3: base64url), so a request path cannot be anything else. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export class ChallengeResponder {
  private readonly http = new Map<string, string>();
  constructor(private readonly tls: AlpnSink) {}

  addHttp(token: string, keyAuthorization: string): void {
    this.http.set(token, keyAuthorization);
  }

  removeHttp(token: string): void {
    this.http.delete(token);
  }

  addAlpn(name: string, pem: { cert: string; key: string }): void {
    this.tls.setAlpnChallenge(name, pem);
  }

  removeAlpn(name: string): void {
    this.tls.setAlpnChallenge(name, null);
  }

  /** The key authorization for a token, or null when no such challenge is pending. */
  httpAnswer(token: string): string | null {
    if (!TOKEN.test(token)) return null;
    return this.http.get(token) ?? null;
  }
}
