//! Training hours (TRN-3; 第四篇 二(1) "人均学习时间达10个小时"): each person's study hours in a year, added up from the
//! training records they attended (hours per person × their sessions), per unit with the mean and who falls short
//! of the rulebook's target (TRN-3-c, a default to edit).
use crate::{AppError, AppResult, Ctx};
use anbao_domain::ids::UnitId;
use anbao_domain::period;
use anbao_store::Db;
use anbao_store::org::UnitRow;
use std::collections::{BTreeMap, HashMap};

/// The rule holding the yearly hours per person.
pub const HOURS_RULE: &str = "TRN-3-c";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonHours {
    pub staff_id: i64,
    pub name: String,
    pub staff_no: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub sessions: i64,
    pub tenths: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitHours {
    pub unit_id: i64,
    pub unit_name: String,
    pub people: i64,
    pub tenths: i64,
    pub below: i64,
}

impl UnitHours {
    /// Mean hours per person in tenths.
    pub fn mean_tenths(&self) -> i64 {
        if self.people == 0 { 0 } else { self.tenths / self.people }
    }
}

pub struct HoursReport {
    pub unit: UnitRow,
    pub year: i32,
    /// The target in hours and the rule's source, when the rulebook has one in force.
    pub target: Option<(i64, String)>,
    pub people: Vec<PersonHours>,
    pub units: Vec<UnitHours>,
}

/// The hours of every active person of a subtree in a year.
pub async fn hours(db: &Db, ctx: &Ctx, unit: Option<UnitId>, year: Option<i32>) -> AppResult<HoursReport> {
    let unit = match unit {
        Some(id) => {
            let mut c = db.read().await?;
            anbao_store::org::get(&mut c, id).await?.ok_or(AppError::NotFound)?
        }
        None => crate::org::home_unit(db, ctx).await?,
    };
    ctx.must_see(&unit.path)?;
    let year = year.unwrap_or_else(|| period::ymd(period::day_of_ms(ctx.now)).0);
    if !(2000..=2100).contains(&year) {
        return Err(crate::error::invalid("year", "年份须在2000–2100之间", "the year must be 2000–2100"));
    }
    let (from, to) = (period::first_of_month(year, 1), period::first_of_month(year + 1, 1) - 1);
    let target = crate::rulebook::in_force(db, HOURS_RULE, from)
        .await?
        .filter(|r| r.per_person_hours > 0)
        .map(|r| (r.per_person_hours, r.source));
    let mut c = db.read().await?;
    let staff = anbao_store::staff::under(&mut c, &unit.path).await?;
    let sessions = anbao_store::training::sessions(&mut c, &unit.path, from, to).await?;
    let mut sums: HashMap<i64, (i64, i64)> = HashMap::new();
    for s in &sessions {
        for a in &s.attendees {
            let e = sums.entry(*a).or_insert((0, 0));
            e.0 += 1;
            e.1 += s.tenths;
        }
    }
    let people: Vec<PersonHours> = staff
        .iter()
        .map(|s| {
            let (sessions, tenths) = sums.get(&s.id.get()).copied().unwrap_or((0, 0));
            PersonHours {
                staff_id: s.id.get(),
                name: s.name.clone(),
                staff_no: s.staff_no.clone(),
                unit_id: s.unit_id.get(),
                unit_name: s.unit_name.clone(),
                sessions,
                tenths,
            }
        })
        .collect();
    let mut units: BTreeMap<(String, i64), UnitHours> = BTreeMap::new();
    for (s, p) in staff.iter().zip(&people) {
        let u = units.entry((s.unit_path.clone(), p.unit_id)).or_insert_with(|| UnitHours {
            unit_id: p.unit_id,
            unit_name: p.unit_name.clone(),
            people: 0,
            tenths: 0,
            below: 0,
        });
        u.people += 1;
        u.tenths += p.tenths;
        if target.as_ref().is_some_and(|(h, _)| p.tenths < h * 10) {
            u.below += 1;
        }
    }
    Ok(HoursReport { unit, year, target, people, units: units.into_values().collect() })
}

/// Tenths of an hour as the pages write them.
pub fn hours_text(tenths: i64) -> String {
    if tenths % 10 == 0 { format!("{}", tenths / 10) } else { format!("{}.{}", tenths / 10, tenths % 10) }
}
