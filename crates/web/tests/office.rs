//! Office files through the web import (interchange.md): a GBK file with CRLF as Excel writes
//! it, its error report as Excel opens it, and a workbook declaring XFD1048576 refused before it
//! is unpacked, the server answering on.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, app, call, get, login};
use encoding_rs::GB18030;
use serde_json::Value;

fn upload(cookie: &str, csrf: &str, files: &[(&str, Vec<u8>)]) -> Request<Body> {
    let boundary = "jzboundaryOffice42";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ).into_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    Request::post("/api/v1/imports")
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn job(app: &App, cookie: &str, id: &str) -> Value {
    for _ in 0..300 {
        let v = call(app, get(&format!("/api/v1/imports/{id}"), cookie))
            .await
            .json();
        if v["state"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not end");
}

fn gbk_crlf(lines: &[String]) -> Vec<u8> {
    let text: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
    GB18030.encode(&text).0.into_owned()
}

#[tokio::test]
async fn a_gbk_crlf_upload_imports_and_its_error_report_opens_in_excel() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "li.clerk").await;
    let village = app.other_village;
    let files = |safe: &str| {
        vec![
            (
                "households.csv",
                gbk_crlf(&[
                    "户编号,村代码,村民小组,状态,贫困户属性,识别年度,脱贫年度,主要致贫原因,住房安全,饮水安全,家庭年纯收入,收入年度,联系电话".into(),
                    format!("GBK-1,{village},一组,在册,一般贫困户,2016,,因病,{safe},是,3200,2020,"),
                ]),
            ),
            (
                "persons.csv",
                gbk_crlf(&[
                    "身份证号,姓名,户编号,与户主关系,性别,出生日期".into(),
                    "510304198001010031,王新,GBK-1,户主,男,1980年1月1日".into(),
                ]),
            ),
        ]
    };
    let r = call(&app, upload(&cookie, &csrf, &files("也许"))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = job(&app, &cookie, &id).await;
    assert_eq!(done["state"], "rejected", "{done}");
    assert_eq!(done["error_count"], 1, "{done}");
    assert_eq!(done["errors"][0]["line"], 2, "{done}");
    assert_eq!(done["errors"][0]["column"], "住房安全", "{done}");
    let report = call(
        &app,
        get(&format!("/api/v1/imports/{id}/report.csv"), &cookie),
    )
    .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(
        report.bytes.starts_with("\u{feff}文件,行号".as_bytes()),
        "{}",
        report.text()
    );

    let r = call(&app, upload(&cookie, &csrf, &files("是"))).await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = job(&app, &cookie, &id).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["households"], 1, "{done}");
    app.finish().await;
}

#[tokio::test]
async fn a_workbook_declaring_xfd1048576_is_refused_and_the_server_answers_on() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "li.clerk").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "household_id").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.add_worksheet().write_string(0, 0, "id_number").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = call(&app, upload(&cookie, &csrf, &[("registry.xlsx", bytes)])).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let done = job(&app, &cookie, &id).await;
    assert_eq!(done["state"], "rejected", "{done}");
    assert_eq!(done["error_count"], 1, "{done}");
    assert!(
        done["errors"][0]["reason_en"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{done}"
    );
    // The server is still there.
    let again = call(&app, get(&format!("/api/v1/imports/{id}"), &cookie)).await;
    assert_eq!(again.status, StatusCode::OK);
    app.finish().await;
}
