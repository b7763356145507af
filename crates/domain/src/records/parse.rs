//! Parsing a record as it arrives (a form, the API) into a draft, by walking its kind's declaration: each input the
//! kind asks for, what it requires, and its error messages. People's posts and scope are checked by the app.
use super::spec::*;
use super::*;
use crate::text;

fn no(field: &'static str, w: Words) -> DomainError {
    err(field, w.0, w.1)
}

/// Parse and check a record's input.
pub fn parse(input: &RecordInput) -> Result<RecordDraft, DomainError> {
    let kind = RecordKind::parse(&input.kind)?;
    let spec = kind.spec();
    if let Some(p) = spec.procedure {
        return Err(no("kind", p.why));
    }
    let subkind = subkind(spec, input.subkind.as_deref())?;
    let mut breaches: Vec<Breach> = Vec::new();
    if let (Some((code, b)), Some(s)) = (spec.subkinds.breach, subkind.as_deref())
        && code == s
    {
        breaches.push(b);
    }
    // The first text is a text area on the form: its line breaks are kept.
    let text = text::optional_paragraphs(
        "text",
        spec.text.name.0,
        spec.text.name.1,
        input.text.as_deref().unwrap_or_default(),
        LONG_TEXT,
    )?;
    let text2 = text::optional("text2", "补充说明", "More notes", input.text2.as_deref(), LONG_TEXT)?;
    let allowed: Vec<&str> = spec.checklist.iter().map(|(c, _)| *c).collect();
    let mut checks = serde_json::Map::new();
    for c in &allowed {
        checks.insert((*c).to_owned(), serde_json::Value::Bool(input.checks.iter().any(|x| x == c)));
    }
    if let Some(unknown) = input.checks.iter().find(|c| !allowed.contains(&c.as_str())) {
        return Err(DomainError::new(
            "checks",
            format!("未知的检查项：{unknown}"),
            format!("unknown check item: {unknown}"),
        ));
    }
    let all_checked = allowed.iter().all(|c| input.checks.iter().any(|x| x == c));
    if let Need::Required(w) = spec.performer
        && input.performer_id.is_none()
    {
        return Err(no("performer_id", w));
    }
    let mut people = input.people.clone();
    people.sort_unstable();
    if people.windows(2).any(|w| w[0] == w[1]) {
        return Err(err("people", "参加人员名单中有重复的人", "a person is listed twice"));
    }
    let mut d = RecordDraft {
        kind,
        subkind,
        performer: input.performer_id.map(StaffId::new),
        performer_position: input
            .performer_position
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        second_person: None,
        subject_staff: None,
        target_unit: None,
        value: None,
        data: serde_json::json!({ "checks": checks }),
        breach: None,
    };
    let mut data = serde_json::Map::new();
    match spec.about {
        About::Asset { missing, .. } if input.asset_id.is_none() => return Err(no("asset_id", missing)),
        About::TargetUnit => {
            let t = input
                .target_unit_id
                .ok_or_else(|| err("target_unit_id", "请选择被检查单位", "choose the unit checked"))?;
            d.target_unit = Some(UnitId::new(t));
        }
        _ => {}
    }
    if let Need::Required(w) = spec.subject {
        d.subject_staff = Some(StaffId::new(input.subject_staff_id.ok_or_else(|| no("subject_staff_id", w))?));
    }
    if let Some(posts) = spec.posts {
        let pos = d.performer_position.clone().unwrap_or_default();
        if !posts.allowed.iter().any(|p| p.code() == pos) {
            return Err(no("performer_position", posts.wrong));
        }
        if posts.as_subkind {
            d.subkind = Some(pos);
        }
    }
    if let Need::Required(w) = spec.results.need {
        let result = input.result.as_deref().unwrap_or_default();
        if !spec.results.options.iter().any(|(c, _, _)| *c == result) {
            return Err(no("result", w));
        }
        if spec.results.as_subkind {
            d.subkind = Some(result.to_owned());
        }
        data.insert("result".into(), result.into());
    }
    if let Some(n) = spec.number {
        d.value = Some(number(&n, input.number)?);
    }
    // The one-line second text (a requester, a visitor) comes before the main text, as it does on paper.
    if let Some(v) = text_field("text2", &spec.text2, input.text2.as_deref(), text2.as_ref())? {
        data.insert(spec.text2.key.into(), v.into());
    }
    if let Some(v) = text_field("text", &spec.text, input.text.as_deref(), text.as_ref())? {
        data.insert(spec.text.key.into(), v.into());
    }
    if let Some(p) = spec.people {
        if people.is_empty() {
            return Err(no("people", p.missing));
        }
        data.insert(p.key.into(), people.clone().into());
    }
    if let Some(s) = spec.second {
        if let Need::Required(w) = s.need
            && input.second_person_id.is_none()
        {
            return Err(no("second_person_id", w));
        }
        if let Some(w) = s.distinct
            && input.second_person_id.is_some()
            && input.second_person_id == input.performer_id
        {
            return Err(no("second_person_id", w));
        }
        d.second_person = input.second_person_id.map(StaffId::new);
        if d.second_person.is_none() {
            breaches.extend(s.absent);
        }
    }
    match spec.unticked {
        Unticked::Explained(w) if !all_checked && text.is_none() => return Err(no("text", w)),
        Unticked::Breach(b) if !all_checked => breaches.push(b),
        Unticked::BreachWithText2(b) if !all_checked && text2.is_some() => breaches.push(b),
        Unticked::PerItem { explain, breaches: duties } => {
            let ticked = |c: &str| input.checks.iter().any(|x| x == c);
            let failed_duties: Vec<Breach> = duties.iter().filter(|(c, _)| !ticked(c)).map(|(_, b)| *b).collect();
            let observations_ok = allowed.iter().filter(|c| !duties.iter().any(|(d, _)| d == *c)).all(|c| ticked(c));
            if let (Some(w), false, None) = (explain, observations_ok, &text) {
                return Err(no("text", w));
            }
            // One breach per violation: two unticked items of one duty (started late, stopped early) are one.
            for b in failed_duties {
                if !breaches.contains(&b) {
                    breaches.push(b);
                }
            }
        }
        _ => {}
    }
    match spec.outcome {
        Outcome::None => {}
        Outcome::Normal => {
            data.insert("result".into(), (if all_checked { "normal" } else { "abnormal" }).into());
        }
        Outcome::Complete => {
            data.insert("result".into(), (if all_checked { "complete" } else { "incomplete" }).into());
        }
        Outcome::Prompted => {
            data.insert("prompted".into(), all_checked.into());
        }
    }
    hook(spec.hook, input, &text, all_checked, &mut d, &mut data)?;
    // The notes are the main text unless it already is the record's reason, plan or minutes.
    let has_main_text = ["reason", "plan", "minutes"].iter().any(|k| data.contains_key(*k));
    if let (Some(t), false) = (&text, has_main_text) {
        data.insert("notes".into(), t.clone().into());
    }
    // A drill names the emergency plan it rehearses and the steps rehearsed (TRN-1); the app checks them against the
    // plan book in force.
    let names_plan = spec.checks.contains(&Check::Plan);
    match input.plan.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) if names_plan => {
            if p.len() > 40 || !p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                return Err(err("plan", "应急预案代码不正确", "the plan code is malformed"));
            }
            let mut steps = input.plan_steps.clone();
            steps.sort_unstable();
            steps.dedup();
            if steps.len() != input.plan_steps.len() || steps.iter().any(|s| *s == 0 || *s > crate::plans::STEPS_MAX) {
                return Err(err("plan_steps", "演练步骤编号不正确或重复", "a step number is wrong or repeated"));
            }
            data.insert("plan_code".into(), p.into());
            data.insert("plan_steps".into(), steps.into());
        }
        Some(_) => return Err(err("plan", "本类记录不关联应急预案", "this kind of record names no emergency plan")),
        None if !input.plan_steps.is_empty() => {
            return Err(err("plan_steps", "请先选择演练的应急预案", "choose the plan rehearsed first"));
        }
        None => {}
    }
    // A register records what happened: a breach is kept with the record, flagged with its article, and the app
    // proposes the violation for a penalty.
    if let Some(b) = breaches.first() {
        data.insert("violation".into(), b.violation.into());
        let words: Vec<&str> = breaches.iter().map(|b| b.words.0).collect();
        data.insert("violation_reason".into(), words.join("；").into());
        d.breach = Some(*b);
    }
    if let Some(m) = d.data.as_object_mut() {
        m.extend(data);
    }
    Ok(d)
}

