//! Reading an uploaded workbook that nobody vouches for. A `.xlsx` is a zip of XML: a 1.5 KB file can declare a
//! cell at `XFD1048576` (a reader that builds a dense range then allocates 17 billion cells) or inflate to gigabytes.
//! So every entry is inflated once under a size limit before any parser sees it, and the first sheet is read cell by
//! cell with calamine's streaming reader, refusing a value beyond the row or column limit instead of allocating up
//! to it. Runs on a blocking thread (`read_first_sheet_blocking`): parsing is CPU work the async workers must not do.
use crate::error::invalid;
use crate::{AppError, AppResult};
use calamine::{Data, Reader, Xlsx};
use std::io::{Cursor, Read};

/// How much of a workbook an import reads at most.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The uploaded file itself.
    pub max_file_bytes: usize,
    /// Every entry of the zip, inflated, added up.
    pub max_unzipped_bytes: u64,
    /// Rows of the sheet, the header included.
    pub max_rows: u32,
    /// Columns of the sheet.
    pub max_cols: u32,
}

/// A sheet's non-empty rows: (row number as the sheet shows it, 1-based; cells from column A, dense up to the last
/// value of the row).
pub type Rows = Vec<(u32, Vec<Data>)>;

fn bad_file() -> AppError {
    invalid("file", "无法读取该Excel文件（须为 .xlsx）", "cannot read that workbook (.xlsx expected)")
}

fn too_big(limits: &Limits) -> AppError {
    invalid(
        "file",
        format!(
            "文件超出导入上限：文件不超过{} MB，解压后不超过{} MB",
            limits.max_file_bytes / (1024 * 1024),
            limits.max_unzipped_bytes / (1024 * 1024)
        ),
        format!(
            "the file exceeds the import limit: at most {} MB, {} MB unzipped",
            limits.max_file_bytes / (1024 * 1024),
            limits.max_unzipped_bytes / (1024 * 1024)
        ),
    )
}

fn too_many_cells(limits: &Limits) -> AppError {
    invalid(
        "file",
        format!("表格超出导入上限：最多{}行（含表头）、{}列", limits.max_rows, limits.max_cols),
        format!(
            "the sheet exceeds the import limit: at most {} rows (with the header) and {} columns",
            limits.max_rows, limits.max_cols
        ),
    )
}

/// Inflate every entry under the limit; the sizes a zip declares are not trusted, what inflates is counted.
fn check_unzipped(bytes: &[u8], limits: &Limits) -> AppResult<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| bad_file())?;
    let mut left = limits.max_unzipped_bytes;
    let mut sink = [0u8; 16 * 1024];
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| bad_file())?;
        if entry.size() > left {
            return Err(too_big(limits));
        }
        let mut r = entry.take(left + 1);
        loop {
            let n = r.read(&mut sink).map_err(|_| bad_file())?;
            if n == 0 {
                break;
            }
            left = left.checked_sub(n as u64).ok_or_else(|| too_big(limits))?;
        }
    }
    Ok(())
}

/// The first sheet's non-empty rows, within `limits`; any value outside them refuses the whole file.
pub fn read_first_sheet(bytes: &[u8], limits: &Limits) -> AppResult<Rows> {
    if bytes.len() > limits.max_file_bytes {
        return Err(too_big(limits));
    }
    check_unzipped(bytes, limits)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| bad_file())?;
    let sheet = wb.sheet_names().first().cloned().ok_or_else(bad_file)?;
    let mut cells = wb.worksheet_cells_reader(&sheet).map_err(|_| bad_file())?;
    let mut rows: Rows = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|_| bad_file())? {
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        let (r, c) = cell.get_position();
        if r >= limits.max_rows || c >= limits.max_cols {
            return Err(too_many_cells(limits));
        }
        let row_no = r + 1;
        if rows.last().is_none_or(|(n, _)| *n != row_no) {
            // Cells come row by row; a row seen again out of order is merged where it belongs.
            match rows.iter().position(|(n, _)| *n == row_no) {
                Some(i) => {
                    let row = rows.remove(i);
                    rows.push(row);
                }
                None => rows.push((row_no, Vec::new())),
            }
        }
        if let Some((_, row)) = rows.last_mut() {
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, Data::Empty);
            }
            row[c] = value;
        }
    }
    rows.sort_by_key(|(n, _)| *n);
    Ok(rows)
}

/// `read_first_sheet` on a blocking thread.
pub async fn read_first_sheet_blocking(bytes: Vec<u8>, limits: Limits) -> AppResult<Rows> {
    tokio::task::spawn_blocking(move || read_first_sheet(&bytes, &limits))
        .await
        .map_err(|e| AppError::Internal(format!("workbook reader stopped: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_file_bytes: 1 << 20, max_unzipped_bytes: 4 << 20, max_rows: 10, max_cols: 4 };

    fn book(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c, v) in cells {
            ws.write_string(*r, *c, *v).expect("write");
        }
        wb.save_to_buffer().expect("save")
    }

    #[test]
    fn rows_come_back_numbered_as_the_sheet_shows_them() {
        let rows = read_first_sheet(&book(&[(0, 0, "a"), (0, 1, "b"), (2, 1, "c")]), &LIMITS).expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 1);
        assert_eq!(rows[1], (3, vec![Data::Empty, Data::String("c".into())]));
    }

    #[test]
    fn a_value_far_beyond_the_limits_is_refused_without_allocating_up_to_it() {
        let e = read_first_sheet(&book(&[(0, 0, "a"), (1_048_575, 16_383, "x")]), &LIMITS).expect_err("refused");
        assert!(e.message_zh().contains("最多10行"), "{}", e.message_zh());
        let e = read_first_sheet(&book(&[(0, 4, "x")]), &LIMITS).expect_err("a fifth column is refused");
        assert!(e.message_zh().contains("4列"));
        assert!(read_first_sheet(&book(&[(9, 3, "x")]), &LIMITS).is_ok(), "the last row and column are allowed");
    }

    #[test]
    fn a_file_that_inflates_past_the_limit_is_refused() {
        // Distinct strings (a workbook keeps one copy of a repeated one), each under Excel's 32,767 characters:
        // about 5 MB of text that zips to a few kilobytes.
        let big: Vec<String> = (0..170).map(|n| format!("{n}{}", "x".repeat(30_000))).collect();
        let cells: Vec<(u32, u16, &str)> =
            big.iter().enumerate().map(|(n, s)| ((n / 4) as u32, (n % 4) as u16, s.as_str())).collect();
        let e = read_first_sheet(&book(&cells), &LIMITS).expect_err("refused");
        assert!(e.message_zh().contains("解压后不超过4 MB"), "{}", e.message_zh());
    }

    #[test]
    fn what_is_not_a_workbook_is_refused_plainly() {
        let e = read_first_sheet(b"not a zip", &LIMITS).expect_err("refused");
        assert!(e.message_zh().contains(".xlsx"));
        let e = read_first_sheet(&vec![0u8; (1 << 20) + 1], &LIMITS).expect_err("too big");
        assert!(e.message_zh().contains("1 MB"));
    }
}
