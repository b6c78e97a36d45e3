//! The household list (filters, search, sorting, pages) and a household's page with its
//! members and history. ID numbers and phones are masked for roles that do not need them.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use jingzhun_domain::area::AreaCode;
use jingzhun_domain::checks::{LeadState, Rule};
use jingzhun_domain::mask::{mask_id_number, mask_phone};
use jingzhun_domain::registry::{HouseholdId, Person};
use jingzhun_domain::vocab::{Cause, Gap, HouseholdStatus, Relation, Vocabulary};
use jingzhun_service::today_in_china;
use jingzhun_store::HouseholdSort;
use maud::{Markup, html};

use super::{Ctx, PageError, layout, urlencode};
use crate::AppState;
use crate::search::SearchParams;

fn sort_label(ctx: &Ctx, s: HouseholdSort) -> &'static str {
    match s {
        HouseholdSort::Village => ctx
            .lang
            .t("行政村、户编号", "Village, then household number"),
        HouseholdSort::Number => ctx.lang.t("户编号", "Household number"),
        HouseholdSort::IncomeAscending => ctx.lang.t("人均纯收入从低到高", "Income, lowest first"),
        HouseholdSort::IncomeDescending => {
            ctx.lang.t("人均纯收入从高到低", "Income, highest first")
        }
    }
}

/// The query string of the current filters, with `extra` appended.
fn filters_query(p: &SearchParams, extra: &str) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("area", &p.area),
        ("status", &p.status),
        ("cause", &p.cause),
        ("gap", &p.gap),
        ("q", &p.q),
        ("sort", &p.sort),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    }
    if !extra.is_empty() {
        parts.push(extra.to_string());
    }
    parts.join("&")
}

async fn area_names(
    state: &AppState,
    codes: impl Iterator<Item = AreaCode>,
) -> Result<HashMap<AreaCode, String>, PageError> {
    let mut names = HashMap::new();
    for c in codes {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(c)
            && let Some(a) = state.store.area(&c).await?
        {
            e.insert(a.name);
        }
    }
    Ok(names)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SearchParams>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let mut query = p.to_query(&ctx.user.account, today)?;
    query.limit = 50;
    let found = state.store.search_households(&query).await?;
    let ids: Vec<HouseholdId> = found.iter().map(|h| h.household_id.clone()).collect();
    let members = state.store.persons_of(&ids).await?;
    let mut heads: HashMap<&HouseholdId, (&str, usize)> = HashMap::new();
    let mut of: HashMap<&HouseholdId, Vec<&Person>> = HashMap::new();
    for m in &members {
        let e = heads.entry(&m.household_id).or_insert(("", 0));
        e.1 += 1;
        if m.relation == Relation::Head {
            e.0 = &m.name;
        }
        of.entry(&m.household_id).or_default().push(m);
    }
    let villages = area_names(&state, found.iter().map(|h| h.village_code)).await?;
    let area_name = match query.within.as_deref() {
        Some([one]) => area_names(&state, std::iter::once(*one)).await?.remove(one),
        _ => None,
    };
    let full = found.len() as i64 == query.limit;
    let next = if !full {
        None
    } else if query.sort.keyset() {
        found
            .last()
            .map(|h| filters_query(&p, &format!("after={}", urlencode(h.household_id.as_str()))))
    } else {
        Some(filters_query(
            &p,
            &format!("offset={}", query.offset + query.limit),
        ))
    };
    let paged = query.after.is_some() || query.offset > 0;
    let sel = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    Ok(layout(
        &ctx,
        l.t("户档", "Households"),
        false,
        html! {
            h1 { (l.t("户档", "Households")) @if let Some(n) = &area_name { " · " (n) } }
            form.filters method="get" action="/households" {
                label { (l.t("地区代码", "Area code")) input name="area" value=[p.area.as_deref()] size="12" inputmode="numeric"; }
                label { (l.t("状态", "Status")) select name="status" {
                    option value="" { (l.t("全部", "All")) }
                    @for s in HouseholdStatus::ALL { option value=(s.code()) selected[sel(&p.status, s.code())] { (l.v(*s)) } }
                } }
                label { (l.t("主要致贫原因", "Primary cause")) select name="cause" {
                    option value="" { (l.t("全部", "All")) }
                    @for c in Cause::ALL { option value=(c.code()) selected[sel(&p.cause, c.code())] { (l.v(*c)) } }
                } }
                label { (l.t("缺口", "Gap")) select name="gap" {
                    option value="" { (l.t("不限", "Any")) }
                    @for g in Gap::ALL { option value=(g.code()) selected[sel(&p.gap, g.code())] { (l.v(*g)) } }
                } }
                label { (l.t("户编号、身份证号或姓名（可只输姓）", "Household number, ID number or name (or surname)")) input name="q" value=[p.q.as_deref()] maxlength="50"; }
                label { (l.t("排序", "Order")) select name="sort" {
                    @for s in HouseholdSort::ALL { option value=(s.code()) selected[s == query.sort] { (sort_label(&ctx, s)) } }
                } }
                button.primary type="submit" { (l.t("查询", "Search")) }
            }
            @if found.is_empty() {
                p.muted #no-households { (l.t("没有符合条件的户。", "No household matches.")) }
            } @else {
                div.scroll { table #households {
                    tr {
                        th { (l.t("户编号", "Household")) } th { (l.t("户主", "Head")) } th.num { (l.t("人数", "Size")) }
                        th { (l.t("行政村", "Village")) } th { (l.t("状态", "Status")) }
                        th { (l.t("主要致贫原因", "Primary cause")) } th.num { (l.t("家庭年人均纯收入", "Net income per person")) }
                    }
                    @for h in &found {
                        @let (head, size) = heads.get(&h.household_id).copied().unwrap_or(("", 0));
                        tr {
                            td { a.household-link href={ "/households/" (urlencode(h.household_id.as_str())) } { (h.household_id.as_str()) } }
                            td { (head) }
                            td.num { (size) }
                            td { (villages.get(&h.village_code).map_or(h.village_code.as_str(), String::as_str)) }
                            td { (l.v(h.status)) }
                            td { (h.primary_cause.map_or("—", |c| l.v(c))) }
                            td.num.per-capita {
                                @match h.per_capita_income(of.get(&h.household_id).into_iter().flatten().copied()) {
                                    Some(y) => (l.money(y)),
                                    None => "—",
                                }
                            }
                        }
                    }
                } }
            }
            nav.pager {
                @if paged { a href={ "/households?" (filters_query(&p, "")) } { (l.t("« 第一页", "« First page")) } }
                @if let Some(n) = next { a #next-page href={ "/households?" (n) } { (l.t("下一页 »", "Next page »")) } }
            }
        },
    ))
}

