//! Training attendance as the hours report reads it: the training records of a subtree in a day range that no
//! correction has replaced, with their hours per person (tenths) and their attendees (the record's `attendees`).
use crate::{Conn, Result};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub record_id: i64,
    pub unit_id: i64,
    pub local_day: i64,
    /// Hours per person in tenths.
    pub tenths: i64,
    pub attendees: Vec<i64>,
}

pub async fn sessions(c: &mut Conn, under: &str, from_day: i64, to_day: i64) -> Result<Vec<Session>> {
    let rows = sqlx::query(
        "SELECT r.id, r.unit_id, r.local_day, r.value, r.data FROM records r JOIN units u ON u.id = r.unit_id \
         WHERE r.kind = 'training' AND u.path LIKE $1 AND r.local_day >= $2 AND r.local_day <= $3 \
         AND NOT EXISTS (SELECT 1 FROM records n WHERE n.supersedes_id = r.id) ORDER BY r.local_day, r.id",
    )
    .bind(format!("{under}%"))
    .bind(from_day)
    .bind(to_day)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            let data: String = r.try_get("data")?;
            let v: serde_json::Value = serde_json::from_str(&data).map_err(|e| sqlx::Error::Decode(e.into()))?;
            let attendees =
                v["attendees"].as_array().map(|a| a.iter().filter_map(|x| x.as_i64()).collect()).unwrap_or_default();
            Ok(Session {
                record_id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                local_day: r.try_get("local_day")?,
                tenths: crate::opt_i64(r, "value")?.unwrap_or(0),
                attendees,
            })
        })
        .collect()
}
