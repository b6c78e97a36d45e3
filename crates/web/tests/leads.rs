//! Cross-check leads over HTTP, with the attempts that must fail: another township's lead,
//! masking for a leader, verification by the wrong role, without the CSRF token, with a stale
//! version, or without an explanation; runs and source uploads by roles that may not.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, app, call, code, get, login, post_json, send};
use jingzhun_domain::checks::LeadState;
use jingzhun_domain::sources::SourceKind;
use jingzhun_store::checks::{LeadQuery, LeadRecord};
use serde_json::json;

/// An open lead about a person routed within `area`.
async fn open_person_lead(app: &App, area: &str) -> LeadRecord {
    let q = LeadQuery {
        within: Some(vec![code(area)]),
        state: Some(LeadState::Open),
        limit: 500,
        ..LeadQuery::default()
    };
    app.state
        .store
        .leads(&q)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.subject_kind == jingzhun_domain::checks::SubjectKind::Person)
        .expect("the demo's check run leaves open person leads in every township")
}

#[tokio::test]
async fn a_reviewer_lists_and_reads_leads_of_its_township_only() {
    let app = app().await;
    let (cookie, _) = login(&app, "wang.li").await;
    let (status, body, _) = send(&app, get("/api/v1/leads?limit=200", &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let leads = body["leads"].as_array().unwrap();
    assert!(!leads.is_empty());
    assert!(body["total"].as_i64().unwrap() >= leads.len() as i64);
    for l in leads {
        assert!(
            l["village_code"].as_str().unwrap().starts_with("510304107"),
            "{l}"
        );
    }
    let own = open_person_lead(&app, "510304107").await;
    let (status, body, _) = send(&app, get(&format!("/api/v1/leads/{}", own.id), &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["subject_id"],
        own.subject_id.as_str(),
        "a reviewer sees ID numbers"
    );
    assert!(body["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    // Another township's lead does not exist for this account, by API or page.
    let other = open_person_lead(&app, "510304100").await;
    let (status, _, _) = send(&app, get(&format!("/api/v1/leads/{}", other.id), &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let page = call(&app, get(&format!("/leads/{}", other.id), &cookie)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // Filters are checked.
    let (status, body, _) = send(&app, get("/api/v1/leads?rule=R99", &cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("rule"));
    app.finish().await;
}

#[tokio::test]
async fn a_leader_sees_leads_masked_and_cannot_verify_them() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "zhou.leader").await;
    let lead = open_person_lead(&app, "510304100").await;
    let (status, body, _) = send(&app, get(&format!("/api/v1/leads/{}", lead.id), &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let shown = body["subject_id"].as_str().unwrap();
    assert!(shown.contains('*') && shown != lead.subject_id, "{shown}");
    assert!(
        !body.to_string().contains(&lead.subject_id),
        "no unmasked ID anywhere"
    );
    let (status, _, _) = send(
        &app,
        post_json(
            &format!("/api/v1/leads/{}/verification", lead.id),
            &cookie,
            Some(&csrf),
            json!({"outcome": "explained", "note": "x", "version": lead.version}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn a_clerk_verifies_a_lead_once_with_its_version_and_the_csrf_token() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "li.clerk").await;
    let village = app.other_village;
    let lead = open_person_lead(&app, village.as_str()).await;
    let path = format!("/api/v1/leads/{}/verification", lead.id);
    let body = json!({"outcome": "confirmed", "action": "removal", "note": "入户核实", "version": lead.version});
    // Without the CSRF token: refused, nothing changes.
    let (status, _, _) = send(&app, post_json(&path, &cookie, None, body.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Explained without an explanation; confirmed without an action.
    for bad in [
        json!({"outcome": "explained", "note": " ", "version": lead.version}),
        json!({"outcome": "confirmed", "version": lead.version}),
        json!({"outcome": "gone", "note": "x", "version": lead.version}),
    ] {
        let (status, b, _) = send(&app, post_json(&path, &cookie, Some(&csrf), bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    }
    // A stale version: the lead changed since it was read.
    let stale = json!({"outcome": "explained", "note": "同名", "version": lead.version - 1});
    let (status, b, _) = send(&app, post_json(&path, &cookie, Some(&csrf), stale)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{b}");
    assert_eq!(
        app.state.store.lead(lead.id).await.unwrap().unwrap().state,
        LeadState::Open
    );
    let (status, b, _) = send(&app, post_json(&path, &cookie, Some(&csrf), body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "confirmed");
    assert_eq!(b["action"], "removal");
    assert_eq!(b["verified_by"], "user:li.clerk");
    // Once verified, a lead is final.
    let again = json!({"outcome": "explained", "note": "x", "version": b["version"]});
    let (status, _, _) = send(&app, post_json(&path, &cookie, Some(&csrf), again)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The verification is in the audit log.
    let events = app
        .state
        .store
        .audit_of("lead", &lead.id.to_string())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "leads.verify");
    app.finish().await;
}

#[tokio::test]
async fn the_lead_page_records_a_verification_through_its_form() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "wang.li").await;
    let lead = open_person_lead(&app, "510304107").await;
    let page = call(&app, get(&format!("/leads/{}", lead.id), &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("记录核实结果"));
    let form = |csrf: &str, note: &str| {
        Request::post(format!("/leads/{}", lead.id))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf={csrf}&version={}&outcome=explained&action=&note={note}",
                lead.version
            )))
            .unwrap()
    };
    let r = call(&app, form("forged", "x")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&app, form(&csrf, "")).await;
    assert_eq!(r.status, StatusCode::OK, "the form again, with the reason");
    assert!(r.text().contains("note"), "{}", r.text());
    let r = call(
        &app,
        form(&csrf, "%E5%90%8C%E5%90%8D%E4%B8%8D%E5%90%8C%E4%BA%BA"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let done = app.state.store.lead(lead.id).await.unwrap().unwrap();
    assert_eq!(
        (done.state, done.note.as_deref()),
        (LeadState::Explained, Some("同名不同人"))
    );
    let list = call(&app, get("/leads?state=explained", &cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains(&format!("/leads/{}", lead.id)));
    app.finish().await;
}

#[tokio::test]
async fn checks_run_for_county_officers_and_sources_are_imported_by_administrators_only() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "wang.li").await;
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/checks", &cookie, Some(&csrf), json!({})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a township reviewer does not run checks"
    );
    let upload = |cookie: &str, csrf: &str, kind: &str, body: &str| {
        let boundary = "XyZ";
        let data = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.csv\"\r\nContent-Type: text/csv\r\n\r\n{body}\r\n--{boundary}--\r\n"
        );
        Request::post(format!("/api/v1/sources/{kind}"))
            .header(header::COOKIE, cookie)
            .header("x-csrf-token", csrf)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(data))
            .unwrap()
    };
    let (status, _, _) = send(
        &app,
        upload(&cookie, &csrf, "deaths", "id_number,death_date\n"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (cookie, csrf) = login(&app, "an.admin").await;
    let before = app.state.store.source_imports().await.unwrap();
    let deaths_before = before
        .iter()
        .find(|s| s.kind == SourceKind::Deaths)
        .unwrap()
        .rows;
    let (status, body, _) = send(
        &app,
        upload(
            &cookie,
            &csrf,
            "deaths",
            "id_number,death_date\n51030419880128039X,2020-01-01\n",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["detail"].as_str().unwrap().contains("deaths.csv:2"),
        "{body}"
    );
    let after = app.state.store.source_imports().await.unwrap();
    assert_eq!(
        after
            .iter()
            .find(|s| s.kind == SourceKind::Deaths)
            .unwrap()
            .rows,
        deaths_before
    );
    let (status, _, _) = send(&app, upload(&cookie, &csrf, "weather", "a\n")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body, _) = send(
        &app,
        upload(
            &cookie,
            &csrf,
            "deaths",
            "id_number,death_date\n510304198801280398,2020-01-01\n",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rows"], 1);

    // The administrator runs the checks and follows the job to its end.
    let (status, job, _) = send(
        &app,
        post_json(
            "/api/v1/checks",
            &cookie,
            Some(&csrf),
            json!({"rules": "R07,R12"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    let mut view = job;
    for _ in 0..200 {
        let (_, v, _) = send(&app, get(&format!("/api/v1/checks/jobs/{id}"), &cookie)).await;
        view = v;
        if view["state"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(view["state"], "done", "{view}");
    // Deaths were replaced by one unknown person: the earlier R07 leads are gone now.
    assert!(view["gone"].as_i64().unwrap() > 0, "{view}");
    // Another account cannot follow this job.
    let (cookie2, _) = login(&app, "wang.li").await;
    let (status, _, _) = send(&app, get(&format!("/api/v1/checks/jobs/{id}"), &cookie2)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, runs, _) = send(&app, get("/api/v1/checks", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs[0]["rules"], json!(["R07", "R12"]));
    for page in ["/checks", "/sources", "/leads"] {
        let r = call(&app, get(page, &cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
    }
    app.finish().await;
}

#[tokio::test]
async fn the_dashboard_warns_of_villages_whose_figures_call_for_it() {
    let app = app().await;
    let (cookie, _) = login(&app, "zhou.leader").await;
    let page = call(&app, get("/areas/510304", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("id=\"warnings\""), "the warnings panel");
    // The demo's incomes put some exited households below the monitoring line.
    let warnings =
        jingzhun_service::dashboard::warnings(app.state.store.as_ref(), &code("510304"), 2020)
            .await
            .unwrap();
    assert!(
        warnings
            .iter()
            .any(|(w, _)| w.kind == jingzhun_domain::warnings::WarningKind::UnmonitoredRisk),
        "{warnings:?}"
    );
    let (first, name) = &warnings[0];
    assert!(first.village.as_str().starts_with("510304"));
    assert!(html.contains("id=\"warnings-table\"") && html.contains(name.as_str()));
    app.finish().await;
}

#[tokio::test]
async fn a_death_match_marks_the_member_pending_on_the_household_page_without_changing_it() {
    let app = app().await;
    let (cookie, _) = login(&app, "an.admin").await;
    let q = LeadQuery {
        rule: Some(jingzhun_domain::checks::Rule::R07),
        state: Some(LeadState::Open),
        limit: 1,
        ..LeadQuery::default()
    };
    let lead = app.state.store.leads(&q).await.unwrap().remove(0);
    let found = app
        .state
        .store
        .search_households(&jingzhun_store::HouseholdQuery {
            text: Some(lead.subject_id.clone()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    let household = found[0].household_id.to_string();
    let page = call(&app, get(&format!("/households/{household}"), &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("死亡待核实"),
        "the member is marked pending"
    );
    assert!(page.text().contains(&format!("/leads/{}", lead.id)));
    let (status, body, _) = send(
        &app,
        get(&format!("/api/v1/households/{household}"), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["leads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rule"] == "R07"),
        "{body}"
    );
    // Marked, not changed: the household keeps its status and the member stays.
    let members = app
        .state
        .store
        .persons_of(&[found[0].household_id.clone()])
        .await
        .unwrap();
    assert!(
        members
            .iter()
            .any(|m| m.id_number.as_str() == lead.subject_id)
    );
    app.finish().await;
}
