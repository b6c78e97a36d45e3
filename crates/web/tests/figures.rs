//! Every figure a person reads, proved against a second, deliberately simple computation made
//! here straight from the generated rows (the CSV files as written, parsed with the `csv`
//! crate; nothing of the store or the service is used to compute the expected values).
//!
//! Registries of several seeds, sizes and shapes (household numbers with and without the
//! village prefix), with every status, an applicant of a later income year, villages without a
//! rural population, and two years of populations; read over the API and on the pages, by a
//! leader of the whole province, a county officer, a township reviewer and a village clerk.
//! On SQLite, or on PostgreSQL when `JINGZHUN_TEST_POSTGRES` is set (CI runs both).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use common::*;
use jingzhun_domain::access::Role;
use serde_json::Value;

/// A household as the generated file holds it.
#[derive(Debug, Clone)]
struct RawHousehold {
    id: String,
    village: String,
    status: String,
    cause: Option<String>,
    housing_safe: bool,
    water_safe: bool,
    income_fen: i64,
    income_year: i32,
    identified_year: i32,
    exit_year: Option<i32>,
}

/// A person as the generated file holds it.
#[derive(Debug, Clone)]
struct RawPerson {
    household: String,
    birth: NaiveDate,
    school: Option<String>,
    medical: Option<bool>,
    deceased: Option<NaiveDate>,
}

#[derive(Default)]
struct Raw {
    households: Vec<RawHousehold>,
    persons: Vec<RawPerson>,
    /// (village, year) → rural population.
    populations: BTreeMap<(String, i32), i64>,
}

fn yes(v: &str) -> Option<bool> {
    match v.trim() {
        "是" | "true" | "1" | "Y" => Some(true),
        "否" | "false" | "0" | "N" => Some(false),
        _ => None,
    }
}

fn fen(v: &str) -> i64 {
    let (whole, frac) = v.trim().split_once('.').unwrap_or((v.trim(), ""));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap()
}

fn date(v: &str) -> Option<NaiveDate> {
    (!v.trim().is_empty()).then(|| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").unwrap())
}

fn opt(v: &str) -> Option<String> {
    (!v.trim().is_empty()).then(|| v.trim().to_string())
}

/// Reads a CSV file into rows of (header → value).
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

impl Raw {
    fn read(dir: &Path) -> Raw {
        let households = rows(&dir.join("households.csv"))
            .into_iter()
            .map(|r| RawHousehold {
                id: r["household_id"].clone(),
                village: r["village_code"].clone(),
                status: r["status"].clone(),
                cause: opt(&r["primary_cause"]),
                housing_safe: yes(&r["housing_safe"]).unwrap(),
                water_safe: yes(&r["water_safe"]).unwrap(),
                income_fen: fen(&r["annual_net_income"]),
                income_year: r["income_year"].parse().unwrap(),
                identified_year: r["identified_year"].parse().unwrap(),
                exit_year: opt(&r["exit_year"]).map(|y| y.parse().unwrap()),
            })
            .collect();
        let persons = rows(&dir.join("persons.csv"))
            .into_iter()
            .map(|r| RawPerson {
                household: r["household_id"].clone(),
                birth: date(&r["birth_date"]).unwrap(),
                school: opt(&r["school_status"]),
                medical: yes(&r["medical_insurance"]),
                deceased: date(&r["deceased_on"]),
            })
            .collect();
        let populations = rows(&dir.join("populations.csv"))
            .into_iter()
            .map(|r| {
                (
                    (r["area_code"].clone(), r["year"].parse().unwrap()),
                    r["rural_population"].parse().unwrap(),
                )
            })
            .collect();
        Raw {
            households,
            persons,
            populations,
        }
    }

    fn within<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a RawHousehold> + 'a {
        self.households
            .iter()
            .filter(move |h| h.village.starts_with(prefix))
    }

    fn members<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a RawPerson> + 'a {
        self.persons.iter().filter(move |p| p.household == id)
    }

    /// (households, persons) of a status within an area.
    fn count(&self, prefix: &str, status: &str) -> (i64, i64) {
        let hh: Vec<&RawHousehold> = self.within(prefix).filter(|h| h.status == status).collect();
        let ids: BTreeSet<&str> = hh.iter().map(|h| h.id.as_str()).collect();
        let persons = self
            .persons
            .iter()
            .filter(|p| ids.contains(p.household.as_str()))
            .count();
        (hh.len() as i64, persons as i64)
    }

    /// The rural population of an area in a year: `None` when no village of it has one.
    fn population(&self, prefix: &str, year: i32) -> Option<i64> {
        let v: Vec<i64> = self
            .populations
            .iter()
            .filter(|((c, y), _)| *y == year && c.starts_with(prefix))
            .map(|(_, n)| *n)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum())
    }

    fn active<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a RawHousehold> + 'a {
        self.within(prefix)
            .filter(|h| matches!(h.status.as_str(), "registered" | "exited" | "monitored"))
    }
}

