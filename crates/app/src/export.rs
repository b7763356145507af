//! Excel export: any table as an .xlsx workbook with a bold, frozen header row.
use crate::{AppError, AppResult};
use rust_xlsxwriter::{Format, Workbook};

pub fn xlsx(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    ws.set_name(sheet).map_err(err)?;
    let bold = Format::new().set_bold();
    for (col, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *h, &bold).map_err(err)?;
        ws.set_column_width(col as u16, 16).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, col as u16, fit_cell(v).as_ref()).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// Excel holds at most 32,767 characters in a cell; a longer value (an audit event's snapshot) is cut there with a
/// marker, so one long value never makes the whole export fail. The full value stays in the system.
pub const MAX_CELL_CHARS: usize = 32_767;

fn fit_cell(v: &str) -> std::borrow::Cow<'_, str> {
    const MARK: &str = "…（已截断 truncated）";
    if v.chars().count() <= MAX_CELL_CHARS {
        return v.into();
    }
    let keep = MAX_CELL_CHARS - MARK.chars().count();
    let mut out: String = v.chars().take(keep).collect();
    out.push_str(MARK);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_longer_than_a_cell_holds_is_cut_with_a_mark_and_the_export_succeeds() {
        let long = "审".repeat(40_000);
        let bytes = xlsx("审计", &["事件"], &[vec![long.clone()]]).expect("a long value exports");
        assert_eq!(&bytes[..2], b"PK");
        let cut = fit_cell(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with("truncated）"));
        assert_eq!(fit_cell("短"), "短");
    }

    #[test]
    fn a_workbook_is_a_zip_file() {
        let bytes = xlsx("员工", &["姓名", "工号"], &[vec!["王敏".into(), "QH-1".into()]]).expect("xlsx");
        assert_eq!(&bytes[..2], b"PK");
    }
}
