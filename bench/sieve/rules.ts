// A realistic N-rule Sieve script for the benchmarks (bench/sieve.ts, bench/smtp.ts --sieve N):
// the kinds of rule people write and the webmail's rules editor writes — by sender, sender
// domain, subject word, list, header presence, size, envelope recipient, a few body searches —
// filing into folders, flagging, and stopping. Deterministic for a given N (no randomness), so
// runs compare.

const words = [
  "invoice",
  "receipt",
  "meeting",
  "newsletter",
  "urgent",
  "report",
  "offer",
  "order",
  "alert",
  "digest",
];
// Lists and words that do occur in the corpus bench:sieve runs over, so some rules match.
const lists = ["spamassassin-talk", "exmh-users", "ilug", "fork", "razor-users", "spamassassin-devel"];
const domains = [
  "bank.example",
  "shop.example",
  "news.example",
  "lists.example",
  "work.example",
  "tax.example",
];

/** The script's text: `n` rules (n ≥ 1), each an if with one or two tests and one to three actions. */
export function benchScript(n: number): string {
  const lines = ['require ["fileinto", "imap4flags", "envelope", "body"];', ""];
  for (let i = 0; i < n; i++) {
    const w = words[Math.floor(i / 10) % words.length]!;
    const list = lists[Math.floor(i / 10) % lists.length]!;
    const d = domains[i % domains.length]!;
    const folder = `Rules/${w}-${i}`;
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
        lines.push(`if address :is "from" "sender${i}@${d}" { fileinto "${folder}"; stop; }`);
        break;
      case 3:
        lines.push(`if address :domain :is ["from", "sender"] "${i}.${d}" { fileinto "${folder}"; }`);
        break;
      case 4:
        lines.push(`if header :contains "subject" "${w}" { addflag "\\\\Flagged"; fileinto "${folder}"; }`);
        break;
      case 5:
        lines.push(
          `if header :contains "list-id" "${list}" { fileinto "Lists/${i}"; addflag "\\\\Seen"; stop; }`,
        );
        break;
      case 6:
        lines.push(`if allof (exists "x-rule-${i}", header :is "x-priority" "1") { addflag "$Important"; }`);
        break;
      case 7:
        lines.push(`if size :over ${1000 + i}K { fileinto "Large"; }`);
        break;
      case 8:
        lines.push(`if envelope :all :is "to" "alias${i}@example.test" { fileinto "${folder}"; stop; }`);
        break;
      case 9:
        // Body searches are the costly kind; one rule in twenty.
        lines.push(
          i % 20 === 9
            ? `if body :text :contains "order number ${i}-" { fileinto "${folder}"; }`
            : `if header :matches "subject" "*[${w}${i}]*" { fileinto "${folder}"; }`,
        );
        break;
    }
  }
  return `${lines.join("\n")}\n`;
}
