//! Inspections over the API, the pages and the public site: a drawn sample hidden from anyone
//! off the team before the visit (API and page), a reveal refused before the visit or by a
//! non-member, the public re-run check, a record altered behind the platform's back reported,
//! stale versions and missing CSRF tokens refused, the inspected not seeing the visit.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{PASSWORD, app, call, code, enc, get, login, post_form, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_service::{today_in_china, users};
use serde_json::{Value, json};

async fn add(app: &common::App, login: &str, role: Role, area: &str) {
    let a = Assignment::new(role, code(area), None, None, false).unwrap();
    users::add_user(app.state.store.as_ref(), login, login, PASSWORD, a, "test")
        .await
        .unwrap();
}

fn public(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn drawn_ids(v: &Value, n: &str) -> Vec<String> {
    v["samples"][n]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            g["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn a_draws_sample_is_the_teams_until_the_seed_is_revealed_then_anyones_to_check() {
    let app = app().await;
    add(&app, "zhao.gang", Role::Inspector, "510304").await;
    add(&app, "qian.li", Role::Inspector, "510304").await;
    add(&app, "sun.wei", Role::Inspector, "510304").await;
    add(&app, "wang.min", Role::CountyOfficer, "510304").await;
    let (lead, lcsrf) = login(&app, "zhao.gang").await;
    let (member, mcsrf) = login(&app, "qian.li").await;
    let (outsider, ocsrf) = login(&app, "sun.wei").await;
    let (officer, _) = login(&app, "wang.min").await;
    let today = today_in_china();
    let plan = json!({"kind": "anfang", "title": "暗访", "areas": ["510304107", "510304100"],
        "team": ["qian.li"], "starts_on": today, "ends_on": today + chrono::Duration::days(30)});
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/inspections", &lead, None, plan.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    let (status, body, _) = send(
        &app,
        post_json("/api/v1/inspections", &officer, Some("x"), plan.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, v, _) = send(
        &app,
        post_json("/api/v1/inspections", &lead, Some(&lcsrf), plan),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let id = v["id"].as_i64().unwrap();
    let acts = format!("/api/v1/inspections/{id}/acts");

    // Two draws: one for a visit in five days, one for today.
    let draw = |visit: chrono::NaiveDate, version: i64| {
        json!({"version": version, "act": "draw", "purpose": "暗访 抽取村", "visit_on": visit,
            "sizes": {"510304107": 1, "510304100": 2}})
    };
    let (status, v, _) = send(
        &app,
        post_json(
            &acts,
            &outsider,
            Some(&ocsrf),
            draw(today, v["version"].as_i64().unwrap()),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the team: {v}");
    let version = send(&app, get(&format!("/api/v1/inspections/{id}"), &member))
        .await
        .1["version"]
        .as_i64()
        .unwrap();
    let (status, v, _) = send(
        &app,
        post_json(
            &acts,
            &member,
            Some(&mcsrf),
            draw(today + chrono::Duration::days(5), version),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v, _) = send(
        &app,
        post_json(
            &acts,
            &member,
            Some(&mcsrf),
            draw(today, v["version"].as_i64().unwrap()),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let sample1 = drawn_ids(&v, "1");
    let sample2 = drawn_ids(&v, "2");
    assert_eq!((sample1.len(), sample2.len()), (3, 3));
    let mut version = v["version"].as_i64().unwrap();

    // Off the team: the inspection, but no sample (API and page); the inspected: nothing.
    let (status, seen, _) = send(&app, get(&format!("/api/v1/inspections/{id}"), &outsider)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["samples"], json!({}));
    let page = call(&app, get(&format!("/inspections/{id}"), &outsider)).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains(
            seen["inspection"]["draws"][0]["commitment"]
                .as_str()
                .unwrap()
        )
    );
    for v in sample1.iter().chain(&sample2) {
        assert!(!text.contains(v.as_str()), "{v} shown off the team");
    }
    let mine = call(&app, get(&format!("/inspections/{id}"), &member))
        .await
        .text();
    assert!(sample1.iter().all(|v| mine.contains(v.as_str())));
    for path in [
        format!("/api/v1/inspections/{id}"),
        format!("/inspections/{id}"),
    ] {
        assert_eq!(
            call(&app, get(&path, &officer)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (_, list, _) = send(&app, get("/api/v1/inspections", &officer)).await;
    assert_eq!(list, json!([]));
    // The public page before the reveal: the commitment, no sample.
    let p = call(&app, public(&format!("/public/draws/{id}-1"))).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.text().contains("draw-pending"));
    assert!(sample1.iter().all(|v| !p.text().contains(v.as_str())));
    assert_eq!(
        call(
            &app,
            public(&format!("/public/draws/{id}-1/verification.json"))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, public(&format!("/public/draws/{id}-7")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Reveal: before the visit 409, by an outsider 403, stale 409, without CSRF 403.
    let reveal = |n: u32, version: i64| json!({"version": version, "act": "reveal", "number": n});
    let (status, body, _) = send(
        &app,
        post_json(&acts, &member, Some(&mcsrf), reveal(1, version)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _, _) = send(
        &app,
        post_json(&acts, &outsider, Some(&ocsrf), reveal(2, version)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &app,
        post_json(&acts, &member, Some(&mcsrf), reveal(2, version - 1)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let form = format!("csrf=wrong&version={version}&act=reveal&number=2");
    assert_eq!(
        call(
            &app,
            post_form(&format!("/inspections/{id}"), &member, &form)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let form = format!("csrf={}&version={version}&act=reveal&number=2", enc(&mcsrf));
    let r = call(
        &app,
        post_form(&format!("/inspections/{id}"), &member, &form),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, v, _) = send(&app, get(&format!("/api/v1/inspections/{id}"), &outsider)).await;
    assert_eq!(drawn_ids(&v, "2"), sample2, "public once revealed");
    assert!(
        v["samples"].get("1").is_none(),
        "the other draw stays hidden"
    );
    version = v["version"].as_i64().unwrap();

    // Anyone re-runs it: the page says so, the file verifies.
    let p = call(&app, public(&format!("/public/draws/{id}-2")))
        .await
        .text();
    assert!(p.contains("id=\"draw-check\" class=\"ok\""), "{p}");
    assert!(sample2.iter().all(|v| p.contains(v.as_str())));
    let (status, d, _) = send(&app, public(&format!("/api/v1/public/draws/{id}-2"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["revealed"]["verification"]["sample_matches"], json!(true));
    let f = call(
        &app,
        public(&format!("/public/draws/{id}-2/verification.json")),
    )
    .await;
    assert_eq!(f.status, StatusCode::OK);
    let file: jingzhun_service::inspections::VerificationFile =
        serde_json::from_slice(&f.bytes).unwrap();
    assert!(
        jingzhun_service::inspections::verify_file(&file, Some(d["commitment"].as_str().unwrap()))
            .unwrap()
            .is_valid()
    );

    // Someone swaps a drawn village in the stored record: the public check reports it.
    let store = app.state.store.as_ref();
    let rec = store
        .record(jingzhun_store::supervision::RecordKind::Inspection, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.version, version);
    let stolen = &sample2[0];
    let mut body: Value = serde_json::from_str(&rec.body).unwrap();
    for g in body["inspection"]["draws"][1]["revealed"]["sample"]["groups"]
        .as_array_mut()
        .unwrap()
    {
        for i in g["ids"].as_array_mut().unwrap() {
            if i.as_str() == Some(stolen.as_str()) {
                *i = json!("510304107999");
            }
        }
    }
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.update_record(
            id,
            version,
            &jingzhun_store::supervision::RecordChange {
                area: rec.area,
                state: rec.state.clone(),
                category: None,
                due_on: rec.due_on.clone(),
                body: body.to_string(),
            }
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();
    let p = call(&app, public(&format!("/public/draws/{id}-2")))
        .await
        .text();
    assert!(p.contains("id=\"draw-check\" class=\"error\""), "{p}");
    let list = call(&app, public("/public/draws")).await;
    assert_eq!(list.status, StatusCode::OK);
    app.finish().await;
}

#[tokio::test]
async fn findings_are_recorded_by_the_team_on_the_page_and_every_route_is_documented() {
    let app = app().await;
    add(&app, "zhao.gang", Role::Inspector, "510304107").await;
    let (lead, csrf) = login(&app, "zhao.gang").await;
    let today = today_in_china();
    let form = format!(
        "csrf={}&kind=xuncha&title={}&areas=510304107&units=&team=&starts_on={today}&ends_on={}",
        enc(&csrf),
        enc("专项巡察"),
        today + chrono::Duration::days(10)
    );
    let r = call(&app, post_form("/inspections", &lead, &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let at = r.header(axum::http::header::LOCATION).unwrap();
    // A scope beyond the inspector's area: refused on the page with the reason.
    let wide = form.replace("areas=510304107", "areas=510304");
    let r = call(&app, post_form("/inspections", &lead, &wide)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let (_, v, _) = send(&app, get(&format!("/api/v1{at}"), &lead)).await;
    let version = v["version"].as_i64().unwrap();
    let r = call(
        &app,
        post_form(
            &at,
            &lead,
            &format!("csrf={}&version={version}&act=start", enc(&csrf)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let village = app
        .state
        .store
        .village_names(Some(&code("510304107")))
        .await
        .unwrap()[0]
        .0;
    let finding = |version: i64, category: &str| {
        format!(
            "csrf={}&version={version}&act=finding&area={}&category={category}&text={}",
            enc(&csrf),
            village,
            enc("<b>帮扶措施雷同</b>")
        )
    };
    let r = call(
        &app,
        post_form(&at, &lead, &finding(version + 1, "S999-01")),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("S999-01"), "the refusal is shown");
    let r = call(
        &app,
        post_form(&at, &lead, &finding(version + 1, "S000-07")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = call(&app, get(&at, &lead)).await.text();
    assert!(page.contains("&lt;b&gt;帮扶措施雷同"), "escaped");
    assert!(page.contains("S000-07"));

    let (_, doc, _) = send(&app, public("/api/v1/openapi.json")).await;
    for (path, method) in [
        ("/api/v1/inspections", "get"),
        ("/api/v1/inspections", "post"),
        ("/api/v1/inspections/{id}", "get"),
        ("/api/v1/inspections/{id}/acts", "post"),
        ("/api/v1/public/draws/{id}", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    app.finish().await;
}
