//! The notification outbox (`notify_outbox`): one row per channel per alert or signal,
//! inserted in the transaction that stores the alert or signal ([`enqueue`]), so a stored
//! alert always has its notifications queued and a rolled-back one never does.
//!
//! A drain (the notification sink) claims a batch of due rows for a channel (fixing its
//! `batch_key` for good), counts an attempt, sends, and then marks the rows sent, due
//! again later, or failed. A process killed between the send and the mark leaves the
//! rows queued with the same batch, so the resend carries the same idempotency key.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::db::{Conn, Row, params};
use super::{Result, Store, parse_ts, ts};

pub use crate::notice::{OutboxEntry, SourceKind};

fn parse_kind(s: &str) -> Result<SourceKind> {
    match s {
        "alert" => Ok(SourceKind::Alert),
        "signal" => Ok(SourceKind::Signal),
        other => Err(super::Error::Corrupt {
            table: "notify_outbox",
            column: "source_kind",
            detail: format!("{other:?}"),
        }),
    }
}

/// Queues `entry` for each of its channels, inside the caller's transaction. A row that
/// already exists for (channel, source) is left alone. Returns the rows added.
pub(crate) fn enqueue(
    tx: Conn<'_>,
    kind: SourceKind,
    source_id: i64,
    entry: &OutboxEntry,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut added = 0;
    for ch in &entry.channels {
        added += tx.execute(
            "INSERT INTO notify_outbox (channel, source_kind, source_id, idempotency_key,
                 payload, created_at, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (channel, source_kind, source_id) DO NOTHING",
            params![
                ch,
                kind.as_str(),
                source_id,
                kind.key(source_id),
                &entry.payload,
                ts(now)
            ],
        )?;
    }
    Ok(added)
}

/// One queued notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: String,
    pub source_kind: SourceKind,
    pub source_id: i64,
    pub idempotency_key: String,
    pub payload: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// Rows that go out in one message, under one idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxBatch {
    /// The row's own key for a single row; `batch-<hash of the rows' keys>` for several.
    pub key: String,
    pub rows: Vec<OutboxRow>,
}

impl OutboxBatch {
    pub fn ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.id).collect()
    }

    /// Attempts made before this one (the most of any row).
    pub fn attempts(&self) -> u32 {
        self.rows.iter().map(|r| r.attempts).max().unwrap_or(0)
    }
}

/// The key of a batch of rows: stable for the same rows in any order.
pub fn batch_key(keys: &[&str]) -> String {
    if let [one] = keys {
        return one.to_string();
    }
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    let digest = Sha256::digest(sorted.join(",").as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("batch-{hex}")
}

/// Counts and the last problem of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ChannelCounts {
    pub channel: String,
    pub queued: u64,
    /// Queued rows whose next attempt time has come.
    pub due: u64,
    pub sent: u64,
    pub failed: u64,
    /// The earliest next attempt of a queued row.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

const ROW_COLUMNS: &str =
    "id, channel, source_kind, source_id, idempotency_key, payload, attempts, created_at";

type RawRow = (i64, String, String, i64, String, String, i64, String);

fn raw_row(r: &Row<'_, '_>) -> Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn finish_row(raw: RawRow) -> Result<OutboxRow> {
    let (id, channel, kind, source_id, key, payload, attempts, created) = raw;
    Ok(OutboxRow {
        id,
        channel,
        source_kind: parse_kind(&kind)?,
        source_id,
        idempotency_key: key,
        payload,
        attempts: attempts.max(0) as u32,
        created_at: parse_ts(&created, "notify_outbox", "created_at")?,
    })
}

fn opt_ts(s: Option<String>, column: &'static str) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_ts(&s, "notify_outbox", column)).transpose()
}

fn id_list(ids: &[i64]) -> String {
    // Integers only: safe to inline, and one statement for any number of rows.
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The `outbox` family: `Store::outbox()` reads, `Store::outbox_mut()` also writes.
pub struct Outbox<S>(pub(super) S);

impl<S: Deref<Target = Store>> Outbox<S> {
    /// Queued, due, sent and failed counts per channel, with the last error; every
    /// channel that has rows, by name.
    pub fn counts(&self, now: DateTime<Utc>) -> Result<Vec<ChannelCounts>> {
        let mut out: BTreeMap<String, ChannelCounts> = BTreeMap::new();
        let raw = self.0.db().query(
            "SELECT channel,
                    count(*) FILTER (WHERE status = 'queued'),
                    count(*) FILTER (WHERE status = 'queued' AND next_attempt_at <= ?1),
                    count(*) FILTER (WHERE status = 'sent'),
                    count(*) FILTER (WHERE status = 'failed'),
                    min(CASE WHEN status = 'queued' THEN next_attempt_at END),
                    max(sent_at)
             FROM notify_outbox GROUP BY channel",
            params![ts(now)],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<i64>(3)?,
                    r.get::<i64>(4)?,
                    r.get::<Option<String>>(5)?,
                    r.get::<Option<String>>(6)?,
                ))
            },
        )?;
        for (channel, queued, due, sent, failed, next, last_sent) in raw {
            out.insert(
                channel.clone(),
                ChannelCounts {
                    channel,
                    queued: queued as u64,
                    due: due as u64,
                    sent: sent as u64,
                    failed: failed as u64,
                    next_attempt_at: opt_ts(next, "next_attempt_at")?,
                    last_sent_at: opt_ts(last_sent, "sent_at")?,
                    ..Default::default()
                },
            );
        }
        // NULL sorts as the smallest value in SQLite and the largest in PostgreSQL: say
        // where it goes, so both pick the same row.
        let raw = self.0.db().query(
            "SELECT channel, last_error, last_attempt_at FROM notify_outbox o
             WHERE id = (SELECT id FROM notify_outbox i
                         WHERE i.channel = o.channel AND i.last_error IS NOT NULL
                         ORDER BY i.last_attempt_at DESC NULLS LAST, i.id DESC LIMIT 1)",
            params![],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<Option<String>>(2)?,
                ))
            },
        )?;
        for (channel, error, at) in raw {
            if let Some(c) = out.get_mut(&channel) {
                c.last_error = Some(error);
                c.last_error_at = opt_ts(at, "last_attempt_at")?;
            }
        }
        Ok(out.into_values().collect())
    }
}

