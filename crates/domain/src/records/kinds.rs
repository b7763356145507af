//! Every record kind, declared once. The list below names each kind and its declaration (a [`KindSpec`] literal in
//! the file of its area); the parse, the app's checks, the compliance labels and the web form all read that literal.
//!
//! Adding a kind: one line here and one `KindSpec` in the area's file (the compiler asks for every field), then a
//! rule in the rulebook that counts it.
use super::spec::KindSpec;
use serde::{Deserialize, Serialize};

mod arms;
mod cctv;
mod management;
mod outlet;
mod vault;

macro_rules! record_kinds {
    ($($(#[$vm:meta])* $variant:ident => $spec:path),* $(,)?) => {
        /// A kind of evidence record; its declaration is [`RecordKind::spec`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum RecordKind { $($(#[$vm])* $variant),* }

        impl RecordKind {
            pub const ALL: &'static [RecordKind] = &[$(RecordKind::$variant),*];

            /// What this kind is, asks for and needs.
            pub fn spec(self) -> &'static KindSpec {
                match self { $(RecordKind::$variant => &$spec),* }
            }
        }
    };
}

record_kinds! {
    AtmPatrol => outlet::ATM_PATROL,
    CctvCheck => cctv::CCTV_CHECK,
    CctvReview => cctv::CCTV_REVIEW,
    CctvAccess => cctv::CCTV_ACCESS,
    DutyLog => vault::DUTY_LOG,
    Drill => management::DRILL,
    Meeting => management::MEETING,
    Training => management::TRAINING,
    QualificationReview => management::QUALIFICATION_REVIEW,
    InspectionVisit => management::INSPECTION_VISIT,
    RespLetter => management::RESP_LETTER,
    VaultEntry => vault::VAULT_ENTRY,
    AtmLoading => outlet::ATM_LOADING,
    CounterRoster => outlet::COUNTER_ROSTER,
    OpeningCheck => outlet::OPENING_CHECK,
    ClosingCheck => outlet::CLOSING_CHECK,
    Visitor => outlet::VISITOR,
    LargeWithdrawal => outlet::LARGE_WITHDRAWAL,
    InterlockOpen => outlet::INTERLOCK_OPEN,
    NightCheck => vault::NIGHT_CHECK,
    VaultContentCheck => vault::VAULT_CONTENT_CHECK,
    GunCheck => arms::GUN_CHECK,
    GunCleaning => arms::GUN_CLEANING,
    WeaponUse => arms::WEAPON_USE,
    WeaponOut => arms::WEAPON_OUT,
    LiveFireTraining => arms::LIVE_FIRE_TRAINING,
    // The serde name is the kind's code, in JSON and in the OpenAPI document, where the variant's name differs.
    #[serde(rename = "vault_key_custody")]
    KeyCustodyCheck => vault::KEY_CUSTODY_CHECK,
    #[serde(rename = "gun_custody")]
    GunCustodyCheck => arms::GUN_CUSTODY_CHECK,
    GunCheckout => arms::GUN_CHECKOUT,
    PhoneCheck => management::PHONE_CHECK,
    CctvSpotCheck => cctv::CCTV_SPOT_CHECK,
    MonthlyFacilityReport => management::MONTHLY_FACILITY_REPORT,
    ResponsibilitySystem => management::RESPONSIBILITY_SYSTEM,
    RulesRevision => management::RULES_REVISION,
    ComputerCheck => management::COMPUTER_CHECK,
    Assessment => management::ASSESSMENT,
    LeadershipGroup => management::LEADERSHIP_GROUP,
    ExamPass => management::EXAM_PASS,
    WarningEducation => management::WARNING_EDUCATION,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cctv_daily_check_records_whether_the_recorder_ran_before_opening_and_after_closing() {
        // 第四十四条 "监控录像每天必须提前开机、延迟关机".
        let input = crate::records::RecordInput {
            kind: "cctv_check".into(),
            unit_id: Some(1),
            number: Some(30.0),
            checks: vec![
                "screens_ok".into(),
                "channels_ok".into(),
                "clock_ok".into(),
                "audio_ok".into(),
                "stopped_after_closing".into(),
            ],
            ..Default::default()
        };
        let d = crate::records::parse(&input).unwrap();
        assert_eq!(d.data["checks"]["started_before_opening"], false);
        assert_eq!(d.data["checks"]["stopped_after_closing"], true);
    }

    #[test]
    fn the_gun_custody_check_quotes_the_gun_rule_not_the_vault_rule() {
        let two = RecordKind::GunCustodyCheck.spec().two_person.unwrap_or_default();
        assert!(two.contains("枪弹双人分离保管") && two.contains("篇五"), "{two}");
        assert!(!two.contains("金库"), "{two}");
    }
    use crate::records::spec::{About, Need};

    #[test]
    fn a_kinds_json_name_is_its_code() {
        for k in RecordKind::ALL {
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::from(k.spec().code)), "{k:?}");
        }
    }

    #[test]
    fn every_kind_has_its_own_code_and_labels() {
        let mut codes: Vec<&str> = RecordKind::ALL.iter().map(|k| k.spec().code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RecordKind::ALL.len());
        for k in RecordKind::ALL {
            let s = k.spec();
            assert!(!s.label.0.is_empty() && !s.label.1.is_empty(), "{}", s.code);
            assert_eq!(RecordKind::parse(s.code), Ok(*k));
        }
    }

    #[test]
    fn what_a_kind_asks_for_has_a_label_on_the_form() {
        for k in RecordKind::ALL.iter().filter(|k| k.spec().procedure.is_none()) {
            let s = k.spec();
            assert!(!s.text.label.0.is_empty(), "{}: the form always has a text", s.code);
            if s.text2.need.shown() {
                assert!(!s.text2.label.0.is_empty(), "{}", s.code);
            }
            if let About::Asset { label, .. } = s.about {
                assert!(!label.0.is_empty(), "{}", s.code);
            }
            if let Some(p) = s.posts {
                assert!(!p.allowed.is_empty(), "{}", s.code);
            }
            // A required result is one of the options offered.
            if matches!(s.results.need, Need::Required(_)) {
                assert!(!s.results.options.is_empty(), "{}", s.code);
            }
            // A result that becomes the sub-kind must be given, or a rule counting by sub-kind would miss records.
            if s.results.as_subkind {
                assert!(matches!(s.results.need, Need::Required(_)), "{}", s.code);
            }
        }
    }
}