const STATUSES: [&str; 5] = ["applicant", "registered", "exited", "monitored", "removed"];

/// The shape of the household numbers.
#[derive(Debug, Clone, Copy)]
enum Numbers {
    /// As the generator writes them: the village code, then a serial.
    VillagePrefixed,
    /// `H` and ten digits, as the interchange format allows.
    Plain,
}

/// Generates a registry over the demo county, reshapes it (numbers, populations), imports it
/// and its populations; returns the folder of the files as imported.
async fn registry(app: &App, households: u64, seed: u64, numbers: Numbers) -> tempfile::TempDir {
    let store = app.state.store.as_ref();
    let dir = tempfile::tempdir().unwrap();
    jingzhun_service::generate::generate(
        store,
        &code("510304"),
        households,
        seed,
        2020,
        dir.path(),
        jingzhun_service::generate::Extras::RegistryOnly,
    )
    .await
    .unwrap();
    if let Numbers::Plain = numbers {
        let mut map = BTreeMap::new();
        for file in ["households.csv", "persons.csv"] {
            let path = dir.path().join(file);
            let mut r = csv::Reader::from_path(&path).unwrap();
            let headers = r.headers().unwrap().clone();
            let col = headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == "household_id")
                .unwrap();
            let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
            let mut w = csv::Writer::from_path(&path).unwrap();
            w.write_record(&headers).unwrap();
            for rec in records {
                let n = map.len();
                let new = map
                    .entry(rec[col].to_string())
                    .or_insert_with(|| format!("H{:010}", 7_000_000 + n))
                    .clone();
                let out: Vec<&str> = rec
                    .iter()
                    .enumerate()
                    .map(|(i, v)| if i == col { new.as_str() } else { v })
                    .collect();
                w.write_record(&out).unwrap();
            }
            w.flush().unwrap();
        }
    }
    // Populations: none for every ninth village in 2020; the year before for every other one.
    let path = dir.path().join("populations.csv");
    let pops = rows(&path);
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(["area_code", "year", "rural_population"])
        .unwrap();
    for (i, r) in pops.iter().enumerate() {
        let pop: i64 = r["rural_population"].parse().unwrap();
        if i % 9 != 4 {
            w.write_record([r["area_code"].as_str(), "2020", &pop.to_string()])
                .unwrap();
        }
        if i % 2 == 0 {
            w.write_record([r["area_code"].as_str(), "2019", &(pop + 37).to_string()])
                .unwrap();
        }
    }
    w.flush().unwrap();
    use jingzhun_service::registry_import::{ImportOptions, RegistrySource, import_registry};
    let opts = ImportOptions {
        within: None,
        actor: "test".into(),
        force: false,
        ignore_unknown_columns: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        ..Default::default()
    };
    import_registry(
        store,
        &RegistrySource::from_path(dir.path()).unwrap(),
        &opts,
        &|_| {},
    )
    .await
    .unwrap();
    jingzhun_service::areas::import_populations(store, &path, "test")
        .await
        .unwrap();
    dir
}

/// The check character of an ID number (GB 11643), restated here.
fn id_with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first17}{}", C[(sum % 11) as usize])
}

