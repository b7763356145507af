//! Each document typeset with the machine's fonts, then looked inside with poppler (installed by scripts/test.sh):
//! the first page turns into a PNG (kept under target/pdf-pages for a person to look at), the Chinese title and the
//! document number are found in the text, and every font is embedded (a glyph no font has would show as a box).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use anbao_pdf::{Document, Printer};
use std::path::{Path, PathBuf};
use std::process::Command;

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pdf-pages");
    std::fs::create_dir_all(&d).ok();
    d
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output();
    let out = out.unwrap_or_else(|e| panic!("{tool} (poppler-utils) must be installed: {e}"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Typeset `doc`, write it under target/pdf-pages, and answer its text.
fn typeset(doc: Document, name: &str, data: serde_json::Value) -> String {
    let pdf = Printer::new(None).render(doc, &data).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(pdf.starts_with(b"%PDF-"), "{name}: not a PDF");
    let dir = out_dir();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, &pdf).ok();
    let f = file.to_string_lossy().into_owned();
    let png = dir.join(name).to_string_lossy().into_owned();
    poppler("pdftoppm", &["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", &f, &png]);
    assert!(dir.join(format!("{name}.png")).exists(), "{name}: no PNG of the first page");
    let fonts = poppler("pdffonts", &[&f]);
    let listed: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!listed.is_empty(), "{name}: no fonts listed");
    assert!(
        listed.iter().all(|l| l.split_whitespace().rev().nth(4) == Some("yes")),
        "{name}: a font is not embedded:\n{fonts}"
    );
    assert!(listed.iter().any(|l| l.contains("CJK") || l.contains("WenQuanYi")), "{name}: no Chinese font:\n{fonts}");
    let pages = poppler("pdfinfo", &[&f]);
    assert!(pages.contains("A4"), "{name}: not A4:\n{pages}");
    poppler("pdftotext", &["-layout", &f, "-"])
}

/// The number of pages of a typeset document.
fn pages(name: &str) -> usize {
    let f = out_dir().join(format!("{name}.pdf")).to_string_lossy().into_owned();
    let info = poppler("pdfinfo", &[&f]);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

fn flat(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn a_rectification_notice_is_an_official_a4_document_with_its_number_and_title() {
    let text = typeset(
        Document::HazardNotice,
        "hazard_notice",
        serde_json::json!({
            "issuer": "清河县农村信用合作联社",
            "notice_no": "隐患整改〔2026〕第0001号",
            "unit": "城关信用社营业部",
            "owner": "王建国",
            "raised": "2026年3月2日",
            "deadline": "2026年3月16日",
            "severity": "重大",
            "title": "金库值班人员携带金库钥匙值班（#set text(red)）",
            "article": "第三篇 第十八条",
            "case": "",
        }),
    );
    let t = flat(&text);
    for want in [
        "安全隐患整改通知书",
        "隐患整改〔2026〕第0001号",
        "清河县农村信用合作联社",
        "城关信用社营业部（负责人：王建国）：",
    ] {
        assert!(t.contains(want), "missing {want} in:\n{text}");
    }
    // Text from the database is set as text: typst markup in it is printed, not obeyed.
    assert!(t.contains("#settext(red)"), "{text}");
    assert!(t.contains("2026年3月16日前整改完毕"), "{text}");
    assert!(!t.contains("三不放过"), "no case, no case paragraph: {text}");
    // One sheet, with the receipt at its foot.
    assert!(t.contains("签收人"), "{text}");
    assert_eq!(pages("hazard_notice"), 1);
}

#[test]
fn a_notice_of_a_hazard_tied_to_a_case_says_it_closes_only_under_the_three_nots() {
    let text = typeset(
        Document::HazardNotice,
        "hazard_notice_case",
        serde_json::json!({
            "issuer": "清河县农村信用合作联社", "notice_no": "隐患整改〔2026〕第0002号", "unit": "东街分社", "owner": "",
            "raised": "2026年3月2日", "deadline": "2026年3月9日", "severity": "一般", "title": "监控录像保存不足30天",
            "article": "第四十五条", "case": "东街分社监控中断案",
        }),
    );
    let t = flat(&text);
    assert!(t.contains("东街分社：") && t.contains("三不放过") && t.contains("东街分社监控中断案"), "{text}");
}

#[test]
fn a_register_runs_over_pages_with_its_header_on_each_and_page_n_of_m() {
    let rows: Vec<Vec<String>> = (1..=120)
        .map(|i| vec![format!("2026-03-{:02}", i % 28 + 1), format!("值班员{i}"), format!("守库员{i}"), String::new()])
        .collect();
    let text = typeset(
        Document::Register,
        "register",
        serde_json::json!({
            "title": "守库值班排班表", "unit": "城关信用社营业部", "period": "2026年3月",
            "columns": ["日期", "值班人员一", "值班人员二", "节假日"], "rows": rows,
            "made_by": "王建国", "date": "2026年3月2日", "landscape": false,
        }),
    );
    let t = flat(&text);
    let n = pages("register");
    assert!(n >= 3, "120 rows take several pages, not {n}");
    // The header repeats on every page; the last row and the maker are there.
    assert_eq!(t.matches("值班人员一").count(), n, "{text}");
    assert!(t.contains("值班员120") && t.contains("制表：王建国"), "{text}");
    assert!(t.contains(&format!("第{n}页，共{n}页")), "{text}");
}

#[test]
fn a_penalty_notice_states_the_facts_the_rule_broken_and_the_decision() {
    let text = typeset(
        Document::PenaltyNotice,
        "penalty_notice",
        serde_json::json!({
            "id": 7, "issuer": "清河县农村信用合作联社", "number": "违规处罚〔2026〕第0007号",
            "unit": "城关信用社营业部", "who": "李秀英", "facts": "2026年3月1日，为方便搬运杂物同时打开联动门两道门",
            "title": "违规开启联动门", "article": "第五篇 第10题",
            "decision": "经研究，决定处罚款200元，给予警告处分；王建国承担连带责任。", "date": "2026年3月2日",
        }),
    );
    let t = flat(&text);
    for want in [
        "违规处罚通知书",
        "违规处罚〔2026〕第0007号",
        "城关信用社营业部李秀英：",
        "违反了第五篇第10题的规定",
        "处罚款200元",
    ] {
        assert!(t.contains(want), "missing {want} in:\n{text}");
    }
    assert_eq!(pages("penalty_notice"), 1);
}

#[test]
fn a_responsibility_letter_has_both_parties_its_targets_and_two_signature_blocks() {
    let text = typeset(
        Document::Letter,
        "letter",
        serde_json::json!({
            "id": 3, "title": "2026年度安全目标责任书", "issuer_unit": "城关信用社营业部", "issuer": "王建国",
            "signer": "李秀英", "unit": "城关信用社营业部", "year": 2026, "deadline": "2026年3月31日",
            "targets": ["一、全年不发生案件。", "二、严格执行双人临柜、双人管库制度。"], "signed": "2026年3月2日以确认密码签订",
        }),
    );
    let t = flat(&text);
    for want in [
        "2026年度安全目标责任书",
        "甲方（发包方）：城关信用社营业部王建国",
        "乙方（承包方）：城关信用社营业部李秀英",
        "二、严格执行双人临柜、双人管库制度。",
        "至2026年12月31日止",
        "2026年3月2日以确认密码签订",
    ] {
        assert!(t.contains(want), "missing {want} in:\n{text}");
    }
    assert_eq!(pages("letter"), 1);
}
