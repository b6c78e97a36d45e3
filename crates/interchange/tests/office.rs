//! The files offices really make (interchange.md): GBK and CRLF as Excel on Chinese Windows
//! writes them, UTF-16 refused once, dates as typed, date cells in workbooks, workbooks that
//! declare more than the limits refused before they are read.

use chrono::NaiveDate;
use encoding_rs::GB18030;
use jingzhun_domain::Problem;
use jingzhun_interchange::read::{SheetReader, XlsxLimits, open_csv, open_xlsx_sheets};
use jingzhun_interchange::{Encoding, HouseholdSheet, ImportError, PersonSheet, SheetSpec};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Every row of a CSV as (line, its errors), and the encoding read.
type Lines = (Vec<(u64, Vec<ImportError>)>, Option<Encoding>);

/// Every row of a CSV: (line, errors) for refused rows, (line, []) for good ones.
fn lines<S: SheetSpec>(bytes: &[u8]) -> Result<Lines, Vec<ImportError>> {
    let mut r = SheetReader::<S, _>::open(open_csv(S::FILE, bytes), today(), false)?;
    let mut out = Vec::new();
    while let Some((line, rec)) = r.next_record() {
        out.push((line, rec.err().unwrap_or_default()));
    }
    Ok((out, r.encoding()))
}

const HEADER_ZH: &str = "户编号,村代码,村民小组,状态,贫困户属性,识别年度,脱贫年度,主要致贫原因,住房安全,饮水安全,家庭年纯收入,收入年度,联系电话";

/// A households sheet as Excel on Chinese Windows saves "CSV (逗号分隔)": GBK, CRLF, no BOM.
fn excel_gbk(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(HEADER_ZH);
    for r in rows {
        text.push_str("\r\n");
        text.push_str(r);
    }
    text.push_str("\r\n");
    let (bytes, _, bad) = GB18030.encode(&text);
    assert!(!bad);
    bytes.into_owned()
}

#[test]
fn a_gbk_crlf_file_from_excel_reads_like_utf8_with_the_lines_an_editor_shows() {
    let rows = [
        "H1,510304001011,一组,在册,一般贫困户,2014,,因病,是,是,8000.5,2020,",
        "H2,510304001011,二组,在册,一般贫困户,2014,,因学,是,是,9000,2020,",
        "H3,510304001011,三组,在册,一般贫困户,2014,,因病,也许,是,9000,2020,",
    ];
    let (read, enc) = lines::<HouseholdSheet>(&excel_gbk(&rows)).unwrap();
    assert_eq!(enc, Some(Encoding::Gb18030));
    assert_eq!(read.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3, 4]);
    assert!(read[0].1.is_empty() && read[1].1.is_empty(), "{read:?}");
    // The bad cell is reported at line 4 (header = 1), in Chinese as written.
    assert_eq!(read[2].1.len(), 1, "{:?}", read[2].1);
    assert_eq!(
        (
            read[2].1[0].line,
            read[2].1[0].column.as_str(),
            read[2].1[0].value.as_str()
        ),
        (4, "住房安全", "也许")
    );

    // The same file in UTF-8 with LF and a blank line: the lines are still the file's own.
    let utf8 = format!("{HEADER_ZH}\n{}\n\n{}\n{}\n", rows[0], rows[1], rows[2]);
    let (read, enc) = lines::<HouseholdSheet>(utf8.as_bytes()).unwrap();
    assert_eq!(enc, Some(Encoding::Utf8));
    assert_eq!(read.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 4, 5]);
}

#[test]
fn a_utf16_file_is_refused_with_one_message() {
    let text = format!(
        "{HEADER_ZH}\r\nH1,510304001011,一组,在册,一般贫困户,2014,,因病,是,是,8000,2020,\r\n"
    );
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let errors = lines::<HouseholdSheet>(&bytes).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].problem, Problem::Utf16);
    assert!(errors[0].to_string().contains("UTF-16"), "{}", errors[0]);
}

#[test]
fn a_line_of_200_mb_is_refused_once_and_quoted_short() {
    let mut bytes = format!("{HEADER_ZH}\nH1,").into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', 3 << 20));
    let (read, _) = lines::<HouseholdSheet>(&bytes).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].0, 2);
    assert_eq!(read[0].1[0].problem, Problem::LineTooLong { max: 1 << 20 });
    assert!(read[0].1[0].to_string().len() < 300);
}

#[test]
fn a_cell_over_4000_characters_is_refused_and_quoted_in_80() {
    let long = "名".repeat(4001);
    let text = format!(
        "{HEADER_ZH}\nH1,510304001011,{long},在册,一般贫困户,2014,,因病,是,是,8000,2020,\n"
    );
    let (read, _) = lines::<HouseholdSheet>(text.as_bytes()).unwrap();
    let e = &read[0].1[0];
    assert_eq!(e.problem, Problem::TooLong { max: 4000 });
    assert!(e.to_string().chars().count() < 200, "{e}");
}

