import { MemoryLocks } from "./locks.js";
import { runLockContract } from "./locks-contract.js";

runLockContract("MemoryLocks", async () => {
  const locks = new MemoryLocks();
  return { a: locks, b: locks, close: () => locks.close() };
});
