// A Sieve script's text as a JMAP blob (RFC 9661 2: SieveScript.blobId): uploaded through the
// upload URL (RFC 8620 6.1) and read back through the download URL, as the page reads any blob.
import { sessionLost } from "./http";
import type { Jmap } from "./jmap";

/** RFC 5804 6: the media type of a Sieve script. */
const SIEVE_TYPE = "application/sieve";

export function scriptBlobs(jmap: Jmap): {
  upload(text: string): Promise<string>;
  download(script: { blobId: string; name: string | null }): Promise<string>;
} {
  return {
    async upload(text) {
      const up = jmap.upload(new Blob([text], { type: SIEVE_TYPE }), () => {});
      return (await up.done).blobId;
    },
    async download(script) {
      const r = await fetch(jmap.downloadUrl(script.blobId, `${script.name ?? "script"}.sieve`, SIEVE_TYPE), {
        credentials: "same-origin",
        cache: "no-store",
      });
      if (r.status === 401) throw sessionLost();
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return await r.text();
    },
  };
}
