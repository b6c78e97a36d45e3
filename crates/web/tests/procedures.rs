//! Procedures over the API, with the attempts that must fail: a second case, a step by the
//! wrong role, out of order or before the notice ends, evidence missing the household's
//! consent, a stale version, another township's case, no CSRF token.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{PASSWORD, app, code, enc, get, login, post_form, post_json, send};
use jingzhun_domain::access::{Assignment, Role};
use jingzhun_service::exit::{ListKind, list};
use jingzhun_service::users;
use serde_json::{Value, json};

#[tokio::test]
async fn an_exit_case_moves_only_by_the_right_hands_in_order() {
    let app = app().await;
    let store = app.state.store.as_ref();
    let candidate = list(store, &code("510304107"), None, ListKind::Candidates)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo has exit candidates in 牛佛镇");
    let clerk = Assignment::new(Role::VillageClerk, candidate.village, None, None, false).unwrap();
    users::add_user(store, "zhang.clerk", "张文书", PASSWORD, clerk, "test")
        .await
        .unwrap();
    let (cookie, csrf) = login(&app, "zhang.clerk").await;
    let start = json!({"household_id": candidate.household_id, "kind": "exit",
        "evidence": {"kind": "application", "by_household": false, "reason": "预退出名单"}});

    let (status, _, _) = send(
        &app,
        post_json("/api/v1/procedures", &cookie, None, start.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    let (status, case, _) = send(
        &app,
        post_json("/api/v1/procedures", &cookie, Some(&csrf), start.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    let id = case["id"].as_i64().unwrap();
    let mut version = case["version"].as_i64().unwrap();
    let (status, _, _) = send(
        &app,
        post_json("/api/v1/procedures", &cookie, Some(&csrf), start),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "one case at a time");
    let acts = format!("/api/v1/procedures/{id}/acts");

    // The township reviewer cannot deliberate for the village.
    let (rcookie, rcsrf) = login(&app, "wang.li").await;
    let deliberation = json!({"act": "step", "step": "deliberation", "evidence": {"kind": "meeting",
        "attendees": 30, "votes_for": 26, "votes_against": 4, "record": "村民代表会议记录"}});
    let with_version = |mut v: Value, version: i64| {
        v["version"] = json!(version);
        v
    };
    let (status, _, _) = send(
        &app,
        post_json(
            &acts,
            &rcookie,
            Some(&rcsrf),
            with_version(deliberation.clone(), version),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Out of order.
    let review = json!({"act": "step", "step": "township_review", "evidence": {"kind": "decision", "approved": true, "note": ""}});
    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &rcookie,
            Some(&rcsrf),
            with_version(review.clone(), version),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Another township's clerk: the case does not exist.
    let (ocookie, ocsrf) = login(&app, "li.clerk").await;
    let (status, _, _) = send(&app, get(&format!("/api/v1/procedures/{id}"), &ocookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &app,
        post_json(
            &acts,
            &ocookie,
            Some(&ocsrf),
            with_version(deliberation.clone(), version),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &cookie,
            Some(&csrf),
            with_version(deliberation, version),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    version = body["version"].as_i64().unwrap();
    // The visit needs the household's signed consent.
    let visit = |consent: Value| {
        json!({"act": "step", "step": "verification", "evidence": {"kind": "visit",
        "findings": "八看四查一研判", "household_consents": consent}})
    };
    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &cookie,
            Some(&csrf),
            with_version(visit(Value::Null), version),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("拟退出户认可"));
    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &cookie,
            Some(&csrf),
            with_version(visit(json!(true)), version - 1),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "stale version: {body}");
    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &cookie,
            Some(&csrf),
            with_version(visit(json!(true)), version),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    version = body["version"].as_i64().unwrap();
    let notice = json!({"act": "step", "step": "first_notice", "evidence": {"kind": "notice", "notice_ref": "村公示栏"}});
    let (status, body, _) = send(
        &app,
        post_json(&acts, &cookie, Some(&csrf), with_version(notice, version)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    version = body["version"].as_i64().unwrap();
    assert!(body["case"]["notice_until"].is_string());
    // The notice is public: no sign-in, no ID numbers, its digest checks.
    let notice_ref = body["case"]["steps"][3]["evidence"]["notice_ref"]
        .as_str()
        .unwrap()
        .to_string();
    let nid = notice_ref.trim_start_matches('N');
    let public = common::call(
        &app,
        Request::get("/public/notices").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text().contains(&format!("/public/notices/{nid}")));
    let page = common::call(
        &app,
        Request::get(format!("/public/notices/{nid}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("自发布以来未被修改"), "{text}");
    assert!(!text.contains(&candidate.household_id));
    let hid = jingzhun_domain::registry::HouseholdId::parse(&candidate.household_id).unwrap();
    for p in store.persons_of(&[hid]).await.unwrap() {
        assert!(
            !text.contains(p.id_number.as_str()),
            "no ID number on a notice"
        );
    }
    let missing = common::call(
        &app,
        Request::get("/public/notices/999999")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The review waits for the notice period; the case is not "waiting" for the reviewer yet.
    let (status, body, _) = send(
        &app,
        post_json(&acts, &rcookie, Some(&rcsrf), with_version(review, version)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["detail"].as_str().unwrap().contains("公示期"),
        "{body}"
    );
    let (_, waiting, _) = send(&app, get("/api/v1/procedures?waiting=true", &rcookie)).await;
    assert!(!waiting.as_array().unwrap().iter().any(|c| c["id"] == id));
    let (_, in_progress, _) = send(&app, get("/api/v1/procedures", &rcookie)).await;
    assert!(
        in_progress
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id),
        "the reviewer sees it in progress"
    );
    // An objection during the notice suspends it.
    let (status, body, _) = send(
        &app,
        post_json(
            &acts,
            &cookie,
            Some(&csrf),
            with_version(
                json!({"act": "object", "text": "群众反映有外出务工收入未计入"}),
                version,
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["case"]["state"], "suspended");
    // The household itself has not changed.
    let (_, h, _) = send(
        &app,
        get(
            &format!("/api/v1/households/{}", candidate.household_id),
            &cookie,
        ),
    )
    .await;
    assert_eq!(h["status"], "registered");
    // A kind that does not exist.
    let (status, _, _) = send(&app, post_json("/api/v1/procedures", &cookie, Some(&csrf), json!({"household_id": candidate.household_id,
        "kind": "promotion", "evidence": {"kind": "application", "by_household": true, "reason": "x"}}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.finish().await;
}

#[tokio::test]
async fn a_clerk_opens_and_moves_a_case_through_the_pages() {
    use common::call;
    let app = app().await;
    let store = app.state.store.as_ref();
    let candidate = list(store, &code("510304107"), None, ListKind::Candidates)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let clerk = Assignment::new(Role::VillageClerk, candidate.village, None, None, false).unwrap();
    users::add_user(store, "zhang.clerk", "张文书", PASSWORD, clerk, "test")
        .await
        .unwrap();
    let (cookie, csrf) = login(&app, "zhang.clerk").await;
    let page = call(
        &app,
        get(&format!("/households/{}", candidate.household_id), &cookie),
    )
    .await;
    assert!(page.text().contains("household-procedures"));
    let started = call(
        &app,
        post_form(
            "/procedures",
            &cookie,
            &format!(
                "csrf={csrf}&household_id={}&kind=exit&reason={}",
                candidate.household_id,
                enc("预退出名单")
            ),
        ),
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let location = started.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let page = call(&app, get(&location, &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("step-form") && page.text().contains("deliberation"));
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let version = store.case(id).await.unwrap().unwrap().version;
    // A count that is not a number is refused on the page, and nothing changes.
    let bad = call(&app, post_form(&location, &cookie, &format!(
        "csrf={csrf}&version={version}&act=step&step=deliberation&attendees=thirty&votes_for=20&votes_against=1&record=r"))).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text().contains("attendees"));
    assert_eq!(store.case(id).await.unwrap().unwrap().version, version);
    // The reviewer cannot take the village's step.
    let (rcookie, rcsrf) = login(&app, "wang.li").await;
    let wrong = call(&app, post_form(&location, &rcookie, &format!(
        "csrf={rcsrf}&version={version}&act=step&step=deliberation&attendees=30&votes_for=20&votes_against=1&record=r"))).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let done = call(&app, post_form(&location, &cookie, &format!(
        "csrf={csrf}&version={version}&act=step&step=deliberation&attendees=30&votes_for=20&votes_against=1&record={}", enc("会议记录")))).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let rec = store.case(id).await.unwrap().unwrap();
    assert_eq!(rec.case.steps.len(), 2);
    let lists = call(&app, get("/procedures?waiting=1", &cookie)).await;
    assert!(
        lists.text().contains(&format!("/procedures/{id}")),
        "waiting for the clerk's visit"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_village_list_is_opened_and_deliberated_in_one_batch() {
    let app = app().await;
    let store = app.state.store.as_ref();
    let township = code("510304107");
    let candidates = list(store, &township, None, ListKind::Candidates)
        .await
        .unwrap();
    let village = candidates[0].village;
    let ours: Vec<String> = candidates
        .iter()
        .filter(|c| c.village == village)
        .map(|c| c.household_id.clone())
        .collect();
    let blocked = list(store, &township, None, ListKind::Blocked)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.village == village)
        .expect("a registered household kept off the list in the same village");
    let clerk = Assignment::new(Role::VillageClerk, village, None, None, false).unwrap();
    users::add_user(store, "batch.clerk", "批量文书", PASSWORD, clerk, "test")
        .await
        .unwrap();
    let (cookie, csrf) = login(&app, "batch.clerk").await;

    // The pre-exit list offers the batch to the village's clerk.
    let page = common::call(
        &app,
        get(
            &format!("/exit/list?area={}&kind=candidates", village.as_str()),
            &cookie,
        ),
    )
    .await;
    assert!(
        page.text().contains("/procedures/batch-start"),
        "{}",
        page.text()
    );

    // A household off the list spoils the batch: nothing opens, and it is named.
    let mut with_blocked = ours.clone();
    with_blocked.push(blocked.household_id.clone());
    let evidence = json!({"kind": "application", "by_household": false, "reason": "预退出名单"});
    let (status, body, _) = send(
        &app,
        post_json(
            "/api/v1/procedures/batch",
            &cookie,
            Some(&csrf),
            json!({"household_ids": with_blocked, "kind": "exit", "evidence": evidence}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains(&blocked.household_id), "{body}");

    // From the list page's form: one case per ticked household.
    let form: String = ours
        .iter()
        .map(|h| format!("&h={}", enc(h)))
        .collect::<String>();
    let r = common::call(
        &app,
        post_form(
            "/procedures/batch-start",
            &cookie,
            &format!("csrf={csrf}&kind=exit&reason={}{form}", enc("预退出名单")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, cases, _) = send(&app, get("/api/v1/procedures", &cookie)).await;
    let cases = cases.as_array().unwrap().clone();
    assert_eq!(cases.len(), ours.len());

    // The batch page: one deliberation for the whole list.
    let page = common::call(
        &app,
        get(
            &format!("/procedures/batch?village={}", village.as_str()),
            &cookie,
        ),
    )
    .await;
    assert!(page.text().contains("name=\"c\""), "{}", page.text());
    let ticked: String = cases
        .iter()
        .map(|c| format!("&c={}%3A{}", c["id"], c["version"]))
        .collect();
    let r = common::call(
        &app,
        post_form(
            "/procedures/batch",
            &cookie,
            &format!(
                "csrf={csrf}&village={}&act=step&step=deliberation&attendees=30&votes_for=27&votes_against=1&record={}{ticked}",
                village.as_str(),
                enc("逐户评议")
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    for c in &cases {
        let (_, one, _) = send(
            &app,
            get(&format!("/api/v1/procedures/{}", c["id"]), &cookie),
        )
        .await;
        assert_eq!(one["case"]["steps"].as_array().unwrap().len(), 2, "{one}");
    }
    // The same batch again, with the versions now stale: refused, the page says why.
    let r = common::call(
        &app,
        post_form(
            "/procedures/batch",
            &cookie,
            &format!(
                "csrf={csrf}&village={}&act=step&step=verification&findings={}&consents=true{ticked}",
                village.as_str(),
                enc("核实")
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("batch-message"));
    // Over the API, a clerk of another township does not reach these cases at all.
    let (ocookie, ocsrf) = login(&app, "li.clerk").await;
    let items: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| json!({"id": c["id"], "version": c["version"].as_i64().unwrap() + 1}))
        .collect();
    let (status, _, _) = send(
        &app,
        post_json(
            "/api/v1/procedures/batch/acts",
            &ocookie,
            Some(&ocsrf),
            json!({"cases": items, "act": "step", "step": "verification",
                "evidence": {"kind": "visit", "findings": "x", "household_consents": true}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
