//! No input file can make the readers panic: arbitrary bytes, arbitrary CSV rows, and
//! corrupted workbooks are either read or refused with a report.

use chrono::NaiveDate;
use jingzhun_interchange::read::{SheetReader, open_csv, open_xlsx_sheets};
use jingzhun_interchange::{HouseholdSheet, PersonSheet, SheetSpec};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Reads a whole CSV as households and persons; returns rows read and rows refused.
fn read_all<S: SheetSpec>(bytes: &[u8]) -> (usize, usize) {
    let mut ok = 0;
    let mut bad = 0;
    match SheetReader::<S, _>::open(open_csv(S::FILE, bytes), today(), false) {
        Err(errors) => assert!(!errors.is_empty(), "a refused header names its problems"),
        Ok(mut r) => {
            while let Some((_, rec)) = r.next_record() {
                match rec {
                    Ok(_) => ok += 1,
                    Err(e) => {
                        assert!(!e.is_empty(), "a refused row names its problems");
                        bad += 1;
                    }
                }
            }
        }
    }
    (ok, bad)
}

fn valid_workbook() -> Vec<u8> {
    let mut w = jingzhun_interchange::write::XlsxRegistryWriter::new().unwrap();
    let cells: Vec<String> =
        "H1,510304001011,一组,registered,一般贫困户,2014,,因病,是,是,8000.5,2020,13800001234"
            .split(',')
            .map(String::from)
            .collect();
    w.row(jingzhun_interchange::write::Sheet::Households, &cells)
        .unwrap();
    w.into_bytes().unwrap()
}

const H: &str = "household_id,village_code,group_name,status,poverty_type,identified_year,exit_year,primary_cause,housing_safe,water_safe,annual_net_income,income_year,phone";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_csv_readers(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        read_all::<HouseholdSheet>(&bytes);
        read_all::<PersonSheet>(&bytes);
    }

    #[test]
    fn arbitrary_rows_under_a_valid_header_are_read_or_refused_one_by_one(
        rows in proptest::collection::vec(proptest::collection::vec("[^\n\x00]{0,14}", 0..15), 1..20)
    ) {
        let mut text = String::from(H);
        text.push('\n');
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for r in &rows {
            w.write_record(r).unwrap();
        }
        text.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
        // (A NUL byte makes the whole file UTF-16 or binary: refused once, not row by row.)
        let (ok, bad) = read_all::<HouseholdSheet>(text.as_bytes());
        let non_blank = rows.iter().filter(|r| !r.iter().all(|c| c.trim().is_empty())).count();
        prop_assert_eq!(ok + bad, non_blank);
    }

    #[test]
    fn corrupted_workbooks_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = valid_workbook();
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        if let Ok([h, p]) = open_xlsx_sheets("t.xlsx", bytes, [HouseholdSheet::SHEET_NAMES, PersonSheet::SHEET_NAMES], &Default::default()) {
            if let Ok(mut r) = SheetReader::<HouseholdSheet, _>::open(h, today(), false) {
                while r.next_record().is_some() {}
            }
            let _ = SheetReader::<PersonSheet, _>::open(p, today(), false);
        }
    }

    #[test]
    fn arbitrary_bytes_are_refused_as_a_workbook(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let r = open_xlsx_sheets("t.xlsx", bytes, [HouseholdSheet::SHEET_NAMES, PersonSheet::SHEET_NAMES], &Default::default());
        prop_assert!(r.is_err());
    }
}

#[test]
fn a_valid_workbook_is_read() {
    let [h, _] = open_xlsx_sheets(
        "t.xlsx",
        valid_workbook(),
        [HouseholdSheet::SHEET_NAMES, PersonSheet::SHEET_NAMES],
        &Default::default(),
    )
    .unwrap();
    let mut r = SheetReader::<HouseholdSheet, _>::open(h, today(), false).unwrap();
    let (line, rec) = r.next_record().unwrap();
    assert_eq!(line, 2);
    let h = rec.unwrap();
    assert_eq!(h.annual_net_income.fen(), 800_050);
    assert!(r.next_record().is_none());
}

#[test]
fn an_id_number_stored_as_an_excel_number_is_refused_with_a_hint() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, c) in [
        "id_number",
        "name",
        "household_id",
        "relation",
        "gender",
        "birth_date",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, i as u16, *c).unwrap();
    }
    ws.write_number(1, 0, 510304198801280390.0).unwrap();
    for (i, c) in ["王一", "H1", "户主", "男", "1988-01-28"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, i as u16 + 1, *c).unwrap();
    }
    wb.add_worksheet();
    let bytes = wb.save_to_buffer().unwrap();
    let [_, p] =
        open_xlsx_sheets("t.xlsx", bytes, [&["x"], &["Sheet1"]], &Default::default()).unwrap();
    let mut r = SheetReader::<PersonSheet, _>::open(p, today(), false).unwrap();
    let (_, rec) = r.next_record().unwrap();
    let errors = rec.unwrap_err();
    assert_eq!(
        errors[0].problem,
        jingzhun_domain::Problem::NumberLostDigits
    );
    assert_eq!(errors[0].column, "id_number");
}
