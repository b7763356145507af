//! The quarterly 100-point assessment (ASSESS-1; 第四篇 一、(2) "采取百分制形式…纳入到每季综合考核工作目标,实行按季考核、
//! 按年兑现") and its one-vote veto (RESP-3; 篇二 一, 篇三 (一), 篇五 六). The scheme is data (`rulebook/assessment.toml`):
//! sections with their points, each item scored from what the records already say, the ratings, the veto and who
//! assesses whom. Scoring is a pure function of the scheme and the facts the app gathers, in tenths of a point, so
//! every point lost is a line that names its reason and links to the records behind it.
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// An assessment scheme as its file and its stored versions hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = AssessmentScheme)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub source: String,
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub article: String,
    /// Their points sum to 100.
    #[serde(rename = "section")]
    #[schema(min_items = 1)]
    pub sections: Vec<Section>,
    /// Best first: the first whose `min` the score reaches (and the veto allows) is the rating; the minimums fall
    /// to 0.
    #[serde(rename = "rating")]
    #[schema(min_items = 1)]
    pub ratings: Vec<Rating>,
    pub veto: Veto,
    /// Who assesses whom (统一考核): a unit of `unit_kind` assesses the units of `assesses` below it.
    #[serde(rename = "assessor")]
    pub assessors: Vec<Assessor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SchemeSection)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: String,
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    pub title_en: String,
    /// Whole points; the sections sum to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub points: i64,
    pub source: String,
    /// Their points sum to the section's.
    #[serde(rename = "item")]
    #[schema(min_items = 1)]
    pub items: Vec<Item>,
}

/// One scored item. `measure` says what it is scored from; `areas` (for `compliance`) which rulebook areas count;
/// `per_item` (for the counted measures) the whole points lost for each one, up to the item's `points`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SchemeItem)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    pub title: String,
    #[schema(schema_with = measures)]
    pub measure: String,
    #[schema(minimum = 1, maximum = 100)]
    pub points: i64,
    /// For `compliance`: at least one.
    #[serde(default)]
    pub areas: Vec<String>,
    /// For the counted measures: 1 to the item's points.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub per_item: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SchemeRating)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub code: String,
    pub label: String,
    pub label_en: String,
    /// The lowest whole score with this rating.
    #[schema(minimum = 0, maximum = 100)]
    pub min: i64,
}

/// 一票否决: a unit with a case of these kinds in the year cannot get the ratings in `forbids`, nor a reward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SchemeVeto)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    /// Every 四类 case (the accountability rules' kinds marked `four`) vetoes.
    pub four: bool,
    /// Further case kinds that veto (群体性事件, 重大责任事故).
    pub kinds: Vec<String>,
    /// The unit kinds a case vetoes: the case's own unit and those of its superiors of these kinds.
    pub levels: Vec<String>,
    /// Codes of the scheme's ratings.
    pub forbids: Vec<String>,
    pub source: String,
    pub article: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SchemeAssessor)]
#[serde(deny_unknown_fields)]
pub struct Assessor {
    pub unit_kind: String,
    pub assesses: Vec<String>,
}

/// What an item is scored from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The quarter's due items of the item's areas: points × the share missed (partly met counts half).
    Compliance,
    /// The quarter's inspections: points × what their average score falls short of 100.
    InspectionScore,
    /// Hazards whose deadline fell in the quarter and were not closed by it: `per_item` each.
    HazardsLate,
    /// Cases that happened in the quarter: `per_item` each.
    Cases,
    /// Penalties decided for violations of the quarter: `per_item` each.
    Penalties,
}

/// Every measure's code, as `Measure::parse` reads it.
pub const MEASURES: [&str; 5] = ["compliance", "inspection_score", "hazards_late", "cases", "penalties"];

/// The schema of a measure: one of [`MEASURES`].
fn measures() -> utoipa::openapi::Object {
    use utoipa::openapi::{ObjectBuilder, Type};
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(MEASURES)).build()
}

impl Measure {
    pub fn parse(raw: &str) -> Result<Measure, DomainError> {
        Ok(match raw {
            "compliance" => Measure::Compliance,
            "inspection_score" => Measure::InspectionScore,
            "hazards_late" => Measure::HazardsLate,
            "cases" => Measure::Cases,
            "penalties" => Measure::Penalties,
            other => {
                return Err(DomainError::new(
                    "measure",
                    format!(
                        "未知的考核计分方式：{other}（可用 compliance、inspection_score、hazards_late、cases、penalties）"
                    ),
                    format!("unknown measure: {other}"),
                ));
            }
        })
    }

