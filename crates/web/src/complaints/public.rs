//! The public site's complaint pages (no sign-in): the form (web channel; anonymity allowed)
//! and the ticket lookup with the complainant's satisfaction and review request. Every post is
//! counted against the address's allowance (`limit`, no CAPTCHA) and carries the public CSRF
//! token of its cookie; the text sent is stored as text and shown only through maud (escaped),
//! and a ticket shows nothing of the content or of whom it concerns, only where the case
//! stands and the reply.

use std::time::Instant;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use jingzhun_domain::area::AreaLevel;
use jingzhun_domain::complaint::{Channel, ComplainantInput, NewComplaint, Satisfaction};
use jingzhun_domain::vocab::Vocabulary;
use jingzhun_service::complaints::{self as svc, PublicAct, PublicView};
use jingzhun_service::today_in_china;
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::limit;
use crate::pages::PageError;
use crate::pages::public::{public_form_ok, public_form_token, public_layout};

/// At most this many areas are offered in the form's list.
const MAX_AREAS: usize = 3000;

/// The counties and the areas below them, for the form's list (names only, all public).
async fn areas(state: &AppState) -> Result<Vec<(String, String)>, PageError> {
    let mut out = Vec::new();
    let mut queue = vec![None];
    let mut seen = 0usize;
    while let Some(parent) = queue.pop() {
        for a in state.store.children(parent.as_ref()).await? {
            seen += 1;
            if seen > MAX_AREAS {
                return Ok(out);
            }
            if a.level >= AreaLevel::County {
                let prefix = if a.level == AreaLevel::Village {
                    "　　"
                } else if a.level == AreaLevel::Township {
                    "　"
                } else {
                    ""
                };
                out.push((a.code.as_str().to_string(), format!("{prefix}{}", a.name)));
            }
            if a.level < AreaLevel::Village {
                queue.push(Some(a.code));
            }
        }
    }
    Ok(out)
}

fn notice(l: Lang) -> Markup {
    html! {
        p.notice #ticket-notice {
            (l.t("提交后您会得到一个查询码。凭查询码可查看办理状态和对您的答复内容：答复会显示给任何持有该查询码的人，请妥善保管，不要告诉他人。举报内容和举报人信息不会通过查询码显示。",
                 "After sending you receive a ticket code. With it you can follow the case and read the reply to you: the reply is shown to anyone who holds the code, so keep it to yourself. Neither the content nor who you are is shown by the code."))
        }
    }
}

async fn form_markup(
    state: &AppState,
    l: Lang,
    token: &str,
    error: Option<&str>,
) -> Result<Markup, PageError> {
    let areas = areas(state).await?;
    Ok(public_layout(
        l,
        l.t("扶贫领域问题举报", "Report a problem"),
        html! {
            h1 { (l.t("扶贫领域问题举报", "Report a problem in poverty alleviation")) }
            @if let Some(e) = error { p.error #refusal { (e) } }
            (notice(l))
            form.stack method="post" action="/public/complaints" {
                input type="hidden" name="csrf" value=(token);
                label { (l.t("问题发生地", "Where it happened")) " "
                    select name="subject_area" required {
                        @for (code, name) in &areas { option value=(code) { (name) } }
                    }
                }
                label { (l.t("反映的问题（不超过4000字）", "What happened (at most 4000 characters)")) textarea name="content" required maxlength="4000" rows="8" {} }
                label { (l.t("被举报单位（可不填）", "Unit you report (optional)")) " " input name="accused_unit" maxlength="100"; }
                label { (l.t("被举报人（可不填）", "Person you report (optional)")) " " input name="accused_person" maxlength="50"; }
                fieldset {
                    legend { (l.t("您的信息（可不填，匿名举报）。填写的信息加密保存，只有纪检监察机关经授权的人员可以查看，每次查看都有记录。",
                                  "About you (optional: leave blank to stay anonymous). Sealed at rest; only authorised discipline officers can see it, and every view is recorded.")) }
                    label { (l.t("姓名", "Name")) " " input name="name" maxlength="50" autocomplete="off"; }
                    label { (l.t("电话", "Phone")) " " input name="phone" maxlength="20" autocomplete="off"; }
                }
                button type="submit" { (l.t("提交", "Send")) }
            }
            p { a href="/public/complaints/status" { (l.t("凭查询码查询办理情况", "Follow a case by its ticket code")) } }
        },
    ))
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let l = Lang::of_request(&headers);
    let (jar, token) = public_form_token(jar);
    let page = form_markup(&state, l, &token, None).await?;
    Ok((jar, page).into_response())
}

/// The public form.
#[derive(Debug, Default, Deserialize)]
pub struct FileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject_area: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    accused_unit: String,
    #[serde(default)]
    accused_person: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

fn too_many(l: Lang) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        public_layout(
            l,
            l.t("提交过于频繁", "Too many submissions"),
            html! { p.error #limit { (l.t("此地址提交过于频繁，请稍后再试。", "Too many submissions from this address; try again later.")) } },
        ),
    )
        .into_response()
}