/// A village clerk applies for a household of this year's income (2025): the applicant is
/// added to the raw rows as what it is.
async fn application(app: &App, raw: &mut Raw, village: &str) {
    let (cookie, csrf) = login(app, "clerk").await;
    let id = id_with_check("51030419720514991");
    let body = serde_json::json!({
        "kind": "identification",
        "household": {
            "village_code": village, "housing_safe": "否", "water_safe": "是",
            "annual_net_income": "6800", "income_year": "2025", "primary_cause": "因病"
        },
        "members": [{
            "id_number": id, "name": "邓德明", "relation": "户主", "gender": "男",
            "birth_date": "1972-05-14", "medical_insurance": "是"
        }],
        "evidence": {"kind": "application", "by_household": true, "reason": "户主患大病，本户申请"}
    });
    let r = call(
        app,
        post_json(
            "/api/v1/procedures/applications",
            &cookie,
            Some(&csrf),
            body,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let number = r.json()["household_id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("the application's household number: {}", r.text()));
    raw.households.push(RawHousehold {
        id: number.clone(),
        village: village.to_string(),
        status: "applicant".into(),
        cause: Some("因病".into()),
        housing_safe: false,
        water_safe: true,
        income_fen: 680_000,
        income_year: 2025,
        identified_year: 2026,
        exit_year: None,
    });
    raw.persons.push(RawPerson {
        household: number,
        birth: NaiveDate::from_ymd_opt(1972, 5, 14).unwrap(),
        school: None,
        medical: Some(true),
        deceased: None,
    });
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Checks an area's reply against the raw rows for a year.
fn check_area(raw: &Raw, body: &Value, year: i32) {
    let code = body["area"]["code"].as_str().unwrap().to_string();
    let prefix = &code[..match body["area"]["level"].as_str().unwrap() {
        "province" => 2,
        "city" => 4,
        "county" => 6,
        "township" => 9,
        _ => 12,
    }];
    assert_eq!(body["year"], year, "{code}");
    for status in STATUSES {
        let (h, p) = raw.count(prefix, status);
        assert_eq!(
            body["total"]["households"][status], h,
            "{code} households {status}"
        );
        assert_eq!(
            body["total"]["persons"][status], p,
            "{code} persons {status}"
        );
    }
    let pop = raw.population(prefix, year);
    assert_eq!(body["total_population"].as_i64(), pop, "{code} population");
    let (_, reg_persons) = raw.count(prefix, "registered");
    match pop {
        Some(n) if n > 0 => assert!(
            close(
                body["total_incidence"].as_f64().unwrap(),
                reg_persons as f64 * 100.0 / n as f64
            ),
            "{code} incidence {}",
            body["total_incidence"]
        ),
        _ => assert!(body["total_incidence"].is_null(), "{code}"),
    }
    for child in body["children"].as_array().unwrap() {
        let c = child["area"]["code"].as_str().unwrap();
        let cp = &c[..match child["area"]["level"].as_str().unwrap() {
            "city" => 4,
            "county" => 6,
            "township" => 9,
            _ => 12,
        }];
        for status in STATUSES {
            let (h, p) = raw.count(cp, status);
            assert_eq!(child["counts"]["households"][status], h, "{c} {status}");
            assert_eq!(child["counts"]["persons"][status], p, "{c} {status}");
        }
        let pop = raw.population(cp, year);
        assert_eq!(child["rural_population"].as_i64(), pop, "{c}");
        let (_, reg) = raw.count(cp, "registered");
        match pop {
            Some(n) if n > 0 => assert!(close(
                child["incidence"].as_f64().unwrap(),
                reg as f64 * 100.0 / n as f64
            )),
            _ => assert!(child["incidence"].is_null(), "{c}"),
        }
    }
}

fn number(text: &str) -> i64 {
    let t: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    t.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

fn cells(html: &scraper::Html, table: &str) -> Vec<Vec<String>> {
    let rows = scraper::Selector::parse(&format!("{table} tr")).unwrap();
    let td = scraper::Selector::parse("td").unwrap();
    html.select(&rows)
        .map(|r| {
            r.select(&td)
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|r| !r.is_empty())
        .collect()
}

fn text_of(html: &scraper::Html, selector: &str) -> Vec<String> {
    let s = scraper::Selector::parse(selector).unwrap();
    html.select(&s)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// The status table of an area's page (households, persons per status, in the order of the
/// statuses) against the raw rows.
fn check_status_table(raw: &Raw, page: &str, prefix: &str) {
    let html = scraper::Html::parse_document(page);
    let rows = cells(&html, "#status-table");
    assert_eq!(rows.len(), 5, "{page}");
    for (row, status) in rows.iter().zip(STATUSES) {
        let (h, p) = raw.count(prefix, status);
        assert_eq!(number(&row[1]), h, "{prefix} page households {status}");
        assert_eq!(number(&row[2]), p, "{prefix} page persons {status}");
    }
}

/// Causes and gaps on the dashboard page (the API does not show them) against the raw rows.
fn check_causes_and_gaps(raw: &Raw, page: &str, prefix: &str) {
    let html = scraper::Html::parse_document(page);
    // Gaps: the four cards, in the order housing, water, uninsured, out of school.
    let gaps: Vec<i64> = text_of(&html, "#gaps .card .n")
        .iter()
        .map(|t| number(t))
        .collect();
    let living = |id: &str| -> Vec<&RawPerson> {
        raw.persons
            .iter()
            .filter(|p| p.household == id && p.deceased.is_none())
            .collect()
    };
    let housing = raw.active(prefix).filter(|h| !h.housing_safe).count() as i64;
    let water = raw.active(prefix).filter(|h| !h.water_safe).count() as i64;
    let uninsured = raw
        .active(prefix)
        .filter(|h| living(&h.id).iter().any(|p| p.medical == Some(false)))
        .count() as i64;
    let out_of_school = raw
        .active(prefix)
        .filter(|h| {
            living(&h.id)
                .iter()
                .any(|p| p.school.as_deref() == Some("失学辍学"))
        })
        .count() as i64;
    assert_eq!(
        gaps,
        vec![housing, water, uninsured, out_of_school],
        "{prefix} gaps"
    );
    // Causes: the data table, by label.
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for h in raw.active(prefix) {
        *expected
            .entry(h.cause.clone().unwrap_or_else(|| "未填".into()))
            .or_default() += 1;
    }
    let shown: BTreeMap<String, i64> = cells(&html, "#cause-table")
        .into_iter()
        .map(|r| (r[0].clone(), number(&r[1])))
        .collect();
    assert_eq!(shown, expected, "{prefix} causes");
}

/// The exit figures of an area, restated from domain.md §4 (income above the line of the
/// year — the monitoring line for monitored households — over living members, the income not
/// older than a year; every living child of 6 to 15 in school; every living member insured;
/// housing and water safe; food and clothing wait for the visit and keep nobody off).
fn check_exit(raw: &Raw, body: &Value, year: i32) {
    let line_fen = |y: i32| -> Option<i64> {
        match y {
            2015 => Some(285_500),
            2016 => Some(310_000),
            2020 => Some(400_000),
            _ => None,
        }
    };
    let day = NaiveDate::from_ymd_opt(year, 9, 1).unwrap();
    let age = |b: NaiveDate| {
        let mut a = day.year() - b.year();
        if (day.month(), day.day()) < (b.month(), b.day()) {
            a -= 1;
        }
        a
    };
    let (mut registered, mut candidates, mut exited_failing, mut monitored_meeting) =
        (0i64, 0i64, 0i64, 0i64);
    let mut blocked: BTreeMap<&str, i64> = BTreeMap::new();
    for h in &raw.households {
        if !matches!(h.status.as_str(), "registered" | "exited" | "monitored") {
            continue;
        }
        let alive: Vec<&RawPerson> = raw
            .members(&h.id)
            .filter(|p| p.deceased.is_none_or(|d| d > day))
            .collect();
        let line = line_fen(h.income_year).map(|l| {
            if h.status == "monitored" {
                l * 3 / 2
            } else {
                l
            }
        });
        let income_ok = year - h.income_year <= 1
            && !alive.is_empty()
            && line.is_some_and(|l| h.income_fen > l * alive.len() as i64);
        let children: Vec<&&RawPerson> = alive
            .iter()
            .filter(|p| (6..=15).contains(&age(p.birth)))
            .collect();
        let education_ok = children.iter().all(|p| {
            p.school
                .as_deref()
                .is_some_and(|s| s != "失学辍学" && s != "非在校生")
        });
        let medical_ok = alive.iter().all(|p| p.medical == Some(true));
        let fails = [
            ("income", !income_ok),
            ("education", !education_ok),
            ("medical", !medical_ok),
            ("housing", !h.housing_safe),
            ("water", !h.water_safe),
        ];
        let meets = fails.iter().all(|(_, f)| !f);
        match h.status.as_str() {
            "registered" => {
                registered += 1;
                if meets {
                    candidates += 1;
                }
                for (k, f) in fails {
                    if f {
                        *blocked.entry(k).or_default() += 1;
                    }
                }
            }
            "exited" if !meets => exited_failing += 1,
            "monitored" if meets => monitored_meeting += 1,
            _ => {}
        }
    }
    let t = &body["total"];
    assert_eq!(body["year"], year);
    assert_eq!(t["registered_households"], registered, "{body}");
    assert_eq!(t["candidate_households"], candidates);
    assert_eq!(t["exited_not_meeting"], exited_failing);
    assert_eq!(t["monitored_meeting"], monitored_meeting);
    for k in ["income", "education", "medical", "housing", "water"] {
        assert_eq!(
            t["blocked_by"][k],
            blocked.get(k).copied().unwrap_or(0),
            "blocked by {k}"
        );
    }
    assert_eq!(t["blocked_by"]["food"], 0);
    assert_eq!(t["blocked_by"]["clothing"], 0);
}

/// The early warnings of the county's villages, restated: a village whose registered persons
/// (members of households identified by the end of the year and not exited by then, removed
/// ones aside) did not fall from the year before; a village with exited households of the
/// year's income below the monitoring line (1.5 × the poverty line) per living member. No
/// leads, plans, complaints or overdue cases exist in these registries.
fn expected_warnings(raw: &Raw, year: i32) -> BTreeMap<(String, &'static str), i64> {
    let mut out = BTreeMap::new();
    let villages: BTreeSet<&str> = raw.households.iter().map(|h| h.village.as_str()).collect();
    for v in villages {
        let in_year = |y: i32| -> i64 {
            raw.within(v)
                .filter(|h| h.status != "removed" && h.identified_year <= y)
                .filter(|h| h.exit_year.is_none_or(|e| e > y))
                .map(|h| raw.members(&h.id).count() as i64)
                .sum()
        };
        let (now, before) = (in_year(year), in_year(year - 1));
        if now > 0 && now >= before {
            out.insert((v.to_string(), "not_falling"), now);
        }
        let below = raw
            .within(v)
            .filter(|h| h.status == "exited" && h.income_year == year)
            .filter(|h| {
                let living = raw.members(&h.id).filter(|p| p.deceased.is_none()).count() as i64;
                h.income_fen < 400_000 * 3 / 2 * living
            })
            .count() as i64;
        if below > 0 {
            out.insert((v.to_string(), "unmonitored_risk"), below);
        }
    }
    out
}

/// The warnings table of a dashboard page, by village code (from each row's link) and kind.
fn shown_warnings(page: &str) -> BTreeMap<(String, &'static str), i64> {
    let html = scraper::Html::parse_document(page);
    let rows = scraper::Selector::parse("#warnings-table tr").unwrap();
    let td = scraper::Selector::parse("td").unwrap();
    let link = scraper::Selector::parse("td a").unwrap();
    html.select(&rows)
        .filter_map(|row| {
            let cells: Vec<String> = row
                .select(&td)
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect();
            if cells.is_empty() {
                return None;
            }
            let href = row.select(&link).next()?.value().attr("href")?.to_string();
            let village = href.trim_start_matches("/areas/").to_string();
            let (kind, value) = if cells[1].contains("不降") {
                ("not_falling", number(cells[2].split('→').nth(1).unwrap()))
            } else {
                ("unmonitored_risk", number(&cells[2]))
            };
            Some(((village, kind), value))
        })
        .collect()
}

async fn every_figure(households: u64, seed: u64, numbers: Numbers) {
    let app = bare_app().await;
    let dir = registry(&app, households, seed, numbers).await;
    let mut raw = Raw::read(dir.path());
    // Every status is there, and villages without a 2020 population.
    for s in ["registered", "exited", "monitored", "removed"] {
        assert!(raw.count("510304", s).0 > 0, "the data hold {s} households");
    }
    let villages: BTreeSet<String> = raw.households.iter().map(|h| h.village.clone()).collect();
    let clerk_village = villages.iter().next().unwrap().clone();
    let township = clerk_village[..9].to_string();
    add_account(&app, "prov", Role::Leader, "51").await;
    add_account(&app, "county", Role::CountyOfficer, "510304").await;
    add_account(&app, "town", Role::TownshipReviewer, &township).await;
    add_account(&app, "clerk", Role::VillageClerk, &clerk_village).await;
    application(&app, &mut raw, &clerk_village).await;
    assert_eq!(raw.count(&clerk_village, "applicant").0, 1);
    let applicant = raw
        .households
        .iter()
        .find(|h| h.status == "applicant")
        .map(|h| h.id.clone())
        .unwrap();

    // "Waiting for me": the application's first step (the village's deliberation) is the
    // clerk's alone; the township and the county have nothing to do yet.
    for (login_name, expected) in [
        ("clerk", vec![applicant.clone()]),
        ("town", vec![]),
        ("county", vec![]),
    ] {
        let (cookie, _) = login(&app, login_name).await;
        let r = call(&app, get("/api/v1/procedures?waiting=true", &cookie)).await;
        assert_eq!(r.status, StatusCode::OK);
        let waiting: Vec<String> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["household_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(waiting, expected, "waiting for {login_name}");
    }

    // The year: an application of 2025 does not move the figures off 2020, the last year with
    // populations and a poverty line; 2025 asked for says what it lacks.
    let (prov, _) = login(&app, "prov").await;
    let r = call(&app, get("/api/v1/areas/510304", &prov)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let county = r.json();
    assert_eq!(county["year"], 2020);
    assert_eq!(county["figures_year"]["missing"], serde_json::json!([]));
    assert_eq!(
        county["figures_year"]["judgeable"],
        serde_json::json!([2020])
    );
    let r = call(&app, get("/api/v1/areas/510304?year=2025", &prov)).await;
    let y2025 = r.json();
    assert_eq!(y2025["year"], 2025);
    let missing: Vec<&str> = y2025["figures_year"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["zh"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"2025 年无农村人口数据"), "{missing:?}");
    assert!(y2025["total_incidence"].is_null());
    let r = call(&app, get("/api/v1/areas/510304?year=1899", &prov)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Every level from the province to each village, for both years of populations.
    let townships: BTreeSet<String> = villages.iter().map(|v| v[..9].to_string()).collect();
    let mut areas = vec!["51".to_string(), "5103".into(), "510304".into()];
    areas.extend(townships.iter().cloned());
    areas.extend(villages.iter().cloned());
    for year in [2020, 2019] {
        for a in &areas {
            let path = if year == 2020 {
                format!("/api/v1/areas/{a}")
            } else {
                format!("/api/v1/areas/{a}?year={year}")
            };
            let r = call(&app, get(&path, &prov)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
            check_area(&raw, &r.json(), year);
        }
    }

    // The clerk's village page: the village's own households (never 0 where there are some),
    // and its cards.
    let (clerk, _) = login(&app, "clerk").await;
    let r = call(&app, get(&format!("/areas/{clerk_village}"), &clerk)).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    check_status_table(&raw, &page, &clerk_village);
    let html = scraper::Html::parse_document(&page);
    let cards: Vec<String> = text_of(&html, ".cards .card .n");
    let (reg_h, reg_p) = raw.count(&clerk_village, "registered");
    assert_eq!(number(&cards[0]), reg_h, "registered households card");
    assert_eq!(number(&cards[1]), reg_p, "registered persons card");
    assert!(
        text_of(&html, "#figures-year strong").contains(&"2020".to_string()),
        "the year of the figures is shown"
    );
    check_causes_and_gaps(&raw, &page, &clerk_village);
    // The clerk reaches neither the township nor the county.
    for other in [township.as_str(), "510304"] {
        let r = call(&app, get(&format!("/api/v1/areas/{other}"), &clerk)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    // The township reviewer's page: each village's line, and the page's own totals.
    let (town, _) = login(&app, "town").await;
    let r = call(&app, get(&format!("/areas/{township}"), &town)).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    check_status_table(&raw, &page, &township);
    check_causes_and_gaps(&raw, &page, &township);
    let html = scraper::Html::parse_document(&page);
    let rows = scraper::Selector::parse("#children-table tr").unwrap();
    let td = scraper::Selector::parse("td").unwrap();
    let link = scraper::Selector::parse("a.area-link").unwrap();
    let mut seen = 0;
    for row in html.select(&rows) {
        let line: Vec<String> = row
            .select(&td)
            .map(|c| c.text().collect::<String>().trim().to_string())
            .collect();
        let Some(a) = row.select(&link).next() else {
            continue;
        };
        let v = a
            .value()
            .attr("href")
            .unwrap()
            .trim_start_matches("/areas/");
        seen += 1;
        let (h, p) = raw.count(v, "registered");
        assert_eq!(number(&line[1]), h, "{v} registered households");
        assert_eq!(number(&line[2]), p, "{v} registered persons");
        assert_eq!(number(&line[3]), raw.count(v, "exited").0, "{v} exited");
        assert_eq!(
            number(&line[4]),
            raw.count(v, "monitored").0,
            "{v} monitored"
        );
        match raw.population(v, 2020) {
            Some(n) => {
                assert_eq!(number(&line[5]), n, "{v} population");
                let shown: f64 = line[6].trim_end_matches('%').parse().unwrap();
                assert!(
                    (shown - p as f64 * 100.0 / n as f64).abs() < 0.005 + 1e-9,
                    "{v} incidence {shown}"
                );
            }
            None => assert_eq!(line[5], "—", "{v} without population"),
        }
    }
    assert!(seen > 0, "the township lists its villages");

    // The county officer's dashboard: causes and gaps of the whole county.
    let (county_cookie, _) = login(&app, "county").await;
    let r = call(&app, get("/areas/510304", &county_cookie)).await;
    check_status_table(&raw, &r.text(), "510304");
    check_causes_and_gaps(&raw, &r.text(), "510304");
    let expected = expected_warnings(&raw, 2020);
    assert!(!expected.is_empty(), "the data raise warnings");
    assert_eq!(shown_warnings(&r.text()), expected, "warnings");

    // The household list: the per-capita column is income over living members, and the
    // income order follows it.
    let r = call(
        &app,
        get(
            &format!("/households?area={clerk_village}&sort=income"),
            &clerk,
        ),
    )
    .await;
    let html = scraper::Html::parse_document(&r.text());
    let listed = cells(&html, "#households");
    assert!(!listed.is_empty());
    let mut previous = i64::MIN;
    for row in &listed {
        let id = &row[0];
        let h = raw.households.iter().find(|h| &h.id == id).unwrap();
        let living = raw.members(id).filter(|p| p.deceased.is_none()).count() as i64;
        let expected = (living > 0).then(|| h.income_fen / living);
        let shown = (row[6] != "—").then(|| {
            let t: String = row[6]
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            fen(&t)
        });
        assert_eq!(shown, expected, "{id} per-capita income");
        if let Some(v) = expected {
            assert!(v >= previous, "ordered by per-capita income");
            previous = v;
        }
    }

    // The exit evaluation of the county, of the year of the figures.
    let r = call(&app, get("/api/v1/exit?area=510304", &county_cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    check_exit(&raw, &r.json(), 2020);

    drop(dir);
    app.finish().await;
}

#[tokio::test]
async fn every_figure_equals_a_count_of_the_rows_with_village_prefixed_numbers() {
    every_figure(700, 11, Numbers::VillagePrefixed).await;
}

#[tokio::test]
async fn every_figure_equals_a_count_of_the_rows_with_plain_numbers() {
    every_figure(1_100, 12, Numbers::Plain).await;
}
