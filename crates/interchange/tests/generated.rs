//! Generated registries, written in the interchange format, pass every validation rule when
//! read back, and read back to the very same records.

use chrono::NaiveDate;
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::generate::{Generator, VillageSpec};
use jingzhun_interchange::read::{SheetReader, open_csv};
use jingzhun_interchange::write::{CsvSheetWriter, Masking, household_cells, person_cells};
use jingzhun_interchange::{HouseholdSheet, PersonSheet};

#[test]
fn generated_registries_read_back_to_the_same_records() {
    let villages = ["510304100201", "510304100202", "510304101203"]
        .iter()
        .map(|c| VillageSpec {
            code: AreaCode::parse(c).unwrap(),
        })
        .collect();
    let mut g = Generator::new(11, villages, 2020);
    let (mut households, mut persons) = (Vec::new(), Vec::new());
    for _ in 0..400 {
        let (h, members) = g.next_household();
        households.push(h);
        persons.extend(members);
    }
    let mut hw = CsvSheetWriter::households(Vec::new()).unwrap();
    for h in &households {
        hw.row(&household_cells(h, Masking::Unmasked)).unwrap();
    }
    let mut pw = CsvSheetWriter::persons(Vec::new()).unwrap();
    for p in &persons {
        pw.row(&person_cells(p, Masking::Unmasked)).unwrap();
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let hbytes = hw.into_inner().unwrap();
    let mut r = SheetReader::<HouseholdSheet, _>::open(
        open_csv("households.csv", &hbytes[..]),
        today,
        false,
    )
    .unwrap();
    let mut back = Vec::new();
    while let Some((line, rec)) = r.next_record() {
        back.push(rec.unwrap_or_else(|e| panic!("line {line}: {e:?}")));
    }
    assert_eq!(back, households);
    let pbytes = pw.into_inner().unwrap();
    let mut r =
        SheetReader::<PersonSheet, _>::open(open_csv("persons.csv", &pbytes[..]), today, false)
            .unwrap();
    let mut back = Vec::new();
    while let Some((line, rec)) = r.next_record() {
        back.push(rec.unwrap_or_else(|e| panic!("line {line}: {e:?}")));
    }
    assert_eq!(back, persons);
}