/// A member's row; `pending_death`: a death list names them and nobody has verified it yet (the
/// record is marked, never changed, on a lead alone).
fn member_row(ctx: &Ctx, p: &Person, unmasked: bool, pending_death: bool) -> Markup {
    let l = ctx.lang;
    let yes_no = |b: Option<bool>| match b {
        Some(true) => l.t("是", "yes"),
        Some(false) => l.t("否", "no"),
        None => "—",
    };
    let id = if unmasked {
        p.id_number.as_str().to_string()
    } else {
        mask_id_number(p.id_number.as_str())
    };
    html! {
        tr {
            td { (p.name) @if p.deceased_on.is_some() { " " span.muted { (l.t("（已故）", "(deceased)")) } }
                @if pending_death { " " span.badge.warn title=(l.t("死亡人口名单中有此人，待核实", "On a death list; awaiting verification")) { (l.t("死亡待核实", "death pending verification")) } } }
            td { (l.v(p.relation)) }
            td { (l.v(p.gender)) }
            td.id { (id) }
            td { @if unmasked { (l.date(p.birth_date)) } @else { (p.birth_date.format("%Y")) } }
            td { (p.health.map_or("—", |h| l.v(h))) }
            td { (p.school_status.map_or("—", |s| l.v(s))) }
            td { (yes_no(p.medical_insurance)) }
            td { (yes_no(p.dibao)) }
        }
    }
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    let l = ctx.lang;
    let today = today_in_china();
    let (id, h) =
        crate::search::household_in_reach(state.store.as_ref(), &ctx.user.account, &id, today)
            .await?;
    let unmasked = ctx.user.account.sees_personal_data(&h.village_code, today);
    let members = state.store.persons_of(std::slice::from_ref(&id)).await?;
    let import = state.store.household_import(&id).await?;
    let history = state.store.audit_of("household", id.as_str()).await?;
    let village = state.store.area(&h.village_code).await?;
    let exit_view =
        crate::exit::household_view(&state, &ctx.user.account, id.as_str(), None).await?;
    let plan = jingzhun_service::plans::view(state.store.as_ref(), &ctx.user.account, &id, today)
        .await
        .map_err(crate::error::WebError::from)?;
    let cases = state
        .store
        .cases(&jingzhun_store::procedures::CaseQuery {
            household_id: Some(id.as_str().to_string()),
            limit: 50,
            ..Default::default()
        })
        .await?;
    // Leads about the household or its members (all in this village, so within reach).
    let mut subjects: Vec<String> = members
        .iter()
        .map(|m| m.id_number.as_str().to_string())
        .collect();
    subjects.push(id.as_str().to_string());
    let leads = state.store.leads_about(&subjects).await?;
    let pending_death: std::collections::HashSet<&str> = leads
        .iter()
        .filter(|l| l.rule == Rule::R07 && l.state == LeadState::Open)
        .map(|l| l.subject_id.as_str())
        .collect();
    let phone = h.phone.as_ref().map(|p| {
        if unmasked {
            p.as_str().to_string()
        } else {
            mask_phone(p.as_str())
        }
    });
    Ok(layout(
        &ctx,
        id.as_str(),
        false,
        html! {
            nav.crumbs {
                a href={ "/areas/" (h.village_code.prefix()) } { (village.as_ref().map_or(h.village_code.as_str(), |v| v.name.as_str())) }
                a href={ "/households?area=" (h.village_code.prefix()) } { (l.t("户档", "Households")) }
            }
            h1 { (l.t("户编号", "Household")) " " (id.as_str()) }
            section.panel {
                dl.facts {
                    dt { (l.t("状态", "Status")) } dd { (l.v(h.status)) }
                    dt { (l.t("贫困户属性", "Poverty type")) } dd { (h.poverty_type.map_or("—", |t| l.v(t))) }
                    dt { (l.t("识别年度", "Identified")) } dd { (h.identified_year) }
                    dt { (l.t("脱贫年度", "Exited")) } dd { (h.exit_year.map_or_else(|| "—".to_string(), |y| y.to_string())) }
                    dt { (l.t("主要致贫原因", "Primary cause")) } dd { (h.primary_cause.map_or("—", |c| l.v(c))) }
                    dt { (l.t("其他致贫原因", "Other causes")) } dd {
                        @if h.other_causes.is_empty() { "—" }
                        @for (i, c) in h.other_causes.iter().enumerate() { @if i > 0 { "、" } (l.v(*c)) }
                    }
                    dt { (l.t("住房安全", "Safe housing")) } dd { (if h.housing_safe { l.t("是", "yes") } else { l.t("否", "no") }) }
                    dt { (l.t("饮水安全", "Safe water")) } dd { (if h.water_safe { l.t("是", "yes") } else { l.t("否", "no") }) }
                    dt { (l.t("家庭年纯收入", "Household net income")) } dd { (l.money(h.annual_net_income)) " (" (h.income_year) ")" }
                    @if let Some(y) = h.per_capita_income(members.iter()) {
                        dt { (l.t("人均纯收入", "Net income per person")) }
                        dd { (l.money(y)) }
                    }
                    dt { (l.t("联系电话", "Phone")) } dd { (phone.as_deref().unwrap_or("—")) }
                    dt { (l.t("村民小组", "Group")) } dd { (h.group_name.as_deref().unwrap_or("—")) }
                    @if let Some(r) = h.removal_reason { dt { (l.t("清退原因", "Removal reason")) } dd { (l.v(r)) } }
                }
            }
            @if ctx.user.account.keeps_registry(today) && h.status != jingzhun_domain::vocab::HouseholdStatus::Removed {
                (crate::updates::facts_panel(&ctx, id.as_str(), &h))
            }
            (super::exit::household_panel(&ctx, &exit_view))
            (super::procedures::household_panel(&ctx, id.as_str(), &cases))
            (super::plans::household_panel(&ctx, id.as_str(), &plan))
            h2 { (l.t("家庭成员", "Members")) }
            div.scroll { table #members {
                tr {
                    th { (l.t("姓名", "Name")) } th { (l.t("与户主关系", "Relation")) } th { (l.t("性别", "Sex")) }
                    th { (l.t("身份证号", "ID number")) } th { (l.t("出生日期", "Born")) } th { (l.t("健康状况", "Health")) }
                    th { (l.t("在校生状况", "Schooling")) } th { (l.t("基本医保", "Medical insurance")) } th { (l.t("低保", "Dibao")) }
                }
                @for m in &members { (member_row(&ctx, m, unmasked, pending_death.contains(m.id_number.as_str()))) }
            } }
            @if !leads.is_empty() {
                h2 { (l.t("比对疑点", "Cross-check leads")) }
                ul #household-leads {
                    @for lead in &leads {
                        li { a href={ "/leads/" (lead.id) } { (lead.rule.code()) " " (l.t(lead.rule.zh(), lead.rule.en())) }
                            " · " (l.t(lead.state.zh(), lead.state.en())) }
                    }
                }
            }
            h2 { (l.t("记录", "History")) }
            ul #history {
                @if let Some(i) = &import {
                    li { (i.started_at) " · " (l.t("批量导入", "imported")) " #" (i.id) " · " (i.actor)
                        " · " span.muted { (l.t("文件摘要", "digest")) " " (&i.digest[..i.digest.len().min(12)]) } }
                }
                @for e in &history {
                    li { (e.at) " · " (e.action) " · " (e.actor) }
                }
                @if import.is_none() && history.is_empty() { li.muted { "—" } }
            }
        },
    ))
}
