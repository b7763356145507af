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
    let text = text::optional("text", spec.text.name.0, spec.text.name.1, input.text.as_deref(), LONG_TEXT)?;
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
    }
    match spec.unticked {
        Unticked::Explained(w) if !all_checked && text.is_none() => return Err(no("text", w)),
        Unticked::Refused(w) if !all_checked => return Err(no("checks", w)),
        Unticked::RefusedWithText2(w) if !all_checked && text2.is_some() => return Err(no("checks", w)),
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
    fn photos_are_recognised_by_their_bytes() {
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"%PDF-1.7"), None);
        assert_eq!(image_type(b"MZ\x90\x00"), None);
    }
}
