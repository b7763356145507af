//! The determination, clause by clause, against the default rules.
use super::*;
use crate::incident::tests::default_rules;

fn named(key: &str, label: &str) -> Named {
    Named { key: key.into(), staff_id: None, unit_id: None, label: label.into() }
}

/// Facts with every party named by one distinct person or department.
fn facts(kind: &str, causes: &[&str]) -> Facts {
    let mut parties = HashMap::new();
    parties.insert("violator".into(), vec![named("staff:1", "违规柜员")]);
    parties.insert("unit_leaders".into(), vec![named("staff:2", "网点主任"), named("staff:3", "分管副主任")]);
    parties.insert("security_dept".into(), vec![named("unit:10", "县联社保卫部")]);
    parties.insert("functional_dept".into(), vec![named("unit:11", "县联社运营管理部")]);
    parties.insert("personnel_discipline".into(), vec![named("unit:12", "县联社人事部")]);
    parties.insert("notice_issuer".into(), vec![named("unit:10", "县联社保卫部")]);
    parties.insert(
        "escalated_leaders".into(),
        vec![
            named("staff:20", "县联社理事长"),
            named("staff:21", "区域中心主任"),
            named("staff:22", "区域中心分管主任"),
        ],
    );
    Facts { kind: kind.into(), causes: causes.iter().map(|c| (*c).to_owned()).collect(), parties, ..Facts::default() }
}

fn weight_of(d: &Determination, key: &str) -> Option<String> {
    d.lines.iter().find(|l| l.who.key == key).and_then(|l| l.weight.clone())
}

fn line<'a>(d: &'a Determination, key: &str) -> &'a Line {
    d.lines.iter().find(|l| l.who.key == key).unwrap_or_else(|| panic!("no line for {key}: {d:#?}"))
}

#[test]
fn each_cause_of_article_eleven_yields_its_parties_and_weights() {
    let r = default_rules();
    let w = |s: &str| Some(s.to_owned());
    let d = determine(&r, &facts("fire", &["c1"]));
    assert_eq!(weight_of(&d, "staff:1"), w("direct"));
    assert_eq!(weight_of(&d, "staff:2"), w("secondary"));
    assert_eq!(weight_of(&d, "unit:11"), w("secondary"));
    assert_eq!(d.lines.len(), 4, "violator, two leaders, the functional department: {d:#?}");
    assert!(line(&d, "staff:1").grounds.iter().any(|g| g.article.contains("第十一条㈠")));

    let d = determine(&r, &facts("fire", &["c2"]));
    assert_eq!(weight_of(&d, "unit:10"), w("primary"));
    assert_eq!(weight_of(&d, "staff:3"), w("secondary"));
    assert!(d.lines.iter().all(|l| l.who.key != "staff:1"));

    let d = determine(&r, &facts("fire", &["c3"]));
    assert_eq!(weight_of(&d, "unit:11"), w("primary"));
    assert_eq!(weight_of(&d, "staff:2"), w("secondary"));

    let d = determine(&r, &facts("fire", &["c4"]));
    assert_eq!(weight_of(&d, "unit:12"), w("primary"));
    assert_eq!(weight_of(&d, "staff:2"), w("secondary"));

    let d = determine(&r, &facts("fire", &["c5"]));
    assert_eq!(weight_of(&d, "staff:2"), w("primary"));
    assert_eq!(weight_of(&d, "unit:10"), w("secondary"));

    // Nothing marked and nothing late: nobody is named.
    assert!(determine(&r, &facts("fire", &[])).lines.is_empty());
}

#[test]
fn one_person_named_by_two_causes_gets_the_heavier_weight_and_both_clauses() {
    let r = default_rules();
    let d = determine(&r, &facts("fire", &["c1", "c5"]));
    let head = line(&d, "staff:2");
    assert_eq!(head.weight.as_deref(), Some("primary"));
    assert_eq!(head.grounds.len(), 2);
    assert_eq!(head.as_party, ["单位领导"], "named twice as a leader, listed once");
    // Heaviest first (第十一条㈦).
    assert_eq!(d.lines[0].weight.as_deref(), Some("direct"));
    assert_eq!(d.lines.last().and_then(|l| l.weight.as_deref()), Some("secondary"));
}

