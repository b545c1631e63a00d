// The store contract on PostgreSQL (issue 17): the same suite as SQLite's (src/store/contract.ts)
// on a private cluster (src/testing/postgres.ts), each case in a schema of its own. The run with
// small body chunks is postgres-small-chunks.test.ts.
import { describe } from "node:test";
import { postgresSkip } from "../../testing/postgres.js";
import { runStoreContract } from "../contract.js";
import { postgresOpener } from "./test-opener.js";

const skip = postgresSkip();

if (skip) describe("store contract: postgres", { skip }, () => {});
else runStoreContract("postgres", postgresOpener());
