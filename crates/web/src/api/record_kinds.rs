//! `GET /api/v1/record-kinds`: what each record kind asks for, read from its declaration (`records::spec`) as the
//! entry form is, so a client of `POST /api/v1/records` knows which fields a kind needs without reading the pages.
use crate::auth::Api;
use crate::error::ApiError;
use anbao_domain::records::RecordKind;
use anbao_domain::records::spec::{About, KindSpec, Need, Text};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A code with its labels.
#[derive(Serialize, ToSchema)]
pub struct Choice {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
}

/// One text input: whether it is asked for (`absent`, `optional`, `required`), its label and its length limit.
#[derive(Serialize, ToSchema)]
pub struct TextInput {
    pub need: String,
    pub label_zh: String,
    pub max_chars: usize,
}

/// The measured number a kind asks for (`number`), in its unit.
#[derive(Serialize, ToSchema)]
pub struct NumberInput {
    pub label_zh: String,
    pub min: f64,
    pub max: f64,
    pub whole: bool,
}

#[derive(Serialize, ToSchema)]
pub struct KindInputs {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    /// What the record is about: `asset` (send `asset_id` of `asset_kind`), `unit` (`unit_id`), `person`
    /// (`subject_staff_id`) or `target_unit` (`target_unit_id`, a unit below the one recording).
    pub about: String,
    pub asset_kind: Option<String>,
    /// `subkind`: one of these, when any are listed.
    pub subkinds: Vec<Choice>,
    /// `checks`: the items to tick; the codes ticked are sent.
    pub checks: Vec<Choice>,
    /// `performer_id` (and `performer_position`, one of `performer_posts` when listed).
    pub performer: String,
    pub performer_posts: Vec<String>,
    /// `second_person_id`.
    pub second_person: String,
    /// `subject_staff_id`.
    pub subject_staff: String,
    /// `result`: one of these, when any are listed.
    pub result: String,
    pub results: Vec<Choice>,
    pub number: Option<NumberInput>,
    /// `people`: the staff ids taking part, each once.
    pub people: bool,
    pub text: TextInput,
    pub text2: TextInput,
    /// Both people sign in (`confirm_username`, `confirm_secret`): the article that says so.
    pub confirmed_by_two: Option<String>,
    /// Kinds written only by another area's procedure: the page where it is; `POST /api/v1/records` refuses them.
    pub entered_through: Option<String>,
}

fn need(n: Need) -> String {
    match n {
        Need::Absent => "absent",
        Need::Optional => "optional",
        Need::Required(_) => "required",
    }
    .into()
}

fn text(t: &Text) -> TextInput {
    TextInput { need: need(t.need), label_zh: t.label.0.into(), max_chars: t.max }
}

fn inputs(kind: RecordKind, s: &KindSpec) -> KindInputs {
    let (about, asset_kind) = match s.about {
        About::Asset { kind, .. } => ("asset", Some(kind.to_owned())),
        About::Unit => ("unit", None),
        About::Person => ("person", None),
        About::TargetUnit => ("target_unit", None),
    };
    let choice =
        |code: &str, zh: &str, en: &str| Choice { code: code.into(), label_zh: zh.into(), label_en: en.into() };
    KindInputs {
        code: kind.code().into(),
        label_zh: s.label.0.into(),
        label_en: s.label.1.into(),
        about: about.into(),
        asset_kind,
        subkinds: s.subkinds.list.iter().map(|(c, zh)| choice(c, zh, "")).collect(),
        checks: s.checklist.iter().map(|(c, zh)| choice(c, zh, "")).collect(),
        performer: need(s.performer),
        performer_posts: s.posts.map(|p| p.allowed.iter().map(|p| p.code().to_owned()).collect()).unwrap_or_default(),
        second_person: s.second.map_or_else(|| need(Need::Absent), |x| need(x.need)),
        subject_staff: need(s.subject),
        result: need(s.results.need),
        results: s.results.options.iter().map(|(c, zh, en)| choice(c, zh, en)).collect(),
        number: s.number.map(|n| NumberInput { label_zh: n.label.0.into(), min: n.min, max: n.max, whole: n.whole }),
        people: s.people.is_some(),
        text: text(&s.text),
        text2: text(&s.text2),
        confirmed_by_two: s.two_person.map(str::to_owned),
        entered_through: s.procedure.map(|p| p.page.to_owned()),
    }
}

/// Every record kind and the inputs it asks for (anyone signed in).
#[utoipa::path(get, path = "/api/v1/record-kinds", tag = "records", responses((status = 200, body = Vec<KindInputs>)))]
pub async fn list(_a: Api) -> Result<Json<Vec<KindInputs>>, ApiError> {
    Ok(Json(RecordKind::ALL.iter().map(|k| inputs(*k, k.spec())).collect()))
}
