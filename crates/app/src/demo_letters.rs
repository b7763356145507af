//! Demo responsibility letters: the province's security department makes the year's two plans in early January;
//! most letters come back on paper and their scans are uploaded within the month, some late, a few not yet; the
//! outlet head of 城关 signs his own in the system, and its teller has not signed yet (the phone test signs it).
use crate::demo_inspect::as_user;
use crate::evidence::Upload;
use crate::letters;
use crate::{AppResult, Ctx};
use anbao_domain::letters::LetterKind;
use anbao_domain::period;
use anbao_store::Db;
use anbao_store::blobs::BlobStore;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// The scan of a paper letter: a small PDF (one blob for all, content-addressed).
const SCAN: &[u8] = b"%PDF-1.4\n% demo scan of a signed responsibility letter\n%%EOF\n";

/// Counties that are slow to return their letters: more of theirs are late or missing.
const SLOW_COUNTY: &str = "石桥县农村信用合作联社";

pub async fn seed(db: &Db, blobs: &BlobStore, now: i64, password: &str) -> AppResult<usize> {
    let (year, _, _) = period::ymd(period::day_of_ms(now));
    let jan = period::start_ms(period::first_of_month(year, 1));
    let planned_at = (jan + 2 * DAY + 9 * HOUR).min(now - HOUR);
    let office = as_user(db, "baowei", password, planned_at).await?;
    let province = crate::org::home_unit(db, &office).await?;
    for kind in LetterKind::ALL {
        letters::make_plan(db, &office, province.id, kind.code(), &year.to_string(), letters::default_targets(*kind))
            .await?;
    }
    let slow = {
        let mut c = db.read().await?;
        anbao_store::org::under(&mut c, "/").await?.into_iter().find(|u| u.name == SLOW_COUNTY).map(|u| u.path)
    };
    let teller = account_staff(db, "chengguan.guiyuan").await?;
    let head = account_staff(db, "chengguan.zhuren").await?;
    let mut rng = StdRng::seed_from_u64(2027);
    let mut signed = 0;
    for kind in LetterKind::ALL {
        let all = {
            let mut c = db.read().await?;
            let filter = anbao_store::letters::LetterFilter {
                year,
                kind: *kind,
                under: &province.path,
                only_unsigned: true,
                limit: 100_000,
            };
            anbao_store::letters::list(&mut c, &office.actor.scope, &filter).await?
        };
        for l in all {
            if Some(l.signer_id) == teller && *kind == LetterKind::SecurityTarget {
                continue;
            }
            let slow_here = slow.as_deref().is_some_and(|p| l.unit_path.starts_with(p));
            let roll = rng.random_range(0..100);
            let (missing, late) = if slow_here { (15, 35) } else { (3, 9) };
            if roll < missing {
                continue;
            }
            let day = if roll < late { 31 + rng.random_range(5..20) } else { rng.random_range(3..28) };
            let at = (jan + day * DAY + rng.random_range(9..17) * HOUR).min(now - HOUR);
            if Some(l.signer_id) == head {
                let me = as_user(db, "chengguan.zhuren", password, at).await?;
                letters::sign(db, &crate::auth::AuthPolicy::default(), &me, l.id, crate::demo::DEMO_PIN, true).await?;
            } else {
                let upload =
                    Upload {
                        file_name: format!("责任书-{}.pdf", l.signer_no), bytes: SCAN.to_vec(), taken_at: None
                    };
                letters::upload_scan(db, blobs, &Ctx::new(at, office.actor.clone()), l.id, upload).await?;
            }
            signed += 1;
        }
    }
    Ok(signed)
}

async fn account_staff(db: &Db, username: &str) -> AppResult<Option<i64>> {
    let mut c = db.read().await?;
    Ok(anbao_store::accounts::by_username(&mut c, username).await?.and_then(|a| a.staff_id).map(|s| s.get()))
}
