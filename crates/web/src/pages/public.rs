//! The public pages (no sign-in): published notices, each printable on A4 for the village
//! board, with its digest and a check that it is unchanged since publication. They show what
//! the notice says and nothing else: no ID numbers, phones or health details (the notice never
//! holds them).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use jingzhun_service::notices;
use maud::{DOCTYPE, Markup, html};

use super::{PageError, head_tags};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;

/// The cookie that carries the public forms' CSRF token (no session on the public site: the
/// form's token must equal the cookie's, which another site cannot read or set).
pub const PUBLIC_CSRF_COOKIE: &str = "jz_public_csrf";

/// The public forms' CSRF token, set in its cookie (path `/public`) if the browser has none.
pub fn public_form_token(jar: CookieJar) -> (CookieJar, String) {
    if let Some(c) = jar.get(PUBLIC_CSRF_COOKIE) {
        let v = c.value().to_string();
        return (jar, v);
    }
    let token = crate::auth::new_token();
    let cookie = Cookie::build((PUBLIC_CSRF_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/public")
        .build();
    (jar.add(cookie), token)
}

/// Whether a public form's token matches its cookie.
pub fn public_form_ok(jar: &CookieJar, token: &str) -> bool {
    jar.get(PUBLIC_CSRF_COOKIE)
        .is_some_and(|c| !c.value().is_empty() && crate::auth::same(c.value(), token))
}

/// The page frame of the public site (no account).
pub fn public_layout(l: Lang, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(l.html()) {
            head { (head_tags(title)) }
            body.public {
                header.top.noprint {
                    a.brand href="/public/notices" { "精准" span.sub { (l.t("公示公告", "Public notices")) } }
                }
                main { (content) }
                footer.noprint { (l.t("公示内容带有数字摘要，任何人可核验其自发布以来未被修改。",
                    "Each notice carries a digest: anyone can check it is unchanged since publication.")) }
            }
        }
    }
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Markup, PageError> {
    let l = Lang::of_request(&headers);
    let list = state.store.notices(None, 100).await?;
    Ok(public_layout(
        l,
        l.t("公示公告", "Public notices"),
        html! {
            h1 { (l.t("公示公告", "Public notices")) }
            ul #notices {
                @for n in &list {
                    @let title = serde_json::from_str::<jingzhun_domain::notice::NoticeContent>(&n.content)
                        .map_or_else(|_| format!("#{}", n.id), |c| c.title);
                    li { a href={ "/public/notices/" (n.id) } { (title) } " · " (n.period_from) " — " (n.period_to) }
                }
            }
        },
    ))
}

pub async fn notice(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(id): Path<i64>,
) -> Result<(CookieJar, Markup), PageError> {
    let l = Lang::of_request(&headers);
    let (jar, token) = public_form_token(jar);
    Ok((jar, notice_markup(&state, l, id, &token, None).await?))
}

/// What the page says after an objection was filed, or why it was not.
enum Filed {
    Done,
    Refused(String),
}

async fn notice_markup(
    state: &AppState,
    l: Lang,
    id: i64,
    token: &str,
    filed: Option<Filed>,
) -> Result<Markup, PageError> {
    let n = notices::checked(state.store.as_ref(), id)
        .await
        .map_err(WebError::from)?;
    let Some(c) = &n.content else {
        return Ok(public_layout(
            l,
            l.t("公示", "Notice"),
            html! { p.error #notice-check { (l.t("此公示的存档内容已被改动，无法显示。", "The stored text of this notice was altered; it cannot be shown.")) } },
        ));
    };
    let corrected_by = state.store.corrections_of(id).await?;
    let today = jingzhun_service::today_in_china();
    let running = c.period_from <= today && today < c.period_to && corrected_by.is_empty();
    Ok(public_layout(
        l,
        &c.title,
        html! {
            @for by in &corrected_by {
                p.error.noprint #notice-corrected { (l.t("此公示已被更正，以更正后的公示为准：", "This notice was corrected; the correction applies: "))
                    a href={ "/public/notices/" (by.id) } { "#" (by.id) } }
            }
            article.notice #notice {
                h1 { (c.title) }
                @if let (Some(old), Some(why)) = (c.corrects, &c.correction) {
                    p #notice-corrects { (l.t("本公示更正第 ", "This notice corrects notice #")) a href={ "/public/notices/" (old) } { (old) } (l.t(" 号公示。更正理由：", ". Reason: ")) (why) }
                }
                p { (l.t("根据精准扶贫有关规定，经村民代表民主评议、入户核实，现将下列农户予以公示：",
                    "The following households are published after the village deliberation and the verification visit:")) }
                table {
                    tr { th { (l.t("序号", "No.")) } th { (l.t("户主姓名", "Head of household")) } th { (l.t("家庭人口", "Persons")) } th { (l.t("事由", "Reason")) } }
                    @for (i, h) in c.households.iter().enumerate() {
                        tr { td { (i + 1) } td { (h.head) } td.num { (h.persons) } td { (h.reason) } }
                    }
                }
                p { (l.t("公示期：", "Period: ")) (l.date(c.period_from)) (l.t(" 至 ", " to ")) (l.date(c.period_to)) }
                p { (c.objections_to) }
                p.sign {
                    (c.village_name)
                    // 居委会 and 村委会 already name their committee.
                    @if !c.village_name.ends_with("委会") && !c.village_name.ends_with("委员会") { (l.t("村民委员会", " village committee")) }
                    br;
                    (n.record.published_at.0.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).map_or_else(String::new, |d| l.date(d)))
                }
                p.digest { (l.t("数字摘要（SHA-256）：", "Digest (SHA-256): ")) code { (n.record.digest) } }
            }
            p #notice-check class=(if n.unchanged { "ok" } else { "error" }) {
                @if n.unchanged { (l.t("核验：自发布以来未被修改。", "Checked: unchanged since publication.")) }
                @else { (l.t("核验失败：存档内容与发布时的摘要不符，已被改动。", "Check failed: the stored text no longer matches its digest.")) }
                " " span.muted { (l.t("重新计算的摘要：", "digest computed now: ")) code { (n.computed) } }
            }
            @match &filed {
                Some(Filed::Done) => p.ok.noprint role="status" #objection-filed { (l.t("异议已登记。此户的程序暂停，待村、乡核实处理后继续。",
                    "Your objection is recorded. The household's procedure is suspended until the village or township records its resolution.")) },
                Some(Filed::Refused(why)) => p.error.noprint role="alert" #objection-refused { (why) },
                None => {},
            }
            @if running && n.unchanged {
                form.stack.panel.noprint #objection-form method="post" action={ "/public/notices/" (id) "/objections" } {
                    h2 { (l.t("提出异议", "File an objection")) }
                    p.muted { (l.t("无需登录，可不留姓名。异议内容只供核实人员查看，不会公开。如需答复，请留下联系方式。",
                        "No sign-in and no name needed. Only the officers who verify it read your objection; it is never published. Leave a contact if you want an answer.")) }
                    input type="hidden" name="csrf" value=(token);
                    label { (l.t("对哪一户", "About which household")) select name="line" required {
                        @for (i, h) in c.households.iter().enumerate() { option value=(i + 1) { (i + 1) ". " (h.head) } }
                    } }
                    label { (l.t("异议内容", "Your objection")) textarea name="text" maxlength=(OBJECTION_MAX) rows="4" required {} }
                    button.primary type="submit" { (l.t("提交异议", "Submit")) }
                }
            }
            p.noprint.muted { (l.t("用浏览器打印本页，即得 A4 张贴版。", "Print this page from the browser for the A4 board copy.")) }
        },
    ))
}

