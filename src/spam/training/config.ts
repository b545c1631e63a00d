// The [spam] keys of training from users' actions (trainer.ts), spread into the [spam] section
// (src/spam/config.ts).
import { int } from "../../config/dsl.js";

export const trainingKeys = {
  trainQueue: int(
    1000,
    "Messages moved into or out of Junk (or marked $Junk/$NotJunk) waiting to train the classifier; beyond this many the rest are not trained (logged): training is best-effort and never holds up mail.",
    { min: 1, max: 1_000_000 },
  ),
};
