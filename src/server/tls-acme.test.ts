// The TLS provider with ACME's certificates (src/acme/files.ts): the issued one replaces the
// self-signed one on reload, and further certificates (over 100 names) are chosen by SNI.
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect, createServer } from "node:tls";
import selfsigned from "selfsigned";
import { issuedCertificate } from "../acme/files.js";
import { defaultConfig } from "../config/load.js";
import { createTlsProvider } from "./tls.js";

async function certFor(names: string[], key: { privateKey: string; publicKey: string }): Promise<string> {
  const p = await selfsigned.generate([{ name: "commonName", value: names[0]! }], {
    keyType: "ec",
    curve: "P-256",
    keyPair: key,
    extensions: [{ name: "subjectAltName", altNames: names.map((value) => ({ type: 2 as const, value })) }],
  });
  return p.cert;
}

/** The first DNS name of the certificate a handshake naming `servername` gets. */
function served(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", servername, rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()?.subjectAltName?.split(", ")[0] ?? "");
      s.destroy();
    });
    s.on("error", reject);
  });
}

test("the issued certificate is served from its first reload on; further ones by SNI", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-tls-acme-"));
  try {
    const config = defaultConfig();
    config.server.dataDir = dataDir;
    config.server.hostname = "mail.example.com";
    const issued = issuedCertificate(dataDir);
    const tls = await createTlsProvider(config, { issued });
    assert.equal(tls.source(), "self-signed");

    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const key = {
      privateKey: keyPem,
      publicKey: createPublicKey(keyPem).export({ type: "spki", format: "pem" }).toString(),
    };
    mkdirSync(join(dataDir, "acme"), { recursive: true });
    writeFileSync(issued.key, keyPem);
    writeFileSync(issued.cert, await certFor(["mail.example.com", "autoconfig.a.example"], key));
    writeFileSync(join(dataDir, "acme", "cert-2.pem"), await certFor(["mta-sts.z.example"], key));
    // A certificate that does not fit the key is skipped, not fatal.
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    writeFileSync(
      join(dataDir, "acme", "cert-3.pem"),
      await certFor(["stale.example"], {
        privateKey: other,
        publicKey: createPublicKey(other).export({ type: "spki", format: "pem" }).toString(),
      }),
    );
    tls.reload();
    assert.equal(tls.source(), "acme");
    assert.equal(tls.certPath, issued.cert);

    const server = createServer(
      { SNICallback: (name, cb) => cb(null, tls.sniContext(name)), secureContext: tls.context() },
      (s) => s.end(),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      assert.equal(await served(port, "mail.example.com"), "DNS:mail.example.com");
      assert.equal(await served(port, "mta-sts.z.example"), "DNS:mta-sts.z.example");
      assert.equal(await served(port, "stale.example"), "DNS:mail.example.com");
      assert.equal(await served(port, "unknown.example"), "DNS:mail.example.com");
    } finally {
      server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