    fn counted(self) -> bool {
        matches!(self, Measure::HazardsLate | Measure::Cases | Measure::Penalties)
    }
}

fn bad(field: &'static str, zh: String, en: String) -> DomainError {
    DomainError::new(field, zh, en)
}

impl Scheme {
    /// A scheme must add up: its sections to 100, each section's items to the section, every measure known, the
    /// ratings from best to 0, the veto's ratings among them, and it must cite its article.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.title.trim().is_empty() || self.source.trim().is_empty() || self.article.trim().is_empty() {
            return Err(bad(
                "title",
                "考核办法须有名称并注明出处和原文".into(),
                "name the scheme and cite its article".into(),
            ));
        }
        if self.sections.is_empty() {
            return Err(bad("section", "考核办法至少要有一个考核项目".into(), "a scheme needs a section".into()));
        }
        let total: i64 = self.sections.iter().map(|s| s.points).sum();
        if total != 100 {
            return Err(bad(
                "points",
                format!("各考核项目分值合计须为100分，现为{total}分"),
                format!("the sections must sum to 100 points, not {total}"),
            ));
        }
        for s in &self.sections {
            if s.points <= 0 || s.items.is_empty() || s.title.trim().is_empty() {
                return Err(bad(
                    "section",
                    format!("考核项目“{}”须有名称、正分值和计分细则", s.title),
                    format!("section {} needs a title, positive points and items", s.code),
                ));
            }
            let items: i64 = s.items.iter().map(|i| i.points).sum();
            if items != s.points {
                return Err(bad(
                    "points",
                    format!("考核项目“{}”的细则分值合计{items}分，与其{}分不符", s.title, s.points),
                    format!("the items of {} sum to {items}, not {}", s.code, s.points),
                ));
            }
            for i in &s.items {
                let m = Measure::parse(&i.measure)?;
                if i.points <= 0 {
                    return Err(bad(
                        "points",
                        format!("细则“{}”的分值须为正数", i.title),
                        "item points must be positive".into(),
                    ));
                }
                if m == Measure::Compliance && i.areas.is_empty() {
                    return Err(bad(
                        "areas",
                        format!("细则“{}”须指明计入哪些规则领域（areas）", i.title),
                        "a compliance item names its areas".into(),
                    ));
                }
                if m.counted() && !(1..=i.points).contains(&i.per_item) {
                    return Err(bad(
                        "per_item",
                        format!("细则“{}”的每项扣分须在1到{}分之间", i.title, i.points),
                        "per_item must be between 1 and the item's points".into(),
                    ));
                }
            }
        }
        let mins: Vec<i64> = self.ratings.iter().map(|r| r.min).collect();
        if mins.is_empty() || mins.windows(2).any(|w| w[0] <= w[1]) || mins.last() != Some(&0) || mins[0] > 100 {
            return Err(bad(
                "rating",
                "等次须从高到低排列，分数线递减，最后一档为0分".into(),
                "ratings run from best to worst with falling minimums, the last at 0".into(),
            ));
        }
        if let Some(f) = self.veto.forbids.iter().find(|f| !self.ratings.iter().any(|r| &r.code == *f)) {
            return Err(bad("veto", format!("一票否决所禁止的等次“{f}”不存在"), format!("unknown rating {f}")));
        }
        Ok(())
    }

    /// The unit kinds a unit of `kind` assesses.
    pub fn assessed_by(&self, kind: &str) -> &[String] {
        self.assessors.iter().find(|a| a.unit_kind == kind).map(|a| a.assesses.as_slice()).unwrap_or_default()
    }

    /// The rating of a score, with the veto applied: a vetoed unit never gets a forbidden rating.
    pub fn rate(&self, total_tenths: i64, vetoed: bool) -> Option<&Rating> {
        self.ratings
            .iter()
            .filter(|r| !(vetoed && self.veto.forbids.contains(&r.code)))
            .find(|r| total_tenths >= r.min * 10)
    }
}

/// A case kind as the veto sees it.
pub struct KindFlags<'a> {
    pub code: &'a str,
    pub four: bool,
}