#[test]
fn a_late_report_names_who_failed_and_aggravates_their_responsibility() {
    let r = default_rules();
    let mut f = facts("fire", &["c1"]);
    f.late.push(LateReport {
        unit: "东街分社".into(),
        who: vec![named("staff:2", "网点主任")],
        late_minutes: Some(95),
    });
    let d = determine(&r, &f);
    let head = line(&d, "staff:2");
    assert!(head.aggravated);
    // Secondary for ㈠, raised one step for not reporting in time.
    assert_eq!(head.weight.as_deref(), Some("primary"));
    assert!(head.grounds.iter().any(|g| g.article.contains("第十一条㈥") && g.text.contains("东街分社迟报95分钟")));
    // Others are not aggravated.
    assert!(!line(&d, "staff:3").aggravated);
    assert_eq!(weight_of(&d, "staff:3").as_deref(), Some("secondary"));

    // A report never made is named too, even with no cause marked.
    let mut f = facts("fire", &[]);
    f.late.push(LateReport {
        unit: "城关信用社".into(),
        who: vec![named("staff:9", "信用社主任")],
        late_minutes: None,
    });
    let d = determine(&r, &f);
    let l = line(&d, "staff:9");
    assert!(l.grounds[0].text.contains("城关信用社未上报"));
    assert_eq!(l.weight.as_deref(), Some("primary"));
}

#[test]
fn a_four_kinds_case_adds_the_cooperative_county_and_regional_leaders() {
    let r = default_rules();
    let d = determine(&r, &facts("theft", &["c1"]));
    for k in ["staff:20", "staff:21", "staff:22"] {
        assert_eq!(weight_of(&d, k).as_deref(), Some("management"), "{k}");
        assert!(line(&d, k).grounds.iter().any(|g| g.article.contains("第一篇")));
    }
    let d = determine(&r, &facts("fire", &["c1"]));
    assert!(d.lines.iter().all(|l| l.who.key != "staff:20"));
}

#[test]
fn compliant_facilities_rules_in_place_and_an_attack_beyond_limits_exempt_the_case() {
    let r = default_rules();
    let mut f = facts("attempted_robbery", &["c5"]);
    f.facilities_ok = true;
    f.rules_in_place = true;
    f.beyond_limits = true;
    let d = determine(&r, &f);
    assert!(d.exempt_all.as_ref().is_some_and(|g| g.article.contains("第十二条㈠")));
    assert!(d.lines.iter().all(|l| l.weight.is_none() && !l.exempt.is_empty()), "{d:#?}");

    // A gap in the ledger at the case time: no exemption.
    f.facilities_ok = false;
    let d = determine(&r, &f);
    assert!(d.exempt_all.is_none());
    assert_eq!(weight_of(&d, "staff:2").as_deref(), Some("primary"));
    // Facilities fine but the attack was within the limits: no exemption either.
    f.facilities_ok = true;
    f.beyond_limits = false;
    assert!(determine(&r, &f).exempt_all.is_none());
    f.beyond_limits = true;
    f.rules_in_place = false;
    assert!(determine(&r, &f).exempt_all.is_none());
}

#[test]
fn not_reporting_stays_a_responsibility_even_when_the_case_is_exempt() {
    let r = default_rules();
    let mut f = facts("attempted_robbery", &["c5"]);
    (f.facilities_ok, f.rules_in_place, f.beyond_limits) = (true, true, true);
    f.late.push(LateReport {
        unit: "东街分社".into(),
        who: vec![named("staff:2", "网点主任")],
        late_minutes: Some(30),
    });
    let d = determine(&r, &f);
    assert!(d.exempt_all.is_some());
    assert_eq!(weight_of(&d, "staff:2").as_deref(), Some("primary"));
    assert_eq!(weight_of(&d, "staff:3"), None);
}

