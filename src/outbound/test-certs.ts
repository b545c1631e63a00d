// Certificates for outbound TLS tests: a throwaway CA (written to a file for outbound.caFile)
// and server certificates it signs for the names a test chooses, so that "valid for the MX
// name" and "not valid for it" can both be produced without touching the system's trust store.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import selfsigned from "selfsigned";

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCa extends Pem {
  /** PEM file holding the CA certificate (for outbound.caFile). */
  caFile: string;
  /** A server certificate signed by this CA, valid for `names` (DNS subjectAltNames). */
  issue(names: string[]): Promise<Pem>;
  /** The same, written to files (for a server's [tls] cert and key). */
  issueFiles(names: string[]): Promise<{ cert: string; key: string }>;
  remove(): Promise<void>;
}

const keyOpts = { keyType: "ec", curve: "P-256", algorithm: "sha256" } as const;

export async function createTestCa(): Promise<TestCa> {
  const ca = await selfsigned.generate([{ name: "commonName", value: "Yubin Test CA" }], {
    ...keyOpts,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), "yubin-test-ca-"));
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, ca.cert);
  const issue = async (names: string[]): Promise<Pem> => {
    const leaf = await selfsigned.generate([{ name: "commonName", value: names[0] ?? "localhost" }], {
      ...keyOpts,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: names.map((value) => ({ type: 2 as const, value })) },
      ],
    });
    return { cert: leaf.cert, key: leaf.private };
  };
  let files = 0;
  return {
    cert: ca.cert,
    key: ca.private,
    caFile,
    issue,
    async issueFiles(names) {
      const pem = await issue(names);
      const n = ++files;
      const out = { cert: join(dir, `server-${n}.pem`), key: join(dir, `server-${n}.key`) };
      await writeFile(out.cert, pem.cert);
      await writeFile(out.key, pem.key, { mode: 0o600 });
      return out;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
