//! Import of an existing ledger from Excel (FAC-1): every row checked first, all or nothing.
use super::*;

/// Importing a ledger enters items, so the caller must be allowed to enter records somewhere; checked before the
/// upload is read, so a reader cannot make the server parse a file at all.
pub fn may_import(ctx: &Ctx) -> AppResult<()> {
    ctx.must_anywhere(Permission::RecordWrite)
}

/// The columns an imported ledger has, in order.
pub const IMPORT_COLUMNS: [&str; 8] = ["单位", "场所", "设施类别", "型号", "数量", "供应商", "安装日期", "有效期至"];

/// What an import found: the rows read, each bad row with its reasons, and how many were imported.
pub struct ImportReport {
    pub rows: usize,
    pub errors: Vec<(usize, String)>,
    pub imported: usize,
}

fn cell_date(v: &calamine::Data) -> Option<Day> {
    use calamine::Data;
    // Excel keeps dates as days since 1899-12-30; a text cell may hold `YYYY-MM-DD`.
    let serial = |n: f64| -> Option<Day> {
        (1.0..2_958_466.0).contains(&n).then(|| period::day_of_date(jiff::civil::date(1899, 12, 30)) + n.floor() as i64)
    };
    match v {
        Data::String(s) => s.trim().parse::<jiff::civil::Date>().ok().map(period::day_of_date),
        Data::DateTime(d) => serial(d.as_f64()),
        Data::Float(f) => serial(*f),
        Data::Int(n) => serial(*n as f64),
        _ => None,
    }
}

/// How much of an uploaded ledger is read: a union's outlets with a few dozen items each fit several times over.
pub const IMPORT_LIMITS: crate::workbook::Limits = crate::workbook::Limits {
    max_file_bytes: 4 * 1024 * 1024,
    max_unzipped_bytes: 32 * 1024 * 1024,
    max_rows: 5_001,
    max_cols: 16,
};

/// Import a ledger from an Excel workbook (first sheet, a header row of `IMPORT_COLUMNS`). Every row is checked
/// first; with any bad row nothing is imported, and with `commit` false nothing is imported either (a preview).
/// The caller must be allowed to enter records somewhere before the file is even parsed (`may_import`).
pub async fn import(db: &Db, ctx: &Ctx, bytes: Vec<u8>, commit: bool) -> AppResult<ImportReport> {
    use calamine::Data;
    may_import(ctx)?;
    let sheet = crate::workbook::read_first_sheet_blocking(bytes, IMPORT_LIMITS).await?;
    let mut rows = sheet.iter().map(|(n, cells)| (*n as usize, cells));
    let header = match rows.next() {
        Some((_, r)) => r.iter().map(|c| c.to_string().trim().to_owned()).collect::<Vec<_>>(),
        None => Vec::new(),
    };
    if header.iter().take(IMPORT_COLUMNS.len()).map(String::as_str).ne(IMPORT_COLUMNS.iter().copied()) {
        return Err(invalid(
            "file",
            format!("表头须为：{}", IMPORT_COLUMNS.join("、")),
            format!("the header row must be: {}", IMPORT_COLUMNS.join(", ")),
        ));
    }
    let today = period::day_of_ms(ctx.now);
    // Checking reads without holding the write turn; only a clean, committed import takes it.
    let home = crate::org::home_unit(db, ctx).await?;
    let (cat, places) = {
        let mut c = db.read().await?;
        let (_, cat) = catalogue(&mut c).await?;
        (cat, store::places_under(&mut c, &home.path).await?)
    };
    let mut report = ImportReport { rows: 0, errors: Vec::new(), imported: 0 };
    let mut good: Vec<(CheckedItem, i64)> = Vec::new();
    for (row_no, r) in rows {
        let text = |n: usize| r.get(n).map(|c| c.to_string().trim().to_owned()).unwrap_or_default();
        if (0..IMPORT_COLUMNS.len()).all(|n| text(n).is_empty()) {
            continue;
        }
        report.rows += 1;
        let mut why: Vec<String> = Vec::new();
        let matching: Vec<&PlaceRow> = places.iter().filter(|p| p.unit_name == text(0) && p.name == text(1)).collect();
        let place = if matching.len() == 1 { Some(matching[0]) } else { None };
        match matching.len() {
            0 => why.push(format!("单位“{}”下没有场所“{}”", text(0), text(1))),
            1 => {}
            n => why.push(format!("“{}·{}”对应{n}个场所，请在下级单位分别导入", text(0), text(1))),
        }
        if let Some(p) = place
            && !keeps_ledger(ctx, &p.unit_path)
        {
            why.push("无权登记该场所（设施台账由保卫部门登记）".into());
        }
        let count = match r.get(4) {
            Some(Data::Int(n)) => Some(*n),
            Some(Data::Float(f)) if f.fract() == 0.0 => Some(*f as i64),
            Some(Data::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let installed = r.get(6).and_then(cell_date);
        if installed.is_none() {
            why.push(format!("安装日期“{}”无法识别", text(6)));
        }
        let expires = if text(7).is_empty() { None } else { r.get(7).and_then(cell_date) };
        if !text(7).is_empty() && expires.is_none() {
            why.push(format!("有效期“{}”无法识别", text(7)));
        }
        let input = ItemInput {
            place_id: place.map(|p| p.id),
            kind: Some(text(2)),
            model: Some(text(3)),
            count: Some(count.unwrap_or(0)),
            supplier: Some(text(5)),
            installed,
            expires,
        };
        // Checked even without a date (with today's standing in), so every problem of the row is reported at once.
        let probe = ItemInput { installed: input.installed.or(Some(today)), ..input.clone() };
        match check_item(&cat, &probe, today) {
            Ok(c) if why.is_empty() => good.push((c, place.map_or(0, |p| p.unit_id))),
            Ok(_) => {}
            Err(e) => why.push(e.message),
        }
        if !why.is_empty() {
            report.errors.push((row_no, why.join("；")));
        }
    }
    if !commit || !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    for (item, unit) in &good {
        insert_checked(&mut tx, ctx, item, "installed", "由Excel台账导入", UnitId::new(*unit)).await?;
    }
    tx.commit().await?;
    report.imported = good.len();
    Ok(report)
}