#[test]
fn a_notice_within_its_period_exempts_the_issuing_department() {
    let r = default_rules();
    let mut f = facts("theft", &["c2"]);
    f.notice = Some(NoticeFact {
        hazard_id: 1,
        notice_no: "ZG-1".into(),
        deadline_day: 100,
        past_deadline: false,
        repeat: false,
    });
    let d = determine(&r, &f);
    let dept = line(&d, "unit:10");
    assert_eq!(dept.weight, None);
    assert!(dept.exempt.iter().any(|g| g.article.contains("第十二条㈡") && g.text.contains("整改期内")));
    assert_eq!(weight_of(&d, "staff:2").as_deref(), Some("secondary"));
}

#[test]
fn past_the_period_unrectified_or_on_a_second_notice_the_leaders_answer_first() {
    let r = default_rules();
    for (past, repeat) in [(true, false), (false, true)] {
        let mut f = facts("theft", &["c2"]);
        f.notice =
            Some(NoticeFact { hazard_id: 1, notice_no: "ZG-1".into(), deadline_day: 100, past_deadline: past, repeat });
        let d = determine(&r, &f);
        assert_eq!(weight_of(&d, "staff:2").as_deref(), Some("primary"), "past {past} repeat {repeat}");
        assert_eq!(weight_of(&d, "unit:10").as_deref(), Some("secondary"));
        assert!(line(&d, "staff:2").grounds.iter().any(|g| g.article.contains("第十二条㈡")));
    }
    // The functional department's secondary share for ㈠ (a staff violation) stays: only facility causes reorder.
    let mut f = facts("theft", &["c1", "c2"]);
    f.notice = Some(NoticeFact {
        hazard_id: 1,
        notice_no: "ZG-1".into(),
        deadline_day: 1,
        past_deadline: true,
        repeat: false,
    });
    let d = determine(&r, &f);
    assert_eq!(weight_of(&d, "unit:11").as_deref(), Some("secondary"), "{d:#?}");
    // A notice does not touch a cause that is not about the facilities.
    let mut f = facts("fire", &["c4"]);
    f.notice = Some(NoticeFact {
        hazard_id: 1,
        notice_no: "ZG-1".into(),
        deadline_day: 1,
        past_deadline: true,
        repeat: false,
    });
    let d = determine(&r, &f);
    assert_eq!(weight_of(&d, "staff:2").as_deref(), Some("secondary"));
}

#[test]
fn a_product_defect_or_no_direct_link_lifts_the_facility_causes_only() {
    let r = default_rules();
    for (defect, no_link) in [(true, false), (false, true)] {
        let mut f = facts("fire", &["c1", "c2"]);
        (f.quality_defect, f.no_direct_link) = (defect, no_link);
        let d = determine(&r, &f);
        assert_eq!(weight_of(&d, "unit:10"), None);
        assert!(line(&d, "unit:10").exempt.iter().any(|g| g.article.contains("第十二条㈢")));
        // ㈠'s staff violation still stands.
        assert_eq!(weight_of(&d, "staff:1").as_deref(), Some("direct"));
        assert_eq!(weight_of(&d, "staff:2").as_deref(), Some("secondary"));
    }
}

#[test]
fn a_party_the_org_tree_cannot_name_is_still_listed() {
    let r = default_rules();
    let mut f = facts("fire", &["c4"]);
    f.parties.remove("personnel_discipline");
    let d = determine(&r, &f);
    let l = line(&d, "party:personnel_discipline");
    assert_eq!(l.weight.as_deref(), Some("primary"));
    assert!(l.who.label.contains("须指定"));
}

#[test]
fn without_an_aggravation_step_a_late_reporter_is_named_but_not_raised() {
    let mut r = default_rules();
    if let Some(c) = r.cause.iter_mut().find(|c| c.reporting) {
        c.aggravate = 0;
    }
    let mut f = facts("fire", &["c1"]);
    f.late.push(LateReport {
        unit: "东街分社".into(),
        who: vec![named("staff:2", "网点主任")],
        late_minutes: Some(10),
    });
    let d = determine(&r, &f);
    let head = line(&d, "staff:2");
    assert!(!head.aggravated);
    assert_eq!(head.weight.as_deref(), Some("secondary"));
}