#[test]
fn dates_as_offices_type_them_are_read() {
    let header = "id_number,name,household_id,relation,gender,birth_date";
    for date in [
        "1949-12-31",
        "1949/12/31",
        "1949.12.31",
        "19491231",
        "1949年12月31日",
    ] {
        let text = format!("{header}\n11010519491231002X,王秀英,H1,户主,女,{date}\n");
        let (read, _) = lines::<PersonSheet>(text.as_bytes()).unwrap();
        assert!(read[0].1.is_empty(), "{date}: {:?}", read[0].1);
    }
}

/// A workbook with a households sheet and a persons sheet whose birth dates are a real date
/// cell and a bare serial number, the two ways Excel keeps a date.
fn workbook_with_dates() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let hs = wb.add_worksheet().set_name("households").unwrap();
    for (c, v) in "household_id,village_code,group_name,status,poverty_type,identified_year,exit_year,primary_cause,housing_safe,water_safe,annual_net_income,income_year,phone".split(',').enumerate() {
        hs.write_string(0, c as u16, v).unwrap();
    }
    let ps = wb.add_worksheet().set_name("persons").unwrap();
    for (c, v) in "id_number,name,household_id,relation,gender,birth_date"
        .split(',')
        .enumerate()
    {
        ps.write_string(0, c as u16, v).unwrap();
    }
    let date = Format::new().set_num_format("yyyy/m/d");
    for (r, id) in [(1u32, "11010519491231002X"), (2, "11010519491231002X")] {
        ps.write_string(r, 0, id).unwrap();
        ps.write_string(r, 1, "王秀英").unwrap();
        ps.write_string(r, 2, format!("H{r}")).unwrap();
        ps.write_string(r, 3, "户主").unwrap();
        ps.write_string(r, 4, "女").unwrap();
    }
    ps.write_datetime_with_format(1, 5, ExcelDateTime::from_ymd(1949, 12, 31).unwrap(), &date)
        .unwrap();
    ps.write_number(2, 5, 18263.0).unwrap(); // 1949-12-31 as a serial number
    wb.save_to_buffer().unwrap()
}

#[test]
fn date_cells_and_date_serial_numbers_in_a_workbook_are_dates() {
    let [_, p] = open_xlsx_sheets(
        "registry.xlsx",
        workbook_with_dates(),
        [HouseholdSheet::SHEET_NAMES, PersonSheet::SHEET_NAMES],
        &XlsxLimits::default(),
    )
    .unwrap();
    let mut r = SheetReader::<PersonSheet, _>::open(p, today(), false).unwrap();
    let mut n = 0;
    while let Some((line, rec)) = r.next_record() {
        let p = rec.unwrap_or_else(|e| panic!("line {line}: {e:?}"));
        assert_eq!(p.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        n += 1;
    }
    assert_eq!(n, 2);
}

/// A tiny workbook whose sheet reaches XFD1048576 (the last cell Excel has).
pub fn workbook_reaching_xfd1048576() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "household_id").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.add_worksheet().write_string(0, 0, "id_number").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_workbook_declaring_xfd1048576_is_refused_before_it_is_read() {
    let bytes = workbook_reaching_xfd1048576();
    assert!(bytes.len() < 100_000);
    let err = open_xlsx_sheets(
        "registry.xlsx",
        bytes,
        [HouseholdSheet::SHEET_NAMES, PersonSheet::SHEET_NAMES],
        &XlsxLimits::default(),
    )
    .err()
    .unwrap();
    assert!(
        matches!(err.problem, Problem::WorkbookTooLarge { .. }),
        "{err}"
    );
}

#[test]
fn a_workbook_unpacking_beyond_the_limit_is_refused() {
    let err = open_xlsx_sheets(
        "registry.xlsx",
        workbook_with_dates(),
        [HouseholdSheet::SHEET_NAMES, PersonSheet::SHEET_NAMES],
        &XlsxLimits {
            max_unpacked_bytes: 1000,
        },
    )
    .err()
    .unwrap();
    assert!(
        matches!(err.problem, Problem::WorkbookTooLarge { .. }),
        "{err}"
    );
}

#[test]
fn an_exported_formula_guard_is_taken_off_on_import() {
    use jingzhun_interchange::write::{guard_formula, unguard_formula};
    for t in ["=1+1", "+86 138", "@SUM(A1)", "-x", "\tx"] {
        let g = guard_formula(t);
        assert!(g.starts_with('\''), "{t}");
        assert_eq!(unguard_formula(&g), t);
    }
    for t in ["-12", "张三", "'quoted"] {
        assert_eq!(guard_formula(t), t);
        assert_eq!(unguard_formula(t), t);
    }
}