fn forbidden(l: Lang) -> Response {
    (
        StatusCode::FORBIDDEN,
        public_layout(
            l,
            l.t("表单已失效", "Form expired"),
            html! { p.error #csrf { (l.t("表单已失效，请重新打开页面后提交。", "The form has expired; open the page again and resend.")) } },
        ),
    )
        .into_response()
}

/// Why a post may not go on (`None`: it may): over the address's allowance, or without the
/// cookie's token.
fn refuse(
    state: &AppState,
    parts: &Parts,
    jar: &CookieJar,
    token: &str,
    l: Lang,
) -> Option<Response> {
    if !state
        .public_forms
        .allow(limit::client_addr(&parts.extensions), Instant::now())
    {
        return Some(too_many(l));
    }
    if !public_form_ok(jar, token) {
        return Some(forbidden(l));
    }
    None
}

pub async fn file(
    State(state): State<AppState>,
    parts: Parts,
    jar: CookieJar,
    Form(form): Form<FileForm>,
) -> Result<Response, PageError> {
    let l = Lang::of_request(&parts.headers);
    if let Some(r) = refuse(&state, &parts, &jar, &form.csrf, l) {
        return Ok(r);
    }
    let mut input = NewComplaint::new(Channel::Web, &form.subject_area, &form.content);
    input.accused_unit = form.accused_unit.clone();
    input.accused_person = form.accused_person.clone();
    input.complainant = ComplainantInput {
        name: form.name.clone(),
        phone: form.phone.clone(),
        id_number: String::new(),
    };
    match svc::register_public(state.store.as_ref(), &state.sealer, &input, today_in_china())
        .await
        .map_err(WebError::from)
    {
        Ok(ticket) => Ok(public_layout(
            l,
            l.t("已受理", "Received"),
            html! {
                h1 { (l.t("您的举报已登记", "Your report is registered")) }
                p { (l.t("查询码：", "Ticket code: ")) strong #ticket { (ticket) } }
                (notice(l))
                p { a href={ "/public/complaints/status?ticket=" (ticket) } { (l.t("查询办理情况", "Follow the case")) } }
            },
        )
        .into_response()),
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            let msg = e.public_detail().unwrap_or_default();
            let page = form_markup(&state, l, &form.csrf, Some(&msg)).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    ticket: String,
}

fn status_markup(
    l: Lang,
    token: &str,
    ticket: &str,
    s: Option<&PublicView>,
    error: Option<&str>,
) -> Markup {
    public_layout(
        l,
        l.t("举报办理查询", "Follow a case"),
        html! {
            h1 { (l.t("举报办理查询", "Follow a case")) }
            form method="get" action="/public/complaints/status" {
                label { (l.t("查询码", "Ticket code")) " " input name="ticket" maxlength="20" value=(ticket) placeholder="JB-2026-7KQ4M2ZRT"; }
                " " button type="submit" { (l.t("查询", "Look up")) }
            }
            @if let Some(e) = error { p.error #refusal { (e) } }
            @if let Some(s) = s {
                dl #status {
                    dt { (l.t("查询码", "Ticket")) } dd { (s.ticket) }
                    dt { (l.t("状态", "State")) } dd #state { (l.v(s.state)) }
                    dt { (l.t("登记日期", "Registered")) } dd { (l.date(s.registered_on)) }
                    @if let Some(d) = s.reply_due { dt { (l.t("答复期限", "Reply due")) } dd { (l.date(d)) } }
                    @if let Some(d) = s.replied_on { dt { (l.t("答复日期", "Replied")) } dd { (l.date(d)) } }
                    @if let Some(r) = &s.reply { dt { (l.t("答复内容", "Reply")) } dd.pre #reply { (r) } }
                }
                @if s.may_rate {
                    form method="post" action="/public/complaints/status" {
                        input type="hidden" name="csrf" value=(token);
                        input type="hidden" name="ticket" value=(s.ticket);
                        input type="hidden" name="act" value="satisfaction";
                        label { (l.t("您对答复是否满意？", "Are you satisfied with the reply?")) " "
                            select name="satisfaction" { @for v in Satisfaction::ALL { option value=(v.code()) { (l.v(*v)) } } } }
                        " " button type="submit" { (l.t("提交", "Send")) }
                    }
                }
                @if s.may_ask_review {
                    form.stack method="post" action="/public/complaints/status" {
                        input type="hidden" name="csrf" value=(token);
                        input type="hidden" name="ticket" value=(s.ticket);
                        input type="hidden" name="act" value="review";
                        label { (l.t("申请复查的理由", "Why you ask for review")) textarea name="reason" required maxlength="4000" {} }
                        button type="submit" { (l.t("申请复查", "Ask for review")) }
                    }
                }
            }
        },
    )
}

fn lookup_error(l: Lang, e: &WebError) -> Option<String> {
    match e {
        WebError::NotFound => Some(
            l.t("没有这个查询码。", "No case has this ticket code.")
                .to_string(),
        ),
        WebError::BadRequest(_) | WebError::Conflict(_) => e.public_detail(),
        _ => None,
    }
}

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(q): Query<TicketQuery>,
) -> Result<Response, PageError> {
    let l = Lang::of_request(&headers);
    let (jar, token) = public_form_token(jar);
    let ticket: String = q.ticket.trim().chars().take(40).collect();
    if ticket.is_empty() {
        return Ok((jar, status_markup(l, &token, "", None, None)).into_response());
    }
    match svc::public_status(state.store.as_ref(), &ticket, today_in_china())
        .await
        .map_err(WebError::from)
    {
        Ok(s) => Ok((jar, status_markup(l, &token, &ticket, Some(&s), None)).into_response()),
        Err(e) => match lookup_error(l, &e) {
            Some(msg) => {
                let status = e.parts().0;
                Ok((
                    status,
                    jar,
                    status_markup(l, &token, &ticket, None, Some(&msg)),
                )
                    .into_response())
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    act: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    reason: String,
}

pub async fn status_act(
    State(state): State<AppState>,
    parts: Parts,
    jar: CookieJar,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let l = Lang::of_request(&parts.headers);
    if let Some(r) = refuse(&state, &parts, &jar, &form.csrf, l) {
        return Ok(r);
    }
    let ticket: String = form.ticket.trim().chars().take(40).collect();
    let act = match form.act.as_str() {
        "satisfaction" => Satisfaction::parse(&form.satisfaction)
            .map(|satisfaction| PublicAct::Satisfaction { satisfaction })
            .map_err(|p| WebError::BadRequest(format!("{} / {p}", p.zh()))),
        "review" => Ok(PublicAct::Review {
            reason: form.reason.clone(),
        }),
        _ => Err(WebError::BadRequest("act: unknown".into())),
    };
    let result = match act {
        Ok(act) => svc::public_act(state.store.as_ref(), &ticket, &act, today_in_china())
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => Ok(status_markup(l, &form.csrf, &ticket, Some(&s), None).into_response()),
        Err(e) => match lookup_error(l, &e) {
            Some(msg) => Ok((
                e.parts().0,
                status_markup(l, &form.csrf, &ticket, None, Some(&msg)),
            )
                .into_response()),
            None => Err(e.into()),
        },
    }
}