impl Veto {
    /// Does a case of this kind veto?
    pub fn vetoes(&self, kind: &KindFlags<'_>) -> bool {
        (self.four && kind.four) || self.kinds.iter().any(|k| k == kind.code)
    }
}

/// A thing that counts against an item, with the page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub what: String,
    pub link: String,
}

/// A rule's items in the quarter, for a compliance item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTally {
    pub area: String,
    pub title: String,
    pub link: String,
    pub met: i64,
    pub partly: i64,
    pub overdue: i64,
}

/// What the app read for one unit and quarter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub rules: Vec<RuleTally>,
    /// Each inspection's score in tenths (1000 = 100 points), with what it was.
    pub inspections: Vec<(i64, Fact)>,
    pub hazards_late: Vec<Fact>,
    pub cases: Vec<Fact>,
    pub penalties: Vec<Fact>,
}

/// One line of lost points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deduction {
    pub item: String,
    pub what: String,
    pub tenths: i64,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionScore {
    pub code: String,
    pub title: String,
    pub points: i64,
    pub lost_tenths: i64,
    pub lines: Vec<Deduction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub sections: Vec<SectionScore>,
    pub total_tenths: i64,
}

/// `a × b / c` rounded half up, in integers.
fn share(a: i64, b: i64, c: i64) -> i64 {
    if c <= 0 { 0 } else { (2 * a * b + c) / (2 * c) }
}

/// The lines an item loses, before its cap.
fn lines_of(item: &Item, facts: &Facts) -> Vec<Deduction> {
    let max = item.points * 10;
    let line = |what: String, tenths: i64, link: &str| Deduction {
        item: item.code.clone(),
        what,
        tenths,
        link: link.to_owned(),
    };
    let each = |list: &[Fact], unit: &str| -> Vec<Deduction> {
        list.iter()
            .map(|f| line(format!("{}（扣{}分/{unit}）", f.what, item.per_item), item.per_item * 10, &f.link))
            .collect()
    };
    match Measure::parse(&item.measure) {
        Ok(Measure::Compliance) => {
            let rules: Vec<&RuleTally> = facts.rules.iter().filter(|r| item.areas.contains(&r.area)).collect();
            let judged: i64 = rules.iter().map(|r| r.met + r.partly + r.overdue).sum();
            rules
                .iter()
                .filter(|r| r.partly + r.overdue > 0)
                .map(|r| {
                    let lost = share(max, 2 * r.overdue + r.partly, 2 * judged);
                    let what =
                        format!("{}：{}项未完成、{}项部分完成（共{}项应做）", r.title, r.overdue, r.partly, judged);
                    line(what, lost, &r.link)
                })
                .collect()
        }
        Ok(Measure::InspectionScore) => {
            let n = facts.inspections.len() as i64;
            facts
                .inspections
                .iter()
                .filter(|(s, _)| *s < 1000)
                .map(|(s, f)| {
                    let what = format!("{}：得分{}.{}", f.what, s / 10, s % 10);
                    line(what, share(max, 1000 - s, 1000 * n), &f.link)
                })
                .collect()
        }
        Ok(Measure::HazardsLate) => each(&facts.hazards_late, "项"),
        Ok(Measure::Cases) => each(&facts.cases, "起"),
        Ok(Measure::Penalties) => each(&facts.penalties, "项"),
        Err(_) => Vec::new(),
    }
}

/// Score a unit's quarter: each item loses what its lines say, never more than its points.
pub fn score(scheme: &Scheme, facts: &Facts) -> Score {
    let mut sections = Vec::new();
    for s in &scheme.sections {
        let mut lines = Vec::new();
        for item in &s.items {
            let mut left = item.points * 10;
            for mut d in lines_of(item, facts) {
                d.tenths = d.tenths.min(left);
                left -= d.tenths;
                lines.push(d);
            }
        }
        let lost = lines.iter().map(|d| d.tenths).sum();
        sections.push(SectionScore {
            code: s.code.clone(),
            title: s.title.clone(),
            points: s.points,
            lost_tenths: lost,
            lines,
        });
    }
    let total = 1000 - sections.iter().map(|s| s.lost_tenths).sum::<i64>();
    Score { sections, total_tenths: total }
}

/// A score in tenths as written: 87.5.
pub fn points(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, tenths.rem_euclid(10))
}

