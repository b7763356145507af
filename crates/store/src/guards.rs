//! Armed guards' credentials (one row per person) and the live-fire training they attended.
use crate::{Conn, Result, opt_i64};
use anbao_domain::guards::Credential;
use sqlx::Row;

pub async fn get(c: &mut Conn, staff: i64) -> Result<Option<(i64, Credential)>> {
    let r = sqlx::query(
        "SELECT id, birth_day, vetted_personnel_day, vetted_security_day, trained_day, licence_no, licence_expires_day \
         FROM guard_credentials WHERE staff_id = $1",
    )
    .bind(staff)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| {
        Ok((
            r.try_get("id")?,
            Credential {
                birth_day: opt_i64(&r, "birth_day")?,
                vetted_personnel_day: opt_i64(&r, "vetted_personnel_day")?,
                vetted_security_day: opt_i64(&r, "vetted_security_day")?,
                trained_day: opt_i64(&r, "trained_day")?,
                licence_no: r.try_get("licence_no")?,
                licence_expires_day: opt_i64(&r, "licence_expires_day")?,
            },
        ))
    })
    .transpose()
}

/// Insert or replace a person's credential; returns its row id.
pub async fn put(c: &mut Conn, staff: i64, k: &Credential, now: i64, by: i64) -> Result<i64> {
    let sql = if get(c, staff).await?.is_some() {
        "UPDATE guard_credentials SET birth_day = $2, vetted_personnel_day = $3, vetted_security_day = $4, \
         trained_day = $5, licence_no = $6, licence_expires_day = $7, updated_at = $8, updated_by = $9 \
         WHERE staff_id = $1 RETURNING id"
    } else {
        "INSERT INTO guard_credentials (staff_id, birth_day, vetted_personnel_day, vetted_security_day, trained_day, \
         licence_no, licence_expires_day, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    };
    sqlx::query(sql)
        .bind(staff)
        .bind(k.birth_day)
        .bind(k.vetted_personnel_day)
        .bind(k.vetted_security_day)
        .bind(k.trained_day)
        .bind(k.licence_no.as_str())
        .bind(k.licence_expires_day)
        .bind(now)
        .bind(by)
        .fetch_one(&mut *c)
        .await?
        .try_get("id")
}

/// The last day a person took part in live-fire training since `from_day` (a record naming them among its
/// participants that no correction replaced).
pub async fn last_live_fire(c: &mut Conn, staff: i64, from_day: i64) -> Result<Option<i64>> {
    let rows = sqlx::query(
        "SELECT r.local_day, r.data FROM records r WHERE r.kind = 'live_fire_training' AND r.local_day >= $1 \
         AND NOT EXISTS (SELECT 1 FROM records n WHERE n.supersedes_id = r.id) ORDER BY r.local_day DESC",
    )
    .bind(from_day)
    .fetch_all(&mut *c)
    .await?;
    for r in rows {
        let data: String = r.try_get("data")?;
        let v: serde_json::Value = serde_json::from_str(&data).map_err(|e| sqlx::Error::Decode(e.into()))?;
        if v["participants"].as_array().is_some_and(|a| a.iter().any(|x| x.as_i64() == Some(staff))) {
            return Ok(Some(r.try_get("local_day")?));
        }
    }
    Ok(None)
}
