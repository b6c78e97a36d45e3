//! The public pages (no sign-in): published notices, each printable on A4 for the village
//! board, with its digest and a check that it is unchanged since publication. They show what
//! the notice says and nothing else: no ID numbers, phones or health details (the notice never
//! holds them).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
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
        .is_some_and(|c| !c.value().is_empty() && c.value() == token)
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
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let l = Lang::of_request(&headers);
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
    Ok(public_layout(
        l,
        &c.title,
        html! {
            article.notice #notice {
                h1 { (c.title) }
                p { (l.t("根据精准扶贫有关规定，经村民代表民主评议、入户核实，现将下列农户予以公示：",
                    "The following households are published after the village deliberation and the verification visit:")) }
                table {
                    tr { th { (l.t("序号", "No.")) } th { (l.t("户主姓名", "Head of household")) } th { (l.t("家庭人口", "Persons")) } th { (l.t("事由", "Reason")) } }
                    @for (i, h) in c.households.iter().enumerate() {
                        tr { td { (i + 1) } td { (h.head) } td.num { (h.persons) } td { (h.reason) } }
                    }
                }
                p { (l.t("公示期：", "Period: ")) (c.period_from) (l.t(" 至 ", " to ")) (c.period_to) }
                p { (c.objections_to) }
                p.sign { (c.village_name) (l.t("村民委员会", " village committee")) br; (n.record.published_at.0.get(..10).unwrap_or("")) }
                p.digest { (l.t("数字摘要（SHA-256）：", "Digest (SHA-256): ")) code { (n.record.digest) } }
            }
            p #notice-check class=(if n.unchanged { "ok" } else { "error" }) {
                @if n.unchanged { (l.t("核验：自发布以来未被修改。", "Checked: unchanged since publication.")) }
                @else { (l.t("核验失败：存档内容与发布时的摘要不符，已被改动。", "Check failed: the stored text no longer matches its digest.")) }
                " " span.muted { (l.t("重新计算的摘要：", "digest computed now: ")) code { (n.computed) } }
            }
            p.noprint.muted { (l.t("用浏览器打印本页，即得 A4 张贴版。", "Print this page from the browser for the A4 board copy.")) }
        },
    ))
}