impl<S: DerefMut<Target = Store>> Outbox<S> {
    /// Queues one alert or signal in its own transaction (for sources stored elsewhere;
    /// `Chains::record_ticker` queues alerts inside its own transaction).
    pub fn enqueue(
        &mut self,
        kind: SourceKind,
        source_id: i64,
        entry: &OutboxEntry,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        self.0
            .transaction(|tx| enqueue(tx, kind, source_id, entry, now))
    }

    /// The next batch for `channel` that is due at `now`: a batch already tried (the same
    /// rows, the same key) first; else up to `max` due rows, oldest first, which become a
    /// batch from now on. None when nothing is due.
    pub fn claim_batch(
        &mut self,
        channel: &str,
        now: DateTime<Utc>,
        max: usize,
    ) -> Result<Option<OutboxBatch>> {
        // Exactly once rests on the `notify` job lock (a lock file, and an advisory lock
        // in a shared PostgreSQL store): one drain at a time, so a batch found already
        // claimed belongs to a drain that died and is tried again. The rows are also
        // claimed `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two claims at once never
        // take the same fresh row.
        self.0.transaction(|tx| {
            let lock = tx.skip_locked();
            let open: Option<String> = tx.query_opt(
                &format!(
                    "SELECT batch_key FROM notify_outbox
                     WHERE channel = ?1 AND status = 'queued' AND batch_key IS NOT NULL
                       AND next_attempt_at <= ?2
                     ORDER BY id LIMIT 1{lock}"
                ),
                params![channel, ts(now)],
                |r| r.get(0),
            )?;
            if let Some(key) = open {
                let raw = tx.query(
                    &format!(
                        "SELECT {ROW_COLUMNS} FROM notify_outbox
                         WHERE batch_key = ?1 AND channel = ?2 AND status = 'queued'
                         ORDER BY id{lock}"
                    ),
                    params![&key, channel],
                    raw_row,
                )?;
                let rows = raw.into_iter().map(finish_row).collect::<Result<_>>()?;
                return Ok(Some(OutboxBatch { key, rows }));
            }
            let raw = tx.query(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM notify_outbox
                     WHERE channel = ?1 AND status = 'queued' AND batch_key IS NULL
                       AND next_attempt_at <= ?2
                     ORDER BY id LIMIT ?3{lock}"
                ),
                params![channel, ts(now), max as i64],
                raw_row,
            )?;
            if raw.is_empty() {
                return Ok(None);
            }
            let rows: Vec<OutboxRow> = raw.into_iter().map(finish_row).collect::<Result<_>>()?;
            let keys: Vec<&str> = rows.iter().map(|r| r.idempotency_key.as_str()).collect();
            let key = batch_key(&keys);
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            tx.execute(
                &format!(
                    "UPDATE notify_outbox SET batch_key = ?1 WHERE id IN ({})",
                    id_list(&ids)
                ),
                params![&key],
            )?;
            Ok(Some(OutboxBatch { key, rows }))
        })
    }

    /// Counts an attempt on `ids`, before the request goes out: a process that dies
    /// mid-send still used up an attempt.
    pub fn begin_attempt(&mut self, ids: &[i64], now: DateTime<Utc>) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                &format!(
                    "UPDATE notify_outbox SET attempts = attempts + 1, last_attempt_at = ?1
                     WHERE id IN ({})",
                    id_list(ids)
                ),
                params![ts(now)],
            )?;
            Ok(())
        })
    }

    /// Marks `ids` delivered.
    pub fn mark_sent(&mut self, ids: &[i64], now: DateTime<Utc>) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                &format!(
                    "UPDATE notify_outbox SET status = 'sent', sent_at = ?1
                     WHERE id IN ({}) AND status = 'queued'",
                    id_list(ids)
                ),
                params![ts(now)],
            )?;
            Ok(())
        })
    }

    /// Leaves `ids` queued (in the same batch) until `next`, recording why.
    pub fn mark_retry(&mut self, ids: &[i64], next: DateTime<Utc>, error: &str) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                &format!(
                    "UPDATE notify_outbox SET next_attempt_at = ?1, last_error = ?2
                     WHERE id IN ({}) AND status = 'queued'",
                    id_list(ids)
                ),
                params![ts(next), error],
            )?;
            Ok(())
        })
    }

    /// Marks `ids` failed for good, recording why.
    pub fn mark_failed(&mut self, ids: &[i64], error: &str) -> Result<()> {
        self.0.transaction(|tx| {
            tx.execute(
                &format!(
                    "UPDATE notify_outbox SET status = 'failed', last_error = ?1
                     WHERE id IN ({}) AND status = 'queued'",
                    id_list(ids)
                ),
                params![error],
            )?;
            Ok(())
        })
    }

    /// Makes queued rows due at `now` (skipping their backoff) and, with `failed`, puts
    /// failed rows back in the queue with fresh attempts and a fresh batch. `channel`
    /// narrows it to one channel. Returns (queued rows made due, failed rows requeued).
    pub fn requeue(
        &mut self,
        channel: Option<&str>,
        failed: bool,
        now: DateTime<Utc>,
    ) -> Result<(u64, u64)> {
        self.0.transaction(|tx| {
            let due = tx.execute(
                "UPDATE notify_outbox SET next_attempt_at = ?1
                 WHERE status = 'queued' AND next_attempt_at > ?1
                   AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2)",
                params![ts(now), channel],
            )?;
            let requeued = if failed {
                tx.execute(
                    "UPDATE notify_outbox
                     SET status = 'queued', attempts = 0, batch_key = NULL, next_attempt_at = ?1
                     WHERE status = 'failed' AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2)",
                    params![ts(now), channel],
                )?
            } else {
                0
            };
            Ok((due as u64, requeued as u64))
        })
    }
}