/// The sub-kind given, checked against the kind's list; kinds whose sub-kind is the post or the result set it later.
fn subkind(spec: &KindSpec, raw: Option<&str>) -> Result<Option<String>, DomainError> {
    if spec.subkinds.list.is_empty() || spec.posts.is_some_and(|p| p.as_subkind) {
        return Ok(None);
    }
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(no("subkind", spec.subkinds.missing)),
        Some(s) if spec.subkinds.list.iter().any(|(c, _)| *c == s) => Ok(Some(s.to_owned())),
        Some(_) => Err(no("subkind", spec.subkinds.unknown)),
    }
}

/// A text the kind asks for: `None` when it is absent or optional and empty. A one-line text is checked against its
/// own length and name.
fn text_field(
    field: &'static str,
    t: &Text,
    raw: Option<&str>,
    long: Option<&String>,
) -> Result<Option<String>, DomainError> {
    match t.need {
        Need::Absent => Ok(None),
        Need::Optional => Ok(long.cloned()),
        Need::Required(_) if t.max < LONG_TEXT => {
            text::bounded(field, t.name.0, t.name.1, raw.unwrap_or_default(), t.max).map(Some)
        }
        Need::Required(w) => long.cloned().map(Some).ok_or_else(|| no(field, w)),
    }
}

