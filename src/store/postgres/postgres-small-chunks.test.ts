// The store contract on PostgreSQL with bodies cut into 1 KiB chunks, so every body of the suite
// spans several chunk rows (blobs.ts): the chunked read and write paths under the whole contract.
import { describe } from "node:test";
import { postgresSkip } from "../../testing/postgres.js";
import { runStoreContract } from "../contract.js";
import { postgresOpener } from "./test-opener.js";

const skip = postgresSkip();

if (skip) describe("store contract: postgres, small chunks", { skip }, () => {});
else runStoreContract("postgres, small chunks", postgresOpener({ chunkBytes: 1024 }));
