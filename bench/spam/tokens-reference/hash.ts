// The reference tokeniser hashed with the same hash53: it did not change with the one-pass tokeniser.
export { hash53 } from "../../../src/spam/classifier/hash.js";