/// A measured number within the kind's range, stored times its scale.
fn number(n: &Number, raw: Option<f64>) -> Result<i64, DomainError> {
    let v = raw.ok_or_else(|| no("number", n.missing))?;
    if !(n.min..=n.max).contains(&v) || (n.whole && v.fract() != 0.0) {
        return Err(no("number", n.out_of_range));
    }
    Ok((v * n.scale).round() as i64)
}

/// The rules of the few kinds no declaration can say.
fn hook(
    h: Hook,
    input: &RecordInput,
    text: &Option<String>,
    all_checked: bool,
    d: &mut RecordDraft,
    data: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<(), DomainError> {
    match h {
        Hook::None => {}
        Hook::AtmPatrol => {
            let normal = input.result.as_deref().unwrap_or("normal") == "normal";
            if !normal && text.is_none() {
                return Err(err("text", "发现异常时须说明情况", "describe the problem found"));
            }
            data.insert("result".into(), (if normal && all_checked { "normal" } else { "abnormal" }).into());
        }
        Hook::PlaybackAccess => {
            let business = input.result.as_deref() == Some("business");
            if !business && d.second_person.is_none() {
                return Err(err(
                    "second_person_id",
                    "与业务无关的调阅须经网点负责人同意（第四十六条）",
                    "access unrelated to business needs the outlet head's consent (art. 46)",
                ));
            }
            data.insert("business_related".into(), business.into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> RecordInput {
        RecordInput { kind: kind.into(), ..Default::default() }
    }

    #[test]
    fn an_atm_patrol_needs_its_atm_and_an_abnormal_one_needs_words() {
        assert_eq!(parse(&input("atm_patrol")).map_err(|e| e.field), Err("asset_id"));
        let ok = RecordInput {
            asset_id: Some(1),
            checks: vec!["appearance_ok".into(), "no_skimmer".into(), "notice_ok".into()],
            ..input("atm_patrol")
        };
        assert_eq!(parse(&ok).map(|d| d.data["result"].clone()), Ok("normal".into()));
        let bad = RecordInput { result: Some("abnormal".into()), ..ok };
        assert_eq!(parse(&bad).map_err(|e| e.field), Err("text"));
    }

    #[test]
    fn a_duty_log_needs_two_different_people() {
        let one =
            RecordInput { asset_id: Some(1), performer_id: Some(5), second_person_id: Some(5), ..input("duty_log") };
        assert_eq!(parse(&one).map_err(|e| e.field), Err("second_person_id"));
        let two = RecordInput { second_person_id: Some(6), ..one };
        assert!(parse(&two).is_ok());
    }

    #[test]
    fn playback_access_unrelated_to_business_needs_the_heads_consent() {
        let r = RecordInput {
            unit_id: Some(1),
            text: Some("查看纠纷".into()),
            text2: Some("派出所 李警官".into()),
            result: Some("other".into()),
            ..input("cctv_access")
        };
        assert_eq!(parse(&r).map_err(|e| e.field), Err("second_person_id"));
        let business = RecordInput { result: Some("business".into()), ..r.clone() };
        assert!(parse(&business).is_ok());
        let consented = RecordInput { second_person_id: Some(3), ..r };
        assert!(parse(&consented).is_ok());
    }

    #[test]
    fn a_person_listed_twice_is_refused() {
        let r = RecordInput {
            unit_id: Some(1),
            subkind: Some("fire".into()),
            text: Some("方案".into()),
            text2: Some("部署".into()),
            people: vec![3, 4, 3],
            ..input("drill")
        };
        assert_eq!(parse(&r).map_err(|e| e.field), Err("people"));
    }

    #[test]
    fn retention_days_must_be_a_plausible_whole_number() {
        let r = RecordInput { unit_id: Some(1), number: Some(-3.0), ..input("cctv_check") };
        assert!(parse(&r).is_err());
        let r = RecordInput { number: Some(30.0), ..r };
        assert_eq!(parse(&r).map(|d| d.value), Ok(Some(30)));
    }

    #[test]
    fn an_inspection_visit_cannot_be_typed_in_and_says_where_it_comes_from() {
        let e = parse(&input("inspection_visit")).unwrap_err();
        assert_eq!(e.field, "kind");
        assert!(e.message.contains("检查人签字并经被检查单位负责人确认后自动生成"), "{}", e.message);
        assert!(parse(&input("gun_checkout")).is_err());
    }

    #[test]
    fn a_drill_names_its_plan_and_steps_and_other_kinds_name_none() {
        let drill = RecordInput {
            unit_id: Some(1),
            subkind: Some("fire".into()),
            people: vec![3],
            text: Some("方案".into()),
            text2: Some("部署".into()),
            plan: Some("fire_business_hours".into()),
            plan_steps: vec![3, 1],
            ..input("drill")
        };
        let d = parse(&drill).unwrap();
        assert_eq!(d.data["plan_code"], "fire_business_hours");
        assert_eq!(d.data["plan_steps"], serde_json::json!([1, 3]));
        assert!(parse(&RecordInput { plan_steps: vec![1, 1], ..drill.clone() }).is_err());
        assert!(parse(&RecordInput { plan_steps: vec![0], ..drill.clone() }).is_err());
        assert!(parse(&RecordInput { plan_steps: vec![21], ..drill.clone() }).is_err());
        assert!(parse(&RecordInput { plan: Some("Fire!".into()), ..drill.clone() }).is_err());
        assert!(parse(&RecordInput { plan: None, ..drill.clone() }).is_err());
        assert!(parse(&RecordInput { plan: None, plan_steps: vec![], ..drill.clone() }).is_ok());
        let meeting = RecordInput {
            unit_id: Some(1),
            subkind: Some("monthly".into()),
            people: vec![3],
            text: Some("纪要".into()),
            plan: Some("fire_business_hours".into()),
            ..input("meeting")
        };
        assert_eq!(parse(&meeting).unwrap_err().field, "plan");
    }

    #[test]
    fn media_are_recognised_by_their_content() {
        assert_eq!(media_type(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"), Some("video/mp4"));
        assert_eq!(media_type(b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00"), Some("video/mp4"));
        assert_eq!(media_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(media_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(media_type(b"\x00\x00\x00\x18ftypqt  \x00\x00\x00\x00"), None);
        assert_eq!(media_type(b"MZ\x90\x00 not a video"), None);
    }

    #[test]
    fn photos_are_recognised_by_their_bytes() {
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"%PDF-1.7"), None);
        assert_eq!(image_type(b"MZ\x90\x00"), None);
        assert_eq!(photo_or_scan_type(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(photo_or_scan_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(photo_or_scan_type(b"PK\x03\x04"), None);
    }

    fn field_of(r: &RecordInput) -> Result<RecordDraft, &'static str> {
        parse(r).map_err(|e| e.field)
    }

    #[test]
    fn sub_kinds_are_required_and_checked_and_some_say_their_article() {
        let drill = RecordInput {
            unit_id: Some(1),
            text: Some("方案".into()),
            text2: Some("部署".into()),
            people: vec![3],
            ..input("drill")
        };
        assert_eq!(parse(&drill).unwrap_err().message, "请选择类别");
        let odd = RecordInput { subkind: Some("parade".into()), ..drill.clone() };
        assert_eq!(parse(&odd).unwrap_err().message, "类别不正确");
        let ok = RecordInput { subkind: Some(" fire ".into()), ..drill };
        assert_eq!(parse(&ok).map(|d| d.subkind), Ok(Some("fire".into())));
        let door = RecordInput { unit_id: Some(1), subkind: Some("party".into()), ..input("interlock_open") };
        assert_eq!(parse(&door).unwrap_err().field, "subkind");
        assert_eq!(parse(&input("interlock_open")).unwrap_err().field, "subkind");
        // Opened for anything but a cash handover or an inspection: recorded, flagged with 第10题.
        let misuse = RecordInput { subkind: Some("other".into()), ..door.clone() };
        let d = parse(&misuse).unwrap();
        assert_eq!(d.breach.map(|b| b.violation), Some("interlock_misuse"));
        assert_eq!(d.data["violation"], "interlock_misuse");
        assert!(d.data["violation_reason"].as_str().is_some_and(|r| r.contains("第五篇 第10题")));
        let handover = RecordInput { subkind: Some("cash_handover".into()), ..door };
        assert_eq!(parse(&handover).map(|d| d.breach), Ok(None));
    }

    #[test]
    fn numbers_keep_their_range_wholeness_and_scale() {
        let t = RecordInput {
            unit_id: Some(1),
            text2: Some("制度学习".into()),
            people: vec![3],
            number: Some(1.5),
            ..input("training")
        };
        assert_eq!(parse(&t).map(|d| d.value), Ok(Some(15)));
        assert_eq!(field_of(&RecordInput { number: Some(24.5), ..t.clone() }).err(), Some("number"));
        assert_eq!(field_of(&RecordInput { number: Some(0.4), ..t.clone() }).err(), Some("number"));
        assert_eq!(field_of(&RecordInput { number: None, ..t.clone() }).err(), Some("number"));
        assert_eq!(parse(&RecordInput { number: Some(24.0), ..t.clone() }).map(|d| d.value), Ok(Some(240)));
        assert_eq!(field_of(&RecordInput { people: vec![], ..t.clone() }).err(), Some("people"));
        assert_eq!(parse(&t).map(|d| d.data["attendees"].clone()), Ok(serde_json::json!([3])));
        assert_eq!(parse(&t).map(|d| d.data["title"].clone()), Ok("制度学习".into()));
        let cash = RecordInput { unit_id: Some(1), number: Some(50_000.5), ..input("large_withdrawal") };
        assert_eq!(field_of(&cash).err(), Some("number"));
        let cash = RecordInput { number: Some(1.0), checks: vec!["prompt_given".into()], ..cash };
        assert_eq!(parse(&cash).map(|d| (d.value, d.data["prompted"].clone())), Ok((Some(1), true.into())));
        assert_eq!(field_of(&RecordInput { number: Some(0.0), ..cash }).err(), Some("number"));
    }

    #[test]
    fn a_one_line_text_is_required_and_bounded_by_its_own_length() {
        let phone = RecordInput {
            unit_id: Some(1),
            performer_id: Some(2),
            target_unit_id: Some(7),
            result: Some("late".into()),
            text2: Some("王".repeat(40)),
            ..input("phone_check")
        };
        let d = parse(&phone).unwrap();
        assert_eq!((d.subkind.as_deref(), d.target_unit), (Some("late"), Some(UnitId::new(7))));
        assert_eq!(d.data["result"], "late");
        assert_eq!(field_of(&RecordInput { text2: Some("王".repeat(41)), ..phone.clone() }).err(), Some("text2"));
        assert_eq!(field_of(&RecordInput { text2: None, ..phone.clone() }).err(), Some("text2"));
        assert_eq!(field_of(&RecordInput { result: Some("maybe".into()), ..phone.clone() }).err(), Some("result"));
        assert_eq!(field_of(&RecordInput { target_unit_id: None, ..phone.clone() }).err(), Some("target_unit_id"));
        assert_eq!(field_of(&RecordInput { performer_id: None, ..phone }).err(), Some("performer_id"));
    }

    #[test]
    fn a_post_is_checked_and_may_become_the_sub_kind() {
        let review = RecordInput {
            unit_id: Some(1),
            performer_id: Some(2),
            performer_position: Some("director".into()),
            text: Some("查看了三天录像".into()),
            ..input("cctv_review")
        };
        assert_eq!(parse(&review).map(|d| d.subkind), Ok(Some("director".into())));
        let teller = RecordInput { performer_position: Some("teller".into()), ..review.clone() };
        assert_eq!(field_of(&teller).err(), Some("performer_position"));
        assert_eq!(field_of(&RecordInput { text: None, ..review }).err(), Some("text"));
        let gun = RecordInput {
            asset_id: Some(1),
            performer_id: Some(2),
            performer_position: Some("chairman".into()),
            checks: vec!["count_matches".into(), "kept_apart".into(), "condition_ok".into(), "register_ok".into()],
            ..input("gun_check")
        };
        let d = parse(&gun).unwrap();
        assert_eq!((d.subkind, d.data["result"].clone()), (None, "normal".into()));
        assert_eq!(
            field_of(&RecordInput { performer_position: None, ..gun.clone() }).err(),
            Some("performer_position")
        );
        // An unticked item must be explained, and then it is abnormal.
        let missing = RecordInput { checks: vec!["count_matches".into()], ..gun };
        assert_eq!(field_of(&missing).err(), Some("text"));
        let explained = RecordInput { text: Some("一支枪待修".into()), ..missing };
        assert_eq!(parse(&explained).map(|d| d.data["result"].clone()), Ok("abnormal".into()));
    }

    #[test]
    fn unticked_items_and_a_missing_companion_are_recorded_as_breaches_with_their_article() {
        let visitor = RecordInput {
            unit_id: Some(1),
            performer_id: Some(2),
            second_person_id: Some(3),
            text: Some("检修".into()),
            text2: Some("电力公司 李工".into()),
            ..input("visitor")
        };
        let unchecked = parse(&visitor).unwrap();
        assert_eq!(unchecked.breach.map(|b| b.violation), Some("visitor_unchecked"));
        assert!(unchecked.data["violation_reason"].as_str().is_some_and(|r| r.contains("第九条")));
        let checked = RecordInput { checks: vec!["id_checked".into()], ..visitor };
        let d = parse(&checked).unwrap();
        assert_eq!(d.breach, None);
        assert!(d.data.get("violation").is_none());
        assert_eq!((d.second_person, d.data["visitor"].clone()), (Some(StaffId::new(3)), "电力公司 李工".into()));
        assert_eq!(d.data["purpose"], "检修");
        assert_eq!(d.data["notes"], "检修");
        let alone = parse(&RecordInput { second_person_id: None, ..checked }).unwrap();
        assert!(alone.data["violation_reason"].as_str().is_some_and(|r| r.contains("网点负责人陪同")));
        let entry = RecordInput {
            asset_id: Some(1),
            subkind: Some("routine".into()),
            text: Some("取款箱".into()),
            ..input("vault_entry")
        };
        let d = parse(&entry).unwrap();
        assert!(d.data.get("visitors").is_none());
        assert_eq!(d.breach, None);
        let outsiders = RecordInput { text2: Some("市联社检查组".into()), ..entry };
        assert_eq!(parse(&outsiders).map(|d| d.breach.map(|b| b.violation)), Ok(Some("vault_outsider_unchecked")));
        let letter = RecordInput { checks: vec!["letter_checked".into()], ..outsiders };
        assert_eq!(parse(&letter).map(|d| d.data["visitors"].clone()), Ok("市联社检查组".into()));
        assert_eq!(parse(&letter).map(|d| d.breach), Ok(None));
        let night = RecordInput {
            asset_id: Some(1),
            second_person_id: Some(9),
            text: Some("接报警系统异常，需夜间核查库房".into()),
            text2: Some("市联社检查组".into()),
            ..input("night_check")
        };
        assert_eq!(parse(&night).map(|d| d.breach.map(|b| b.violation)), Ok(Some("night_check_unverified")));
        assert_eq!(field_of(&RecordInput { asset_id: None, ..letter }).err(), Some("asset_id"));
    }

    #[test]
    fn loading_outcomes_and_the_main_text_are_kept_where_the_summary_reads_them() {
        let all: Vec<String> = checklist(RecordKind::AtmLoading).iter().map(|(c, _)| (*c).to_owned()).collect();
        let load =
            RecordInput { asset_id: Some(1), number: Some(200_000.0), checks: all.clone(), ..input("atm_loading") };
        assert_eq!(parse(&load).map(|d| d.data["result"].clone()), Ok("complete".into()));
        let part = RecordInput { checks: all[1..].to_vec(), text: Some("系统故障未测试".into()), ..load };
        let d = parse(&part).unwrap();
        assert_eq!((d.data["result"].clone(), d.data["notes"].clone()), ("incomplete".into(), "系统故障未测试".into()));
        let meeting = RecordInput {
            unit_id: Some(1),
            subkind: Some("monthly".into()),
            text: Some("纪要".into()),
            people: vec![4, 3],
            ..input("meeting")
        };
        let d = parse(&meeting).unwrap();
        assert_eq!(d.data["minutes"], "纪要");
        assert!(d.data.get("notes").is_none(), "the minutes are not repeated as notes");
        assert_eq!(d.data["attendees"], serde_json::json!([3, 4]));
        let roster = RecordInput {
            unit_id: Some(1),
            performer_id: Some(2),
            second_person_id: Some(2),
            ..input("counter_roster")
        };
        assert_eq!(field_of(&roster).err(), Some("second_person_id"));
        let roster = RecordInput { second_person_id: Some(5), ..roster };
        assert_eq!(parse(&roster).map(|d| d.data["result"].clone()), Ok("abnormal".into()));
    }

    #[test]
    fn a_qualification_review_names_its_person_and_its_result_is_the_sub_kind() {
        let r = RecordInput {
            unit_id: Some(1),
            performer_id: Some(2),
            subject_staff_id: Some(9),
            result: Some("pass".into()),
            ..input("qualification_review")
        };
        let d = parse(&r).unwrap();
        assert_eq!((d.subject_staff, d.subkind.as_deref()), (Some(StaffId::new(9)), Some("pass")));
        assert_eq!(field_of(&RecordInput { subject_staff_id: None, ..r.clone() }).err(), Some("subject_staff_id"));
        assert_eq!(field_of(&RecordInput { result: None, ..r }).err(), Some("result"));
    }

    #[test]
    fn an_unknown_check_item_is_refused() {
        let r = RecordInput { asset_id: Some(1), checks: vec!["smells_ok".into()], ..input("atm_patrol") };
        assert_eq!(field_of(&r).err(), Some("checks"));
        let ok = RecordInput { asset_id: Some(1), checks: vec!["no_skimmer".into()], ..input("atm_patrol") };
        let d = parse(&ok).unwrap();
        assert_eq!(d.data["checks"]["no_skimmer"], true);
        assert_eq!(d.data["checks"]["notice_ok"], false);
        assert_eq!(d.data["result"], "abnormal", "a patrol with an item unticked is not normal");
    }

    #[test]
    fn a_missing_main_text_says_what_to_write() {
        let r = RecordInput {
            unit_id: Some(1),
            subkind: Some("fire".into()),
            text2: Some("部署".into()),
            people: vec![3],
            ..input("drill")
        };
        assert_eq!(parse(&r).unwrap_err().message, "请填写演练方案");
        let r = RecordInput { text: Some("方案".into()), text2: None, ..r };
        assert_eq!(parse(&r).unwrap_err().message, "请填写演练部署");
    }

    #[test]
    fn a_kind_answers_from_its_declaration() {
        assert_eq!((RecordKind::Drill.label_zh(), RecordKind::Drill.label_en()), ("应急演练", "Drill"));
        assert!(RecordKind::Drill.subkinds().iter().any(|(c, l)| *c == "fire" && *l == "消防演练"));
        assert!(RecordKind::AtmPatrol.subkinds().is_empty());
        assert!(RecordKind::DutyLog.needs_performer() && !RecordKind::Drill.needs_performer());
        assert!(RecordKind::GunCheckout.produced_by_procedure() && !RecordKind::Drill.produced_by_procedure());
        assert_eq!(RecordKind::Drill.procedure(), None);
        assert!(
            RecordKind::MonthlyFacilityReport
                .procedure()
                .is_some_and(|(zh, en)| zh.contains("月报") && en.contains("monthly"))
        );
        assert!(RecordKind::VaultEntry.confirmed_by_two() && !RecordKind::Drill.confirmed_by_two());
    }

    #[test]
    fn every_accepted_photo_format_is_recognised_and_lookalikes_are_not() {
        assert_eq!(image_type(b"GIF87a...."), Some("image/gif"));
        assert_eq!(image_type(b"GIF89a...."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(image_type(b"RIFF\x10\0\0\0WEBP"), None, "a header alone is not an image");
        assert_eq!(image_type(b"\0\0\0\x18ftypheic\0\0"), Some("image/heic"));
        assert_eq!(image_type(b"\0\0\0\x18ftypmif1\0\0"), Some("image/heic"));
        assert_eq!(image_type(b"\0\0\0\x18ftypisom\0\0"), None);
        assert_eq!(image_type(b"\0\0\0\x18ftypheic"), None, "a header alone is not an image");
        assert_eq!(image_type(b"\0\0\0\x18fxypheic\0\0"), None);
    }

    #[test]
    fn duties_on_a_checklist_are_breaches_and_its_findings_are_explained_or_recorded() {
        let closing = |checks: &[&str], text: Option<&str>| RecordInput {
            unit_id: Some(1),
            checks: checks.iter().map(|c| (*c).to_owned()).collect(),
            text: text.map(str::to_owned),
            ..input("closing_check")
        };
        let all = ["cash_in_vault", "vouchers_seals_in_vault", "books_in_vault", "power_off", "doors_windows_closed"];
        // 第五十三条: the weapons unsecured is a breach, with nothing to explain.
        let d = parse(&closing(&all, None)).unwrap();
        assert_eq!(d.breach.map(|b| b.violation), Some("weapon_unsecured"));
        assert_eq!(d.data["result"], "abnormal");
        let every = [&all[..], &["weapons_secured"]].concat();
        assert_eq!(parse(&closing(&every, None)).unwrap().breach, None);
        // 第十一条's items are findings: one failed wants its explanation, and is then no breach.
        assert_eq!(parse(&closing(&every[1..], None)).unwrap_err().field, "text");
        assert_eq!(parse(&closing(&every[1..], Some("现金由押运车接走"))).unwrap().breach, None);
        // A CCTV check explains nothing: a faulty screen is recorded, the recorder started late is a breach, once.
        let cctv = |checks: &[&str]| RecordInput {
            unit_id: Some(1),
            number: Some(30.0),
            checks: checks.iter().map(|c| (*c).to_owned()).collect(),
            ..input("cctv_check")
        };
        let all =
            ["screens_ok", "channels_ok", "clock_ok", "audio_ok", "started_before_opening", "stopped_after_closing"];
        assert_eq!(parse(&cctv(&all[1..])).unwrap().breach, None);
        let late = parse(&cctv(&all[..4])).unwrap();
        assert_eq!(late.breach.map(|b| b.violation), Some("cctv_not_recording"));
        assert_eq!(late.data["violation_reason"].as_str().map(|r| r.matches("第四十四条").count()), Some(1));
        assert_eq!(parse(&cctv(&all[..5])).unwrap().breach.map(|b| b.violation), Some("cctv_not_recording"));
    }

    #[test]
    fn a_weapon_leaves_the_outlet_only_on_an_escort() {
        let out = |why: &str| RecordInput {
            unit_id: Some(1),
            subkind: Some(why.into()),
            performer_id: Some(3),
            text: Some("防暴棍一支".into()),
            ..input("weapon_out")
        };
        assert_eq!(parse(&out("escort")).unwrap().breach, None);
        assert_eq!(parse(&out("other")).unwrap().breach.map(|b| b.violation), Some("weapon_taken_out"));
        assert_eq!(parse(&RecordInput { text: None, ..out("escort") }).unwrap_err().field, "text");
    }
}