impl<S: DerefMut<Target = Store>> Outbox<S> {
    /// Deletes sent and failed rows created before `before`; queued rows (still to be
    /// sent or retried) are never deleted, however old. Bounded batches, as every prune
    /// ([`Store::prune_in_batches`]).
    pub fn prune(&mut self, before: DateTime<Utc>) -> Result<super::PruneStats> {
        self.prune_with(before, super::PRUNE_BATCH_ROWS, super::PRUNE_PAUSE)
    }

    pub(crate) fn prune_with(
        &mut self,
        before: DateTime<Utc>,
        limit: usize,
        pause: std::time::Duration,
    ) -> Result<super::PruneStats> {
        let before = ts(before);
        self.0.prune_in_batches(limit, pause, |tx, limit| {
            tx.execute(
                "DELETE FROM notify_outbox WHERE id IN
                     (SELECT id FROM notify_outbox
                      WHERE status IN ('sent', 'failed') AND created_at < ?1
                      ORDER BY id LIMIT ?2)",
                params![&before, limit as i64],
            )
        })
    }
}

impl<S: Deref<Target = Store>> Outbox<S> {
    /// When the newest row was queued.
    pub fn newest_created_at(&self) -> Result<Option<DateTime<Utc>>> {
        let newest: Option<String> = self.0.db().query_one(
            "SELECT max(created_at) FROM notify_outbox",
            params![],
            |r| r.get(0),
        )?;
        newest
            .map(|s| parse_ts(&s, "notify_outbox", "created_at"))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::backends;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn entry(channels: &[&str]) -> OutboxEntry {
        OutboxEntry {
            channels: channels.iter().map(|c| c.to_string()).collect(),
            payload: "{}".into(),
        }
    }

    #[test]
    fn a_batch_keeps_its_rows_and_key_until_it_is_settled() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            a_batch_keeps_its_rows_and_key_until_it_is_settled_on(&mut s);
        }
    }

    fn a_batch_keeps_its_rows_and_key_until_it_is_settled_on(s: &mut Store) {
        let now = t("2026-11-23T15:00:00Z");
        for id in 1..=3 {
            s.outbox_mut()
                .enqueue(SourceKind::Alert, id, &entry(&["a", "b"]), now)
                .unwrap();
        }
        // Queuing the same alert again adds nothing.
        assert_eq!(
            s.outbox_mut()
                .enqueue(SourceKind::Alert, 1, &entry(&["a"]), now)
                .unwrap(),
            0
        );
        let b = s.outbox_mut().claim_batch("a", now, 2).unwrap().unwrap();
        assert_eq!(b.rows.len(), 2);
        assert!(b.key.starts_with("batch-"), "{}", b.key);
        assert_eq!(b.key, batch_key(&["alert-2", "alert-1"]));
        s.outbox_mut().begin_attempt(&b.ids(), now).unwrap();
        // Not settled (a crash): the same rows and key come back, before any new batch.
        let again = s.outbox_mut().claim_batch("a", now, 10).unwrap().unwrap();
        assert_eq!(
            again,
            OutboxBatch {
                key: b.key.clone(),
                rows: again.rows.clone()
            }
        );
        assert_eq!(again.ids(), b.ids());
        assert_eq!(again.attempts(), 1);
        // A retry later keeps the batch and is not due before its time.
        s.outbox_mut()
            .mark_retry(&b.ids(), t("2026-11-23T15:05:00Z"), "HTTP 503")
            .unwrap();
        let next = s.outbox_mut().claim_batch("a", now, 10).unwrap().unwrap();
        assert_eq!(next.key, "alert-3", "the third row forms its own batch");
        assert_eq!(next.rows.len(), 1);
        s.outbox_mut().mark_sent(&next.ids(), now).unwrap();
        assert!(s.outbox_mut().claim_batch("a", now, 10).unwrap().is_none());
        let later = s
            .outbox_mut()
            .claim_batch("a", t("2026-11-23T15:05:00Z"), 10)
            .unwrap()
            .unwrap();
        assert_eq!(later.key, b.key);
        s.outbox_mut()
            .mark_failed(&later.ids(), "HTTP 401")
            .unwrap();
        let counts = s.outbox().counts(now).unwrap();
        assert_eq!(counts.len(), 2);
        let a = &counts[0];
        assert_eq!(
            (a.channel.as_str(), a.queued, a.sent, a.failed),
            ("a", 0, 1, 2)
        );
        assert_eq!(a.last_error.as_deref(), Some("HTTP 401"));
        let b_counts = &counts[1];
        assert_eq!((b_counts.queued, b_counts.due), (3, 3));
        // retry --failed puts them back as a fresh batch.
        assert_eq!(
            s.outbox_mut().requeue(Some("a"), true, now).unwrap(),
            (0, 2)
        );
        let fresh = s.outbox_mut().claim_batch("a", now, 10).unwrap().unwrap();
        assert_eq!(fresh.attempts(), 0);
        assert_eq!(fresh.rows.len(), 2);
    }

    #[test]
    fn prune_deletes_old_settled_rows_and_never_a_queued_one() {
        for mut s in backends() {
            eprintln!("backend: {}", s.backend());
            prune_deletes_old_settled_rows_and_never_a_queued_one_on(&mut s);
        }
    }

    fn prune_deletes_old_settled_rows_and_never_a_queued_one_on(s: &mut Store) {
        let old = t("2026-10-01T15:00:00Z");
        for id in 1..=5 {
            s.outbox_mut()
                .enqueue(SourceKind::Alert, id, &entry(&["a"]), old)
                .unwrap();
        }
        let b = s.outbox_mut().claim_batch("a", old, 2).unwrap().unwrap();
        s.outbox_mut().mark_sent(&b.ids(), old).unwrap();
        let f = s.outbox_mut().claim_batch("a", old, 1).unwrap().unwrap();
        s.outbox_mut().mark_failed(&f.ids(), "HTTP 401").unwrap();
        let now = t("2026-11-23T15:00:00Z");
        s.outbox_mut()
            .enqueue(SourceKind::Alert, 9, &entry(&["a"]), now)
            .unwrap();
        let stats = s
            .outbox_mut()
            .prune_with(t("2026-11-01T00:00:00Z"), 1, std::time::Duration::ZERO)
            .unwrap();
        assert_eq!(stats.rows, 3, "two sent and one failed");
        assert_eq!(stats.largest_batch, 1);
        let counts = s.outbox().counts(now).unwrap();
        assert_eq!(
            (counts[0].queued, counts[0].sent, counts[0].failed),
            (3, 0, 0)
        );
    }
}
