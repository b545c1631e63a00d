// The length cut of a name to query (RFC 7208 §4.8): a name over 253 characters loses labels
// from the left until it fits. Its own file so the test can hold it to the label-by-label cut it
// replaces.

/** The longest name that may be queried, without the final dot. */
export const MAX_QUERY_NAME = 253;

/** `name` cut from the left at a dot to at most 253 characters: the suffix after the first dot
 *  at or past `length - 254`. Found with one indexOf, so a 4,096-character expansion costs one
 *  scan; cutting one label at a time copied the rest of the name per label (O(n²)). A name with
 *  no dot there keeps what follows its last dot, as the label-by-label cut did (it then fails the
 *  label checks). */
export function cutToQueryLength(name: string): string {
  if (name.length <= MAX_QUERY_NAME) return name;
  const dot = name.indexOf(".", name.length - MAX_QUERY_NAME - 1);
  return name.slice((dot >= 0 ? dot : name.lastIndexOf(".")) + 1);
}
