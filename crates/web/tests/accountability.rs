//! Accountability over the API, the pages and the public site: finalising without the
//! escalated review refused, a review by the wrong level refused, publication before
//! finalisation refused, names hidden by policy on the public page, another township's case
//! 404, stale versions 409, no CSRF token 403.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{PASSWORD, app, call, code, enc, get, login, post_form, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_domain::accountability::PublicationPolicy;
use jingzhun_service::users;
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

fn with_version(mut v: Value, version: &Value) -> Value {
    v["version"] = version.clone();
    v
}

#[tokio::test]
async fn escalated_review_gates_finalisation_and_publication_follows_the_policy() {
    let mut app = app().await;
    add(&app, "xiang.jiwei", Role::DisciplineOfficer, "510304107").await;
    add(&app, "other.jiwei", Role::DisciplineOfficer, "510304100").await;
    add(&app, "qu.jiwei", Role::DisciplineOfficer, "510304").await;
    add(&app, "shi.jiwei", Role::DisciplineOfficer, "5103").await;
    let (town, tcsrf) = login(&app, "xiang.jiwei").await;
    let (other, ocsrf) = login(&app, "other.jiwei").await;
    let (county, ccsrf) = login(&app, "qu.jiwei").await;
    let (reviewer, _) = login(&app, "wang.li").await;
    let village = app
        .state
        .store
        .village_names(Some(&code("510304107")))
        .await
        .unwrap()[0]
        .0;
    let open = json!({"name": "王小明", "post": "村委会主任", "level": "village", "area": village,
        "source": "audit", "origin": "审计报告〔2026〕5号", "category": "false_claims"});
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/accountability", &town, None, open.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/accountability", &other, Some(&ocsrf), open.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another township's officer");
    let (status, c, _) = send(
        &app,
        post_json("/api/v1/accountability", &town, Some(&tcsrf), open),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let id = c["id"].as_i64().unwrap();
    let one = format!("/api/v1/accountability/{id}");
    let acts = format!("{one}/acts");

    // Another township's officer and a township reviewer: the case does not exist.
    for who in [&other, &reviewer] {
        assert_eq!(
            call(&app, get(&one, who)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            call(&app, get(&format!("/accountability/{id}"), who))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        call(&app, get("/api/v1/accountability", &reviewer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = send(
        &app,
        post_json(
            &acts,
            &other,
            Some(&ocsrf),
            json!({"version": c["version"], "act": "finalise"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, c, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(
                json!({"act": "investigate",
        "substantiation": "substantiated", "findings": "属实"}),
                &c["version"],
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let decide = json!({"act": "decide", "form": "2", "outcomes": ["party_discipline"], "summary": "虚报冒领光伏收益"});
    let (status, _, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            json!({"version": 0, "act": "decide",
        "form": "2", "outcomes": ["party_discipline"], "summary": "x"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "stale");
    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(
                json!({"act": "decide",
        "form": "1", "outcomes": ["party_discipline"], "summary": "x"}),
                &c["version"],
            ),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a sanction is not the first form: {body}"
    );
    let (status, c, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(decide, &c["version"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["required_review"], json!("county"));

    // Finalise without the county's review: refused, on the page too.
    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(json!({"act": "finalise"}), &c["version"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("审核"), "{body}");
    let form = format!("csrf={}&version={}&act=finalise", enc(&tcsrf), c["version"]);
    let page = call(
        &app,
        post_form(&format!("/accountability/{id}"), &town, &form),
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text().contains("role=\"alert\""));
    let (status, _, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(json!({"act": "publish"}), &c["version"]),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no publication before finalisation"
    );
    // The township body reviewing its own level: 403.
    let review = json!({"act": "review", "approved": true, "note": "同意"});
    let (status, _, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(review.clone(), &c["version"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The county reviews on its page form.
    let form = format!(
        "csrf={}&version={}&act=review&approved=true&note={}",
        enc(&ccsrf),
        c["version"],
        enc("经区纪委监委审核，同意")
    );
    let page = call(
        &app,
        post_form(&format!("/accountability/{id}"), &county, &form),
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let (_, c, _) = send(&app, get(&one, &town)).await;
    assert_eq!(c["case"]["state"], json!("reviewed"));
    let (status, c, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(json!({"act": "finalise"}), &c["version"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let (status, c, _) = send(
        &app,
        post_json(
            &acts,
            &town,
            Some(&tcsrf),
            with_version(json!({"act": "publish"}), &c["version"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{c}");

    // A county cadre's case, named under the default policy (county and above).
    let open = json!({"name": "李建国", "post": "区农业农村局局长", "level": "county", "area": "510304",
        "source": "audit", "category": "S000-04"});
    let (_, k, _) = send(
        &app,
        post_json("/api/v1/accountability", &county, Some(&ccsrf), open),
    )
    .await;
    let kacts = format!("/api/v1/accountability/{}/acts", k["id"]);
    let mut k = k;
    for step in [
        json!({"act": "investigate", "substantiation": "partly", "findings": "部分属实"}),
        json!({"act": "decide", "form": "1", "outcomes": ["talk"], "summary": "脱贫退出把关不严"}),
        json!({"act": "finalise"}),
        json!({"act": "publish"}),
    ] {
        let (status, next, _) = send(
            &app,
            post_json(
                &kacts,
                &county,
                Some(&ccsrf),
                with_version(step, &k["version"]),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{next}");
        k = next;
    }
    let page = call(&app, public("/public/cases")).await.text();
    assert!(
        page.contains("王某") && !page.contains("王小明"),
        "a village cadre's name hidden: {page}"
    );
    assert!(page.contains("李建国"), "a county cadre named: {page}");
    let (_, cases, _) = send(&app, public("/api/v1/public/cases")).await;
    assert_eq!(cases.as_array().unwrap().len(), 2);
    // The policy changed to never: no name any more.
    app.state.publication = PublicationPolicy::Never;
    let page = call(&app, public("/public/cases")).await.text();
    assert!(page.contains("李某") && !page.contains("李建国"), "{page}");

    // Statistics by level and form.
    let (status, s, _) = send(&app, get("/api/v1/accountability/statistics", &county)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["statistics"]["counted"], json!(2));
    assert_eq!(s["statistics"]["by_level"]["village"], json!(1));
    assert_eq!(s["statistics"]["front_line_share"], json!(0.5));
    let (status, _, _) = send(
        &app,
        get("/api/v1/accountability/statistics?area=510304100", &town),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list = call(&app, get("/accountability", &county)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("front-line"));
    let (_, doc, _) = send(&app, public("/api/v1/openapi.json")).await;
    for (path, method) in [
        ("/api/v1/accountability", "get"),
        ("/api/v1/accountability", "post"),
        ("/api/v1/accountability/statistics", "get"),
        ("/api/v1/accountability/{id}", "get"),
        ("/api/v1/accountability/{id}/acts", "post"),
        ("/api/v1/public/cases", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    app.finish().await;
}

#[tokio::test]
async fn a_case_opened_from_a_finding_shows_its_origin_and_the_finding_what_came_of_it() {
    let app = app().await;
    add(&app, "zhao.gang", Role::Inspector, "510304107").await;
    add(&app, "xiang.jiwei", Role::DisciplineOfficer, "510304107").await;
    let (lead, lcsrf) = login(&app, "zhao.gang").await;
    let (town, tcsrf) = login(&app, "xiang.jiwei").await;
    let today = jingzhun_service::today_in_china();
    let (_, v, _) = send(
        &app,
        post_json(
            "/api/v1/inspections",
            &lead,
            Some(&lcsrf),
            json!({"kind": "xuncha",
        "title": "巡察", "areas": ["510304107"], "starts_on": today, "ends_on": today}),
        ),
    )
    .await;
    let iid = v["id"].as_i64().unwrap();
    let acts = format!("/api/v1/inspections/{iid}/acts");
    let (_, v, _) = send(
        &app,
        post_json(
            &acts,
            &lead,
            Some(&lcsrf),
            json!({"version": v["version"], "act": "start"}),
        ),
    )
    .await;
    let village = app
        .state
        .store
        .village_names(Some(&code("510304107")))
        .await
        .unwrap()[0]
        .0;
    let (status, v, _) = send(
        &app,
        post_json(
            &acts,
            &lead,
            Some(&lcsrf),
            json!({"version": v["version"], "act": "finding",
        "area": village, "category": "embezzlement", "text": "截留资金"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let form = format!(
        "csrf={}&name={}&post={}&level=village&area={village}&source=finding&origin={iid}%3A1&category=embezzlement",
        enc(&tcsrf),
        enc("张某某"),
        enc("村会计")
    );
    let r = call(&app, post_form("/accountability", &town, &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let at = r.header(axum::http::header::LOCATION).unwrap();
    let page = call(&app, get(&at, &town)).await.text();
    assert!(
        page.contains(&format!("href=\"/inspections/{iid}\"")),
        "the origin is shown"
    );
    let ipage = call(&app, get(&format!("/inspections/{iid}"), &lead))
        .await
        .text();
    assert!(
        ipage.contains(&format!("href=\"{at}\"")),
        "the finding shows its case: {ipage}"
    );
    // A finding that does not exist: the page says so, nothing opened.
    let r = call(
        &app,
        post_form("/accountability", &town, &form.replace("%3A1", "%3A9")),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