/// The longest objection the public form takes.
pub const OBJECTION_MAX: usize = 1000;

#[derive(Debug, serde::Deserialize)]
pub struct ObjectionForm {
    csrf: String,
    line: String,
    text: String,
}

/// An objection from the public site: no account, the public forms' CSRF cookie, the
/// allowance per address; the text goes to the case (never shown publicly).
pub async fn object(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(id): Path<i64>,
    OptionalConnectInfo(addr): OptionalConnectInfo,
    axum::Form(f): axum::Form<ObjectionForm>,
) -> Result<Response, PageError> {
    let l = Lang::of_request(&headers);
    if !public_form_ok(&jar, &f.csrf) {
        return Err(PageError::Web(WebError::Csrf));
    }
    let (jar, token) = public_form_token(jar);
    let refuse = |why: String| Some(Filed::Refused(why));
    let filed = if !state.public_forms.allow(addr, std::time::Instant::now()) {
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            jar,
            notice_markup(
                &state,
                l,
                id,
                &token,
                refuse(
                    l.t(
                        "提交过于频繁，请稍后再试。",
                        "Too many submissions from this address; try again later.",
                    )
                    .into(),
                ),
            )
            .await?,
        )
            .into_response());
    } else if f.text.chars().count() > OBJECTION_MAX {
        refuse(format!(
            "{} {OBJECTION_MAX}",
            l.t(
                "异议内容不能超过（字）",
                "The objection is longer than (characters)"
            )
        ))
    } else {
        let line = f.line.trim().parse::<usize>().unwrap_or(0);
        match notices::object_publicly(
            state.store.as_ref(),
            id,
            line,
            &f.text,
            jingzhun_service::today_in_china(),
        )
        .await
        {
            Ok(_) => Some(Filed::Done),
            Err(e) => match WebError::from(e) {
                WebError::NotFound => return Err(PageError::Web(WebError::NotFound)),
                WebError::Internal(d) => return Err(PageError::Web(WebError::Internal(d))),
                other => refuse(
                    other
                        .public_detail()
                        .unwrap_or_else(|| l.t("不能受理", "not accepted").into()),
                ),
            },
        }
    };
    let status = if matches!(filed, Some(Filed::Done)) {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    Ok((
        status,
        jar,
        notice_markup(&state, l, id, &token, filed).await?,
    )
        .into_response())
}

/// The client's address when the server knows it (the listener gives it; in-process tests
/// may not).
pub struct OptionalConnectInfo(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for OptionalConnectInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(OptionalConnectInfo(crate::limit::client_addr(
            &parts.extensions,
        )))
    }
}