/// The year's result from its quarters (按季考核、按年兑现): their mean, over the quarters assessed.
pub fn annual(quarters: &[Option<i64>]) -> Option<i64> {
    let done: Vec<i64> = quarters.iter().flatten().copied().collect();
    if done.is_empty() { None } else { Some(share(done.iter().sum::<i64>(), 1, done.len() as i64)) }
}

/// A quarter written `2026-Q3` (or its parts), as (year, quarter).
pub fn parse_quarter(year: &str, quarter: &str) -> Result<(i32, i8), DomainError> {
    let y = crate::letters::parse_year(year)?;
    let q = quarter.trim().trim_start_matches(['Q', 'q']).parse::<i8>().ok().filter(|q| (1..=4).contains(q));
    q.map(|q| (y, q)).ok_or_else(|| DomainError::new("quarter", "季度须为1–4", "the quarter must be 1–4"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_measure_the_schema_lists_is_read() {
        for m in super::MEASURES {
            assert!(Measure::parse(m).is_ok(), "{m}");
        }
        assert!(Measure::parse("score").is_err());
    }

    use super::*;

    fn scheme() -> Scheme {
        toml::from_str(
            r#"
title = "考核"
source = "第四篇 一、(2)"
article = "采取百分制形式"
[[section]]
code = "system"
title = "查制度看落实"
title_en = "Rules"
points = 60
source = "x"
[[section.item]]
code = "due"
title = "合规"
measure = "compliance"
points = 40
areas = ["atm", "cctv"]
[[section.item]]
code = "insp"
title = "检查得分"
measure = "inspection_score"
points = 20
[[section]]
code = "hazard"
title = "查设施看隐患"
title_en = "Hazards"
points = 40
source = "x"
[[section.item]]
code = "late"
title = "隐患逾期"
measure = "hazards_late"
points = 10
per_item = 4
[[section.item]]
code = "cases"
title = "案件"
measure = "cases"
points = 30
per_item = 10
[[rating]]
code = "excellent"
label = "优秀"
label_en = "Excellent"
min = 90
[[rating]]
code = "good"
label = "良好"
label_en = "Good"
min = 75
[[rating]]
code = "fail"
label = "不合格"
label_en = "Fail"
min = 0
[veto]
four = true
kinds = ["mass_incident"]
levels = ["county", "outlet"]
forbids = ["excellent"]
source = "篇五 六"
article = "一票否决"
[[assessor]]
unit_kind = "county"
assesses = ["outlet"]
"#,
        )
        .expect("scheme")
    }

    fn fact(what: &str) -> Fact {
        Fact { what: what.into(), link: "/x".into() }
    }

    #[test]
    fn a_score_is_100_less_every_line_lost_each_item_capped_at_its_points() {
        let s = scheme();
        assert_eq!(s.validate(), Ok(()));
        let facts = Facts {
            rules: vec![
                RuleTally { area: "atm".into(), title: "ATM".into(), link: "/a".into(), met: 5, partly: 1, overdue: 3 },
                RuleTally {
                    area: "cctv".into(),
                    title: "CCTV".into(),
                    link: "/c".into(),
                    met: 10,
                    partly: 0,
                    overdue: 0,
                },
                RuleTally {
                    area: "cctv".into(),
                    title: "回放".into(),
                    link: "/r".into(),
                    met: 0,
                    partly: 1,
                    overdue: 0,
                },
                // Another area's misses do not count here.
                RuleTally { area: "vault".into(), title: "V".into(), link: "/v".into(), met: 0, partly: 0, overdue: 9 },
            ],
            inspections: vec![(900, fact("检查一")), (1000, fact("检查二"))],
            hazards_late: vec![fact("隐患一"), fact("隐患二"), fact("隐患三")],
            cases: vec![fact("案件一")],
            penalties: vec![],
        };
        let sc = score(&s, &facts);
        // Compliance over 20 items judged: ATM 40 × (2×3 + 1) / 40 = 7.0, 回放 40 × 1 / 40 = 1.0, CCTV nothing;
        // inspections: 20 × 100 / 2000 = 1.0 (the perfect one loses nothing); hazards: 3 × 4 = 12, capped at 10;
        // one case: 10. Total lost 29.0.
        let lost: Vec<i64> = sc.sections.iter().map(|x| x.lost_tenths).collect();
        assert_eq!(lost, vec![90, 200]);
        assert_eq!(sc.total_tenths, 710);
        let lines = |i: usize| sc.sections[i].lines.iter().map(|l| (l.link.as_str(), l.tenths)).collect::<Vec<_>>();
        assert_eq!(lines(0), vec![("/a", 70), ("/r", 10), ("/x", 10)]);
        assert_eq!(sc.sections[1].lines.iter().map(|l| l.tenths).collect::<Vec<_>>(), vec![40, 40, 20, 100]);
        assert_eq!(points(sc.total_tenths), "71.0");
        assert_eq!(s.rate(sc.total_tenths, false).map(|r| r.code.as_str()), Some("fail"));
    }

    #[test]
    fn a_vetoed_unit_is_never_rated_excellent_whatever_its_score() {
        let s = scheme();
        assert_eq!(s.rate(1000, false).map(|r| r.code.as_str()), Some("excellent"));
        assert_eq!(s.rate(1000, true).map(|r| r.code.as_str()), Some("good"));
        assert_eq!(s.rate(899, false).map(|r| r.code.as_str()), Some("good"));
        assert_eq!(s.rate(900, false).map(|r| r.code.as_str()), Some("excellent"));
        assert!(s.veto.vetoes(&KindFlags { code: "theft", four: true }));
        assert!(s.veto.vetoes(&KindFlags { code: "mass_incident", four: false }));
        assert!(!s.veto.vetoes(&KindFlags { code: "fire", four: false }));
        let no_four = Veto { four: false, ..s.veto.clone() };
        assert!(!no_four.vetoes(&KindFlags { code: "theft", four: true }));
    }

    #[test]
    fn a_scheme_that_does_not_add_up_is_refused() {
        let field = |s: Scheme| s.validate().err().map(|e| e.field);
        let mut s = scheme();
        s.sections[0].points = 50;
        assert_eq!(field(s), Some("points"));
        let mut s = scheme();
        s.sections[0].items[0].points = 30;
        s.sections[1].points = 50;
        s.sections[1].items[1].points = 40;
        assert_eq!(field(s), Some("points"), "a section whose items do not sum to it");
        let mut s = scheme();
        s.sections[0].items[0].measure = "vibes".into();
        assert_eq!(field(s), Some("measure"));
        let mut s = scheme();
        s.sections[0].items[0].areas.clear();
        assert_eq!(field(s), Some("areas"));
        let mut s = scheme();
        s.sections[1].items[0].per_item = 0;
        assert_eq!(field(s), Some("per_item"));
        let mut s = scheme();
        s.sections[1].items[0].per_item = 11;
        assert_eq!(field(s), Some("per_item"));
        let mut s = scheme();
        s.ratings[2].min = 10;
        assert_eq!(field(s), Some("rating"));
        let mut s = scheme();
        s.ratings.swap(0, 1);
        assert_eq!(field(s), Some("rating"));
        let mut s = scheme();
        s.veto.forbids = vec!["gold".into()];
        assert_eq!(field(s), Some("veto"));
        for blank in ["title", "source", "article"] {
            let mut s = scheme();
            match blank {
                "title" => s.title = " ".into(),
                "source" => s.source = String::new(),
                _ => s.article = " ".into(),
            }
            assert_eq!(field(s), Some("title"), "{blank}");
        }
        let mut s = scheme();
        s.sections[0].title = " ".into();
        assert_eq!(field(s), Some("section"));
        let mut s = scheme();
        s.sections[1].items.clear();
        assert_eq!(field(s), Some("section"));
        let mut s = scheme();
        s.ratings[0].min = 101;
        assert_eq!(field(s), Some("rating"));
        let mut s = scheme();
        s.ratings[0].min = 100;
        assert_eq!(field(s), None);
    }

    #[test]
    fn the_year_is_the_mean_of_its_assessed_quarters() {
        assert_eq!(annual(&[Some(900), Some(800), None, Some(700)]), Some(800));
        assert_eq!(annual(&[Some(901), Some(900)]), Some(901));
        assert_eq!(annual(&[None, None]), None);
        assert_eq!(parse_quarter("2026", "Q3"), Ok((2026, 3)));
        assert_eq!(parse_quarter("2026", "5").map_err(|e| e.field), Err("quarter"));
        assert_eq!(s_assessed(), vec!["outlet".to_owned()]);
    }

    fn s_assessed() -> Vec<String> {
        scheme().assessed_by("county").to_vec()
    }
}
