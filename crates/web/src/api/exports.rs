//! The Excel exports under `/api/v1/`: each is its page's export handler mounted in the API's part of the route
//! table (the same columns as the page; `auth::Page` signs an API caller in by token and errors answer JSON). This
//! file is their entry in the OpenAPI document, which utoipa cannot derive from a page handler.
use utoipa::Modify;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::{
    ContentBuilder, KnownFormat, Object, ObjectBuilder, Required, ResponseBuilder, SchemaFormat, Type,
};

/// A query parameter of an export: (name, the values it takes, what it means).
type Param = (&'static str, Shape, &'static str);

/// The values a query parameter takes, as the page's handler parses them: written in the schema, so a value it
/// allows is one the handler accepts.
#[derive(Clone, Copy)]
pub enum Shape {
    /// An id or other whole number.
    Int,
    Text,
    /// `YYYY-MM`, years 2000–2100.
    Month,
    /// `YYYY`, 2000–2100.
    Year,
    /// 1–4.
    Quarter,
    /// `YYYY-MM-DD`.
    Date,
    /// One of a closed list of codes (a domain enum's).
    OneOf(fn() -> Vec<&'static str>),
}

/// The pattern of an export's month (`period::month_of` takes years 2000–2100).
pub const MONTH_PATTERN: &str = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$";
const YEAR_PATTERN: &str = r"^(20[0-9]{2}|2100)$";

const RECORD_KINDS: fn() -> Vec<&'static str> =
    || anbao_domain::records::RecordKind::ALL.iter().map(|k| k.spec().code).collect();
const POSITIONS: fn() -> Vec<&'static str> = || anbao_domain::staff::Position::ALL.iter().map(|k| k.code()).collect();
const EMPLOYMENTS: fn() -> Vec<&'static str> =
    || anbao_domain::staff::Employment::ALL.iter().map(|k| k.code()).collect();
const CARD_GRADES: fn() -> Vec<&'static str> =
    || anbao_domain::staff::CardGrade::ALL.iter().map(|k| k.code()).collect();
const QUESTION_KINDS: fn() -> Vec<&'static str> =
    || anbao_domain::exam::QuestionKind::ALL.iter().map(|k| k.code()).collect();
const LETTER_KINDS: fn() -> Vec<&'static str> =
    || anbao_domain::letters::LetterKind::ALL.iter().map(|k| k.code()).collect();
const CASE_STATUSES: fn() -> Vec<&'static str> =
    || anbao_domain::incident::CaseStatus::ALL.iter().map(|k| k.code()).collect();
const PENALTY_STATUSES: fn() -> Vec<&'static str> =
    || anbao_domain::incident::PenaltyStatus::ALL.iter().map(|k| k.code()).collect();

/// One export: its path under the API, its tag, what it lists, and the page's query parameters it takes.
pub struct Export {
    pub path: &'static str,
    pub tag: &'static str,
    pub what: &'static str,
    pub params: &'static [Param],
}

const UNIT: Param = ("unit", Shape::Int, "单位 id (a unit; the caller's own when absent)");
const MONTH: Param = ("month", Shape::Month, "YYYY-MM");
const YEAR: Param = ("year", Shape::Year, "YYYY");

pub const EXPORTS: &[Export] = &[
    Export { path: "/api/v1/org/export.xlsx", tag: "org", what: "组织机构 (the units in scope)", params: &[] },
    Export {
        path: "/api/v1/staff/export.xlsx",
        tag: "staff",
        what: "员工档案 (staff, as filtered on the page)",
        params: &[
            ("q", Shape::Text, "name or staff number"),
            ("unit", Shape::Int, "单位 id"),
            ("position", Shape::OneOf(POSITIONS), "post code"),
            ("employment", Shape::OneOf(EMPLOYMENTS), "employment kind"),
            ("key", Shape::Text, "key posts only when 1"),
            ("card", Shape::OneOf(CARD_GRADES), "guard card grade"),
        ],
    },
    Export {
        path: "/api/v1/groups/export.xlsx", tag: "groups", what: "领导小组 (groups and members)", params: &[]
    },
    Export {
        path: "/api/v1/training/hours.xlsx",
        tag: "training",
        what: "学习学时 (hours per person)",
        params: &[UNIT, YEAR],
    },
    Export {
        path: "/api/v1/warnings/{id}/unread.xlsx",
        tag: "warnings",
        what: "警示教育未读名单 (who has not acknowledged a bulletin)",
        params: &[],
    },
    Export {
        path: "/api/v1/exams/papers/{id}/results.xlsx",
        tag: "exams",
        what: "考试成绩 (a paper's results)",
        params: &[],
    },
    Export {
        path: "/api/v1/exams/bank/export.xlsx",
        tag: "exams",
        what: "题库 (the question bank)",
        params: &[
            ("kind", Shape::OneOf(QUESTION_KINDS), "question type"),
            ("post", Shape::OneOf(POSITIONS), "post code"),
        ],
    },
    Export {
        path: "/api/v1/letters/export.xlsx",
        tag: "letters",
        what: "责任书签订情况 (letters and who has signed)",
        params: &[
            ("unit", Shape::Int, "单位 id"),
            ("kind", Shape::OneOf(LETTER_KINDS), "security_target | fire_safety"),
            YEAR,
        ],
    },
    Export {
        path: "/api/v1/assessment/export.xlsx",
        tag: "assessment",
        what: "季度考核排名 (the quarter's ranking)",
        params: &[("unit", Shape::Int, "单位 id"), YEAR, ("quarter", Shape::Quarter, "1–4")],
    },
    Export {
        path: "/api/v1/audit/export.xlsx",
        tag: "audit",
        what: "审计日志 (the audit trail in scope)",
        params: &[],
    },
    Export {
        path: "/api/v1/records/export.xlsx",
        tag: "records",
        what: "工作记录 (records, as filtered on the page)",
        params: &[
            ("kind", Shape::OneOf(RECORD_KINDS), "record kind"),
            ("unit", Shape::Int, "单位 id"),
            ("asset", Shape::Int, "asset id"),
            ("from", Shape::Date, "YYYY-MM-DD"),
            ("to", Shape::Date, "YYYY-MM-DD"),
            ("subkind", Shape::Text, "record subkind"),
            ("position", Shape::OneOf(POSITIONS), "performer's post"),
        ],
    },
    Export {
        path: "/api/v1/compliance/items.xlsx",
        tag: "compliance",
        what: "待办与逾期事项 (due items)",
        params: &[
            ("unit", Shape::Int, "单位 id"),
            MONTH,
            ("rule", Shape::Text, "rule id"),
            ("status", Shape::Text, "met, partly_met, overdue, due"),
            ("area", Shape::Text, "area code"),
        ],
    },
    Export {
        path: "/api/v1/compliance/export.xlsx",
        tag: "compliance",
        what: "合规汇总 (compliance per unit)",
        params: &[("unit", Shape::Int, "单位 id"), MONTH],
    },
    Export {
        path: "/api/v1/inspections/export.xlsx",
        tag: "inspect",
        what: "检查登记 (inspections)",
        params: &[UNIT, MONTH],
    },
    Export {
        path: "/api/v1/cases/export.xlsx",
        tag: "cases",
        what: "案件登记 (the case register)",
        params: &[
            UNIT,
            ("kind", Shape::Text, "case kind"),
            ("status", Shape::OneOf(CASE_STATUSES), "case status"),
            YEAR,
        ],
    },
    Export {
        path: "/api/v1/penalties/export.xlsx",
        tag: "cases",
        what: "违规处罚 (penalties)",
        params: &[UNIT, YEAR, ("status", Shape::OneOf(PENALTY_STATUSES), "penalty status")],
    },
    Export {
        path: "/api/v1/hazards/export.xlsx",
        tag: "inspect",
        what: "隐患台账 (the hazard register)",
        params: &[
            UNIT,
            ("status", Shape::Text, "open, rectified, closed"),
            ("repeat", Shape::Text, "repeated only when 1"),
        ],
    },
    Export {
        path: "/api/v1/facilities/export.xlsx",
        tag: "facility",
        what: "安防设施台账 (the ledger)",
        params: &[UNIT, MONTH],
    },
    Export {
        path: "/api/v1/duty/export.xlsx",
        tag: "custody",
        what: "守库排班表 (a vault's roster for a month)",
        params: &[("vault", Shape::Int, "vault asset id"), MONTH],
    },
    Export {
        path: "/api/v1/keys/export.xlsx",
        tag: "custody",
        what: "钥匙密码保管 (the custody table)",
        params: &[UNIT],
    },
    Export {
        path: "/api/v1/arms/export.xlsx", tag: "custody", what: "枪弹登记 (the arms register)", params: &[UNIT]
    },
    Export { path: "/api/v1/escort/export.xlsx", tag: "custody", what: "押运登记 (escort trips)", params: &[UNIT] },
];

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A string schema of `format`, or a plain one.
fn string(format: Option<KnownFormat>) -> Object {
    ObjectBuilder::new().schema_type(Type::String).format(format.map(SchemaFormat::KnownFormat)).build()
}

/// An id or other whole number, as the handlers parse it (`i64`).
fn int64() -> Object {
    ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))).build()
}

