//! A household's application over the API and the page: registered by the village's clerk
//! with its members and its identification opened; a bad form answers 422 with every problem
//! and writes nothing; another village, another role, and a form without CSRF are refused.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, app, call, enc, get, login, post_form, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_service::users;
use serde_json::json;

fn application(village: &str, id: &str) -> serde_json::Value {
    json!({
        "kind": "identification",
        "household": {"village_code": village, "住房安全": "否", "water_safe": "是",
            "annual_net_income": "5200", "income_year": "2025", "primary_cause": "因病"},
        "members": [
            {"id_number": id, "name": "申请人", "relation": "户主", "gender": "男", "birth_date": "1988-01-28"},
            {"id_number": "11010120150101002X", "name": "申小妹", "relation": "子女", "gender": "女",
             "birth_date": "2015-01-01", "school_status": "小学"}
        ],
        "evidence": {"kind": "application", "by_household": true, "reason": "因病致贫，本户申请"}
    })
}

#[tokio::test]
async fn a_clerk_registers_an_application_and_its_identification_starts() {
    let app = app().await;
    let village = app.other_village.as_str().to_string();
    let (cookie, csrf) = login(&app, "li.clerk").await;

    // Every problem at once, nothing written.
    let mut bad = application(&village, "110101198801280391");
    bad["household"]["colour"] = json!("red");
    let (status, body, _) = send(
        &app,
        post_json("/api/v1/procedures/applications", &cookie, Some(&csrf), bad),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = body.to_string();
    assert!(
        detail.contains("colour") && detail.contains("member:1 id_number"),
        "{detail}"
    );

    // Without the CSRF header.
    let (status, _, _) = send(
        &app,
        post_json(
            "/api/v1/procedures/applications",
            &cookie,
            None,
            application(&village, "110101198801280393"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, case, _) = send(
        &app,
        post_json(
            "/api/v1/procedures/applications",
            &cookie,
            Some(&csrf),
            application(&village, "110101198801280393"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["case"]["kind"], "identification");
    assert_eq!(case["case"]["state"], "open");
    let hid = case["household_id"].as_str().unwrap().to_string();
    assert!(hid.starts_with(&village), "{hid}");
    let (status, household, _) =
        send(&app, get(&format!("/api/v1/households/{hid}"), &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(household["status"], "applicant", "{household}");

    // A clerk of another village and a township reviewer cannot register one here.
    let store = app.state.store.as_ref();
    let own = store
        .household(&jingzhun_domain::registry::HouseholdId::parse(&app.own).unwrap())
        .await
        .unwrap()
        .unwrap();
    let elsewhere =
        Assignment::new(Role::VillageClerk, own.village_code, None, None, false).unwrap();
    users::add_user(store, "zhao.clerk", "赵文书", PASSWORD, elsewhere, "test")
        .await
        .unwrap();
    let (ocookie, ocsrf) = login(&app, "zhao.clerk").await;
    let (status, body, _) = send(
        &app,
        post_json(
            "/api/v1/procedures/applications",
            &ocookie,
            Some(&ocsrf),
            application(&village, "110101199001010015"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("不在本账户负责的地区内"),
        "{body}"
    );
    let (rcookie, rcsrf) = login(&app, "wang.li").await;
    let (status, _, _) = send(
        &app,
        post_json(
            "/api/v1/procedures/applications",
            &rcookie,
            Some(&rcsrf),
            application(&village, "110101199001010015"),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not the reviewer's township"
    );
}

#[tokio::test]
async fn the_application_page_keeps_what_was_typed_and_shows_the_problems() {
    let app = app().await;
    let village = app.other_village.as_str().to_string();
    let (cookie, csrf) = login(&app, "li.clerk").await;
    let page = call(&app, get("/procedures/apply", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("application-form") && page.text().contains(&village));

    let fields = |id: &str| {
        format!(
            "csrf={csrf}&kind=identification&h.village_code={village}&h.housing_safe={yes}&h.water_safe={yes}\
             &h.annual_net_income=4800&h.income_year=2025&m1.name={name}&m1.id_number={id}\
             &m1.relation=head&m1.gender=male&m1.birth_date=1990-01-01&m2.name=&reason={reason}",
            yes = enc("是"),
            name = enc("王申请"),
            reason = enc("本户申请"),
        )
    };
    // A wrong check character: the page says where, and keeps the name typed.
    let r = call(
        &app,
        post_form("/procedures/apply", &cookie, &fields("110101199001010011")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(
        text.contains("application-problems") && text.contains("member:1 id_number"),
        "{text}"
    );
    assert!(text.contains("王申请"));
    // Without the form's CSRF token nothing happens.
    let no_csrf = fields("110101199001010015").replacen(&format!("csrf={csrf}"), "csrf=x", 1);
    let r = call(&app, post_form("/procedures/apply", &cookie, &no_csrf)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        post_form("/procedures/apply", &cookie, &fields("110101199001010015")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.header(axum::http::header::LOCATION).unwrap();
    assert!(to.starts_with("/procedures/"), "{to}");
    let case = call(&app, get(&to, &cookie)).await;
    assert!(case.text().contains("精准识别"), "{}", case.text());
}
