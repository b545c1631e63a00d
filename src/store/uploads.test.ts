import { MemoryUploads } from "./uploads.js";
import { runUploadContract } from "./uploads-contract.js";

runUploadContract("MemoryUploads", (limits, now) => {
  const u = new MemoryUploads(limits, now);
  return [u, u];
});
