//! The Excel exports under `/api/v1/`: each is its page's export handler mounted in the API's part of the route
//! table (the same columns as the page; `auth::Page` signs an API caller in by token and errors answer JSON). This
//! file is their entry in the OpenAPI document, which utoipa cannot derive from a page handler.
use utoipa::Modify;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::{
    ContentBuilder, KnownFormat, Object, ObjectBuilder, Required, ResponseBuilder, SchemaFormat, Type,
};

/// A query parameter of an export: (name, integer or not, what it means).
type Param = (&'static str, bool, &'static str);

/// One export: its path under the API, its tag, what it lists, and the page's query parameters it takes.
pub struct Export {
    pub path: &'static str,
    pub tag: &'static str,
    pub what: &'static str,
    pub params: &'static [Param],
}

const UNIT: Param = ("unit", true, "单位 id (a unit; the caller's own when absent)");
const MONTH: Param = ("month", false, "YYYY-MM");
const YEAR: Param = ("year", false, "YYYY");

pub const EXPORTS: &[Export] = &[
    Export { path: "/api/v1/org/export.xlsx", tag: "org", what: "组织机构 (the units in scope)", params: &[] },
    Export {
        path: "/api/v1/staff/export.xlsx",
        tag: "staff",
        what: "员工档案 (staff, as filtered on the page)",
        params: &[
            ("q", false, "name or staff number"),
            ("unit", false, "单位 id"),
            ("position", false, "post code"),
            ("employment", false, "employment kind"),
            ("key", false, "key posts only when 1"),
            ("card", false, "guard card grade"),
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
        params: &[("kind", false, "question type"), ("post", false, "post code")],
    },
    Export {
        path: "/api/v1/letters/export.xlsx",
        tag: "letters",
        what: "责任书签订情况 (letters and who has signed)",
        params: &[("unit", false, "单位 id"), ("kind", false, "security_target | fire_safety"), YEAR],
    },
    Export {
        path: "/api/v1/assessment/export.xlsx",
        tag: "assessment",
        what: "季度考核排名 (the quarter's ranking)",
        params: &[("unit", false, "单位 id"), YEAR, ("quarter", false, "1–4")],
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
            ("kind", false, "record kind"),
            ("unit", false, "单位 id"),
            ("asset", false, "asset id"),
            ("from", false, "YYYY-MM-DD"),
            ("to", false, "YYYY-MM-DD"),
            ("subkind", false, "record subkind"),
            ("position", false, "performer's post"),
        ],
    },
    Export {
        path: "/api/v1/compliance/items.xlsx",
        tag: "compliance",
        what: "待办与逾期事项 (due items)",
        params: &[
            ("unit", false, "单位 id"),
            MONTH,
            ("rule", false, "rule id"),
            ("status", false, "met, partly_met, overdue, due"),
            ("area", false, "area code"),
        ],
    },
    Export {
        path: "/api/v1/compliance/export.xlsx",
        tag: "compliance",
        what: "合规汇总 (compliance per unit)",
        params: &[("unit", false, "单位 id"), MONTH],
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
        params: &[UNIT, ("kind", false, "case kind"), ("status", false, "case status"), YEAR],
    },
    Export {
        path: "/api/v1/penalties/export.xlsx",
        tag: "cases",
        what: "违规处罚 (penalties)",
        params: &[UNIT, YEAR, ("status", false, "penalty status")],
    },
    Export {
        path: "/api/v1/hazards/export.xlsx",
        tag: "inspect",
        what: "隐患台账 (the hazard register)",
        params: &[UNIT, ("status", false, "open, rectified, closed"), ("repeat", false, "repeated only when 1")],
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
        params: &[("vault", true, "vault asset id"), MONTH],
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

/// Adds each export to the document (before `CommonErrors`, which lists its error statuses).
pub struct Exports;

impl Modify for Exports {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        for e in EXPORTS {
            let ok = ResponseBuilder::new()
                .description("the workbook (.xlsx), the page's columns")
                .content(XLSX, ContentBuilder::new().schema(Some(string(Some(KnownFormat::Binary)))).build())
                .build();
            let mut op = OperationBuilder::new()
                .tag(e.tag)
                .summary(Some(e.what))
                .description(Some("与页面导出的列相同 (the same columns as the page's export)"))
                .response("200", ok);
            let in_path = e.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'));
            for name in in_path {
                let p = ParameterBuilder::new().name(name).parameter_in(ParameterIn::Path).required(Required::True);
                op = op.parameter(p.schema(Some(int64())));
            }
            for (name, integer, what) in e.params {
                let p = ParameterBuilder::new().name(*name).parameter_in(ParameterIn::Query).required(Required::False);
                op = op.parameter(p.description(Some(*what)).schema(Some(if *integer {
                    int64()
                } else {
                    string(None)
                })));
            }
            api.paths.paths.insert(e.path.to_owned(), PathItem::new(HttpMethod::Get, op.build()));
        }
    }
}
