//! Interchange files (`shared/spec/interchange.md`): reading CSV and XLSX sheets into registry
//! records with every bad row reported, writing them back, and the error report.
//!
//! Reading is streaming for CSV (a row at a time) so a province-scale file never sits in memory;
//! XLSX sheets are read whole (calamine), which is fine for the sizes people keep in Excel.

pub mod columns;
pub mod read;
pub mod report;
pub mod sources;
pub mod text;
pub mod write;

pub use columns::{
    Column, DesignationSheet, HouseholdSheet, PersonSheet, PopulationSheet, SheetSpec,
};
pub use read::{
    RowSource, SheetReader, open_csv, open_csv_with, open_xlsx_first_sheet, open_xlsx_sheets,
};
pub use report::{ImportError, Lang, Report};
pub use text::{Encoding, EncodingChoice};
