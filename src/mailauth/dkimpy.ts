// dkimpy (Debian's python3-dkim), an independent DKIM implementation, driven from tests: it signs
// and verifies batches of messages against a zone given here, so our signer and verifier are
// checked against someone else's reading of RFC 6376 and RFC 8463.
import { spawnSync } from "node:child_process";
import { fileSkip } from "../testing/requires.js";

/** Skip reason when python3-dkim is missing (CI installs it: .ci/run). */
export const dkimpySkip = (): false | string =>
  fileSkip("/usr/lib/python3/dist-packages/dkim/__init__.py", "python3-dkim");

export type DkimpyJob =
  | { op: "verify"; msg: Buffer }
  | {
      op: "sign";
      msg: Buffer;
      selector: string;
      domain: string;
      /** PKCS#1 PEM for RSA; base64 of the 32-byte seed for ed25519. */
      key: string;
      algorithm: "rsa-sha256" | "ed25519-sha256";
      canon: "relaxed/relaxed" | "simple/simple" | "relaxed/simple" | "simple/relaxed";
      headers: string[];
    };

const SCRIPT = `
import sys, json, base64, dkim
req = json.load(sys.stdin)
zone = req['zone']
def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return zone.get(n.rstrip('.').lower(), '').encode()
out = []
for j in req['jobs']:
    m = base64.b64decode(j['msg'])
    try:
        if j['op'] == 'verify':
            d = dkim.DKIM(m)
            n = sum(1 for h in d.headers if h[0].lower() == b'dkim-signature')
            out.append([bool(d.verify(idx=i, dnsfunc=dnsfunc)) for i in range(n)])
        else:
            hc, bc = j['canon'].split('/')
            sig = dkim.sign(m, j['selector'].encode(), j['domain'].encode(), j['key'].encode(),
                canonicalize=(hc.encode(), bc.encode()), signature_algorithm=j['algorithm'].encode(),
                include_headers=[h.encode() for h in j['headers']], linesep=b'\\r\\n')
            out.append(base64.b64encode(sig).decode())
    except Exception as e:
        out.append('error: %s' % e)
json.dump(out, sys.stdout)
`;

/** Runs the jobs in one python3 process: per verify job, one boolean per DKIM-Signature (top
 *  first); per sign job, the DKIM-Signature field as a Buffer; an error as a string. */
export function dkimpy(zone: Record<string, string>, jobs: DkimpyJob[]): (boolean[] | Buffer | string)[] {
  const input = JSON.stringify({
    zone,
    jobs: jobs.map((j) => ({ ...j, msg: j.msg.toString("base64") })),
  });
  const r = spawnSync("/usr/bin/python3", ["-c", SCRIPT], { input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`dkimpy: ${r.stderr.toString()}`);
  const out = JSON.parse(r.stdout.toString()) as (boolean[] | string)[];
  return out.map((o, i) =>
    jobs[i]!.op === "sign" && typeof o === "string" && !o.startsWith("error:") ? Buffer.from(o, "base64") : o,
  );
}
