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
            ws.write_string(r as u32 + 1, col as u16, v).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_is_a_zip_file() {
        let bytes = xlsx("员工", &["姓名", "工号"], &[vec!["王敏".into(), "QH-1".into()]]).expect("xlsx");
        assert_eq!(&bytes[..2], b"PK");
    }
}