fn schema_of(shape: Shape) -> Object {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    match shape {
        Shape::Int => int64(),
        Shape::Text => string(None),
        Shape::Month => text().pattern(Some(MONTH_PATTERN)).build(),
        Shape::Year => text().pattern(Some(YEAR_PATTERN)).build(),
        Shape::Quarter => text().enum_values(Some(["1", "2", "3", "4"])).build(),
        Shape::Date => string(Some(KnownFormat::Date)),
        Shape::OneOf(codes) => text().enum_values(Some(codes())).build(),
    }
}

/// The registers printed as PDF for the wall (`documents::Register`), the pages' own handlers under the API, with the
/// rows of the matching export.
pub const PRINTS: &[Export] = &[
    Export {
        path: "/api/v1/duty/roster.pdf",
        tag: "custody",
        what: "守库值班排班表 PDF (a vault's roster for a month, for the wall)",
        params: &[("vault", Shape::Int, "vault asset id"), MONTH],
    },
    Export {
        path: "/api/v1/keys/table.pdf",
        tag: "custody",
        what: "钥匙密码保管表 PDF (the custody table, for the wall)",
        params: &[UNIT],
    },
];

/// Adds each export to the document (before `CommonErrors`, which lists its error statuses).
pub struct Exports;

impl Modify for Exports {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let xlsx = EXPORTS.iter().map(|e| (e, XLSX, "the workbook (.xlsx), the page's columns"));
        let pdf = PRINTS.iter().map(|e| (e, "application/pdf", "the register as an A4 PDF, the export's rows"));
        for (e, media, body) in xlsx.chain(pdf) {
            let ok = ResponseBuilder::new()
                .description(body)
                .content(media, ContentBuilder::new().schema(Some(string(Some(KnownFormat::Binary)))).build())
                .build();
            let mut op = OperationBuilder::new()
                .tag(e.tag)
                .summary(Some(e.what))
                .description(Some("与页面导出的列相同 (the same columns as the page's export)"))
                .response("200", ok);
            if media != XLSX {
                let e503 = ResponseBuilder::new()
                    .description("服务器未安装中文字体 (no Chinese font on the server)")
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody"))).build(),
                    )
                    .build();
                op = op.response("503", e503);
            }
            let in_path = e.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'));
            for name in in_path {
                let p = ParameterBuilder::new().name(name).parameter_in(ParameterIn::Path).required(Required::True);
                op = op.parameter(p.schema(Some(int64())));
            }
            for (name, shape, what) in e.params {
                let p = ParameterBuilder::new().name(*name).parameter_in(ParameterIn::Query).required(Required::False);
                op = op.parameter(p.description(Some(*what)).schema(Some(schema_of(*shape))));
            }
            api.paths.paths.insert(e.path.to_owned(), PathItem::new(HttpMethod::Get, op.build()));
        }
    }
}
