// Migration v20: the admin charts' counters (issue 21), read and written by stats.ts.
//
//  - stats_hourly: (series name, hour since the epoch, UTC) → count, or a gauge's largest sample.
//  - stats_daily: the same per UTC day (day since the epoch), written with the hourly row in the
//    same statement batch, so the 30-day charts read 30 rows per series and the daily sums can be
//    kept for longer (a year) than the hours (a month).
// Both are WITHOUT ROWID keyed by (name, time), so a chart's read is one index range per series;
// the time indexes serve the retention prune.

export const statsMigration = `
CREATE TABLE IF NOT EXISTS stats_hourly (
  name TEXT NOT NULL,
  hour INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (name, hour)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stats_hourly_hour ON stats_hourly(hour);

CREATE TABLE IF NOT EXISTS stats_daily (
  name TEXT NOT NULL,
  day INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (name, day)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stats_daily_day ON stats_daily(day);
`;
