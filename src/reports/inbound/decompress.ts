// Unpacking a report attachment: gzip (RFC 1952; DMARC reports as .xml.gz, RFC 7489 §7.2.1.1;
// TLS-RPT as application/tlsrpt+gzip, RFC 8460 §5.3) with node:zlib, and zip (PKWARE APPNOTE;
// DMARC reports from Google and others) with fflate's streaming reader. Both stop at a byte cap
// on what they produce, so a zip or gzip bomb costs at most the cap (plus one step's output,
// under 4 MiB) of memory, never the size it claims or expands to.
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { Unzip, UnzipInflate } from "fflate";

const gunzipAsync = promisify(gunzip);

/** Why an attachment could not be unpacked; the message is for the log. */
export class UnpackError extends Error {
  constructor(
    readonly reason: "too-large" | "too-many-entries" | "no-report-entry" | "corrupt",
    message: string,
  ) {
    super(message);
    this.name = "UnpackError";
  }
}

export interface UnpackLimits {
  /** Most octets the unpacked report may have. */
  maxBytes: number;
}

/** Most entries a report zip is read through: a report zip holds one file (RFC 7489 §7.2.1.1). */
export const MAX_ZIP_ENTRIES = 16;
/** Compressed bytes handed to the inflater at a time: deflate expands at most 1032:1, so one step
 *  produces at most about 4 MiB past the cap before the cap is seen. */
const STEP = 4096;

export async function gunzipReport(data: Buffer, limits: UnpackLimits): Promise<Buffer> {
  try {
    return await gunzipAsync(data, { maxOutputLength: limits.maxBytes });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new UnpackError("too-large", `gzip expands past ${limits.maxBytes} octets`);
    throw new UnpackError("corrupt", `not a gzip stream: ${(error as Error).message}`);
  }
}

/** The first entry whose name ends in `suffix` (".xml"), unpacked. */
export function unzipReport(data: Buffer, suffix: string, limits: UnpackLimits): Buffer {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let entries = 0;
  let found = false;
  let done = false;
  let failure: UnpackError | null = null;
  const fail = (e: UnpackError) => {
    failure ??= e;
  };
  const unzip = new Unzip((file) => {
    if (failure || done) return;
    entries++;
    if (entries > MAX_ZIP_ENTRIES) {
      fail(new UnpackError("too-many-entries", `zip has more than ${MAX_ZIP_ENTRIES} entries`));
      return;
    }
    const target = !found && file.name.toLowerCase().endsWith(suffix);
    if (target) found = true;
    // Every entry's output counts toward the cap (fflate may inflate one it was not asked to).
    file.ondata = (err, chunk, final) => {
      if (failure || done) return;
      if (err) {
        fail(new UnpackError("corrupt", `zip entry ${file.name}: ${err.message}`));
        return;
      }
      produced += chunk.length;
      if (produced > limits.maxBytes) {
        fail(new UnpackError("too-large", `zip expands past ${limits.maxBytes} octets`));
        file.terminate();
        return;
      }
      if (!target) return;
      chunks.push(chunk);
      if (final) done = true;
    };
    if (target) {
      try {
        file.start();
      } catch (error) {
        fail(new UnpackError("corrupt", `zip entry ${file.name}: ${(error as Error).message}`));
      }
    }
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < data.length && !failure && !done; at += STEP) {
      const end = Math.min(at + STEP, data.length);
      unzip.push(data.subarray(at, end), end === data.length);
    }
  } catch (error) {
    fail(new UnpackError("corrupt", `not a zip archive: ${(error as Error).message}`));
  }
  if (failure) throw failure;
  if (!found) throw new UnpackError("no-report-entry", `zip holds no *${suffix} entry`);
  if (!done) throw new UnpackError("corrupt", "zip entry ends early");
  return Buffer.concat(chunks);
}
