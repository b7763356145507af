//! Parsing a record as it arrives (a form, the API) into a draft: each kind's fields, what it requires, and its
//! error messages.
use super::*;

/// Parse and check a record's input. People's posts and scope are checked by the app against the store.
pub fn parse(input: &RecordInput) -> Result<RecordDraft, DomainError> {
    let kind = RecordKind::parse(&input.kind)?;
    if let Some((zh, en)) = kind.procedure() {
        return Err(err("kind", zh, en));
    }
    let subkind = match input.subkind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None if kind.subkinds().is_empty() || kind == RecordKind::CctvReview => None,
        None if kind == RecordKind::InterlockOpen => return Err(interlock_reason()),
        None if kind == RecordKind::WeaponUse => return Err(weapon_case()),
        None => return Err(err("subkind", "请选择类别", "choose the sub-kind")),
        Some(s) => {
            if !kind.subkinds().iter().any(|(c, _)| *c == s) {
                match kind {
                    RecordKind::InterlockOpen => return Err(interlock_reason()),
                    RecordKind::WeaponUse => return Err(weapon_case()),
                    _ => {}
                }
                return Err(err("subkind", "类别不正确", "unknown sub-kind"));
            }
            Some(s.to_owned())
        }
    };
    let text = text::optional("text", "说明", "Notes", input.text.as_deref(), 2000)?;
    let text2 = text::optional("text2", "补充说明", "More notes", input.text2.as_deref(), 2000)?;
    let allowed: Vec<&str> = checklist(kind).iter().map(|(c, _)| *c).collect();
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
    if kind.needs_performer() && input.performer_id.is_none() {
        return Err(err("performer_id", "请选择执行人", "choose who did it"));
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
    let obj = |d: &mut RecordDraft, k: &str, v: serde_json::Value| {
        if let Some(m) = d.data.as_object_mut() {
            m.insert(k.to_owned(), v);
        }
    };
    match kind {
        RecordKind::AtmPatrol => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择ATM", "choose the ATM"));
            }
            let normal = input.result.as_deref().unwrap_or("normal") == "normal";
            if !normal && text.is_none() {
                return Err(err("text", "发现异常时须说明情况", "describe the problem found"));
            }
            obj(&mut d, "result", (if normal && all_checked { "normal" } else { "abnormal" }).into());
        }
        RecordKind::CctvCheck => {
            let days = input.number.ok_or_else(|| err("number", "请填写录像保存天数", "enter the retention days"))?;
            if !(0.0..=3650.0).contains(&days) || days.fract() != 0.0 {
                return Err(err("number", "录像保存天数须为0–3650之间的整数", "retention days: a whole number 0–3650"));
            }
            d.value = Some(days as i64);
        }
        RecordKind::CctvReview => {
            let pos = d.performer_position.clone().unwrap_or_default();
            if pos != "cctv_admin" && pos != "director" {
                return Err(err(
                    "performer_position",
                    "请选择回放人的身份：监控管理员或网点负责人",
                    "review as CCTV administrator or outlet head",
                ));
            }
            d.subkind = Some(pos);
            if text.is_none() {
                return Err(err("text", "请填写回放检查情况", "describe what the review found"));
            }
        }
        RecordKind::CctvAccess => {
            let requester =
                text::bounded("text2", "调阅人及单位", "Requester", input.text2.as_deref().unwrap_or_default(), 100)?;
            let reason = text.clone().ok_or_else(|| err("text", "请填写调阅事由", "state the reason"))?;
            let business = input.result.as_deref() == Some("business");
            if !business && input.second_person_id.is_none() {
                return Err(err(
                    "second_person_id",
                    "与业务无关的调阅须经网点负责人同意（第四十六条）",
                    "access unrelated to business needs the outlet head's consent (art. 46)",
                ));
            }
            d.second_person = input.second_person_id.map(StaffId::new);
            obj(&mut d, "requester", requester.into());
            obj(&mut d, "reason", reason.into());
            obj(&mut d, "business_related", business.into());
        }
        RecordKind::DutyLog => {
            let second = input
                .second_person_id
                .ok_or_else(|| err("second_person_id", "请选择同班值守人员", "choose the second person on duty"))?;
            if Some(second) == input.performer_id {
                return Err(err(
                    "second_person_id",
                    "值班须由两个不同的人担任（第十二条）",
                    "duty needs two different people (art. 12)",
                ));
            }
            d.second_person = Some(StaffId::new(second));
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择库房", "choose the vault"));
            }
        }
        RecordKind::Drill => {
            let plan = text.clone().ok_or_else(|| err("text", "请填写演练方案", "describe the drill plan"))?;
            let deployment = text2.clone().ok_or_else(|| err("text2", "请填写演练部署", "describe the deployment"))?;
            if people.is_empty() {
                return Err(err("people", "请选择参加人员", "choose the participants"));
            }
            obj(&mut d, "plan", plan.into());
            obj(&mut d, "deployment", deployment.into());
            obj(&mut d, "participants", people.clone().into());
        }
        RecordKind::Meeting => {
            let minutes = text.clone().ok_or_else(|| err("text", "请填写会议纪要", "write the minutes"))?;
            if people.is_empty() {
                return Err(err("people", "请选择参会人员", "choose the attendees"));
            }
            obj(&mut d, "minutes", minutes.into());
            obj(&mut d, "attendees", people.clone().into());
        }
        RecordKind::Training => {
            let title = text::bounded("text2", "培训内容", "Subject", input.text2.as_deref().unwrap_or_default(), 100)?;
            let hours = input.number.ok_or_else(|| err("number", "请填写学时", "enter the hours"))?;
            if !(0.5..=24.0).contains(&hours) {
                return Err(err("number", "学时须在0.5–24小时之间", "hours must be 0.5–24"));
            }
            if people.is_empty() {
                return Err(err("people", "请选择参加人员", "choose the attendees"));
            }
            d.value = Some((hours * 10.0).round() as i64);
            obj(&mut d, "title", title.into());
            obj(&mut d, "attendees", people.clone().into());
        }
        RecordKind::QualificationReview => {
            let who = input
                .subject_staff_id
                .ok_or_else(|| err("subject_staff_id", "请选择被审查人员", "choose the person reviewed"))?;
            let result = input.result.as_deref().unwrap_or_default();
            if result != "pass" && result != "fail" {
                return Err(err("result", "请选择审查结论：合格或不合格", "choose the result: pass or fail"));
            }
            d.subject_staff = Some(StaffId::new(who));
            // The result is also the sub-kind, so a rule can count only reviews that passed.
            d.subkind = Some(result.to_owned());
            obj(&mut d, "result", result.into());
        }
        RecordKind::RespLetter => {
            if input.performer_id.is_none() {
                return Err(err("performer_id", "请选择签订人", "choose who signed"));
            }
        }
        RecordKind::VaultEntry => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库", "choose the vault"));
            }
            let purpose =
                text.clone().ok_or_else(|| err("text", "请填写出入金库的事由", "state why the vault is entered"))?;
            obj(&mut d, "purpose", purpose.into());
            if let Some(v) = &text2 {
                // 第四十一条: outsiders enter only with a letter naming the vault check (the outlet head is checked
                // by the app, which knows people's posts).
                if !all_checked {
                    return Err(err(
                        "checks",
                        "外来人员须凭注明查库的介绍信，经查验无误方可进入金库（第四十一条）",
                        "outsiders need a letter of introduction naming the vault check (art. 41)",
                    ));
                }
                obj(&mut d, "visitors", v.clone().into());
            }
        }
        RecordKind::AtmLoading => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择ATM", "choose the ATM"));
            }
            d.value = Some(amount(input.number)?);
            if !all_checked && text.is_none() {
                return Err(err("text", "有未完成的加钞步骤时须说明原因", "explain the steps not done"));
            }
            obj(&mut d, "result", (if all_checked { "complete" } else { "incomplete" }).into());
        }
        RecordKind::CounterRoster => {
            let second = input.second_person_id.ok_or_else(|| {
                err(
                    "second_person_id",
                    "请选择另一名临柜人员（第四条：必须坚持双人临柜）",
                    "choose the second person at the counter (art. 4)",
                )
            })?;
            if Some(second) == input.performer_id {
                return Err(err(
                    "second_person_id",
                    "双人临柜须由两个不同的人担任（第四条）",
                    "two different people at the counter (art. 4)",
                ));
            }
            d.second_person = Some(StaffId::new(second));
            obj(&mut d, "result", (if all_checked { "normal" } else { "abnormal" }).into());
        }
        RecordKind::OpeningCheck | RecordKind::ClosingCheck | RecordKind::VaultContentCheck | RecordKind::GunCheck => {
            if !all_checked && text.is_none() {
                return Err(err("text", "有未通过的检查项时须说明情况", "describe the items that failed"));
            }
            if kind == RecordKind::VaultContentCheck && input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库", "choose the vault"));
            }
            if kind == RecordKind::GunCheck {
                if input.asset_id.is_none() {
                    return Err(err("asset_id", "请选择枪弹柜", "choose the gun cabinet"));
                }
                let pos = d.performer_position.clone().unwrap_or_default();
                if !GUN_CHECKERS.contains(&pos.as_str()) {
                    return Err(err(
                        "performer_position",
                        "请选择检查人的身份：保卫人员或单位领导",
                        "check as security officer or as a leader",
                    ));
                }
            }
            obj(&mut d, "result", (if all_checked { "normal" } else { "abnormal" }).into());
        }
        RecordKind::Visitor => {
            let who = text::bounded(
                "text2",
                "来访人员及单位",
                "Visitor and unit",
                input.text2.as_deref().unwrap_or_default(),
                100,
            )?;
            let why = text.clone().ok_or_else(|| err("text", "请填写来访事由", "state the purpose of the visit"))?;
            if !all_checked {
                return Err(err(
                    "checks",
                    "进入营业室须出示和查验证件（第九条）",
                    "visitors' identity papers must be checked (art. 9)",
                ));
            }
            let head = input.second_person_id.ok_or_else(|| {
                err(
                    "second_person_id",
                    "须由网点负责人陪同方可进入（第九条）",
                    "the outlet head must accompany the visitor (art. 9)",
                )
            })?;
            d.second_person = Some(StaffId::new(head));
            obj(&mut d, "visitor", who.into());
            obj(&mut d, "purpose", why.into());
        }
        RecordKind::LargeWithdrawal => {
            d.value = Some(amount(input.number)?);
            if !all_checked && text.is_none() {
                return Err(err(
                    "text",
                    "未进行安全提示的须说明原因（第七条）",
                    "explain why no prompt was given (art. 7)",
                ));
            }
            obj(&mut d, "prompted", all_checked.into());
        }
        RecordKind::InterlockOpen => {}
        RecordKind::NightCheck => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库", "choose the vault"));
            }
            let who = text::bounded(
                "text2",
                "检查人员及单位",
                "Checkers and unit",
                input.text2.as_deref().unwrap_or_default(),
                100,
            )?;
            let with = text.clone().ok_or_else(|| {
                err(
                    "text",
                    "请填写陪同的联社领导或保卫部门人员（第十七条）",
                    "name the union leader or security officer accompanying (art. 17)",
                )
            })?;
            if !all_checked {
                return Err(err(
                    "checks",
                    "夜间接受检查必须验明有关证件（第十七条）",
                    "credentials must be verified before a night check (art. 17)",
                ));
            }
            obj(&mut d, "checkers", who.into());
            obj(&mut d, "companion", with.into());
        }
        RecordKind::GunCleaning => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择枪弹柜", "choose the gun cabinet"));
            }
        }
        RecordKind::WeaponUse => {
            let what = text.clone().ok_or_else(|| err("text", "请填写使用经过", "describe what happened"))?;
            obj(&mut d, "account", what.into());
        }
        // Refused above: their procedures build the draft themselves.
        RecordKind::GunCheckout | RecordKind::MonthlyFacilityReport | RecordKind::InspectionVisit => {}
        // 篇二 四: the security department checks night duty by phone and staff operations by CCTV.
        RecordKind::PhoneCheck | RecordKind::CctvSpotCheck => {
            let target = input
                .target_unit_id
                .ok_or_else(|| err("target_unit_id", "请选择被检查单位", "choose the unit checked"))?;
            d.target_unit = Some(UnitId::new(target));
            if kind == RecordKind::PhoneCheck {
                let answered =
                    text::bounded("text2", "接听人", "Who answered", input.text2.as_deref().unwrap_or_default(), 40)?;
                let result = input.result.as_deref().unwrap_or_default();
                if !["on_time", "late", "no_answer"].contains(&result) {
                    return Err(err("result", "请选择查岗结果：及时接听、接听迟缓或无人接听", "choose the result"));
                }
                d.subkind = Some(result.to_owned());
                obj(&mut d, "answered_by", answered.into());
                obj(&mut d, "result", result.into());
            } else {
                let found =
                    text.clone().ok_or_else(|| err("text", "请填写抽查情况", "describe what the check found"))?;
                obj(&mut d, "found", found.into());
            }
        }
        RecordKind::KeyCustodyCheck | RecordKind::GunCustodyCheck => {
            if input.asset_id.is_none() {
                return Err(err("asset_id", "请选择金库或枪弹柜", "choose the vault or gun cabinet"));
            }
        }
        RecordKind::LiveFireTraining => {
            if people.is_empty() {
                return Err(err("people", "请选择参训人员", "choose who trained"));
            }
            obj(&mut d, "participants", people.clone().into());
        }
    }
    let has_main_text = ["reason", "plan", "minutes"].iter().any(|k| d.data.get(*k).is_some());
    if let (Some(t), false) = (&text, has_main_text) {
        obj(&mut d, "notes", t.clone().into());
    }
    Ok(d)
}

/// Posts that may check guns and ammunition: the security department weekly, leaders monthly (第四篇 一、(3)).
pub const GUN_CHECKERS: [&str; 4] = ["security_officer", "chairman", "director", "deputy_in_charge"];

fn interlock_reason() -> DomainError {
    err(
        "subkind",
        "防尾随门双开程序仅限接送款、接受检查时使用（第五篇 第10题）",
        "both interlock doors may open only for a cash handover or an inspection",
    )
}

fn weapon_case() -> DomainError {
    err("subkind", "须注明属于第五十四条所列四种情形中的哪一种", "name which of the four cases of art. 54 applied")
}

/// An amount of money in whole yuan.
fn amount(n: Option<f64>) -> Result<i64, DomainError> {
    let n = n.ok_or_else(|| err("number", "请填写金额（元）", "enter the amount in yuan"))?;
    if !(1.0..=1.0e12).contains(&n) || n.fract() != 0.0 {
        return Err(err("number", "金额须为正的整数（元）", "the amount must be a positive whole number of yuan"));
    }
    Ok(n as i64)
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
