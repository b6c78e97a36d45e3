//! The import page (upload, progress, error report) and the export page. The import page's
//! script posts to `/api/v1/imports` with the session's CSRF token and follows the job.

use jingzhun_service::today_in_china;
use maud::{Markup, html};

use super::{Ctx, layout};

pub async fn import_page(ctx: Ctx) -> Markup {
    let l = ctx.lang;
    let allowed = ctx.user.account.keeps_registry(today_in_china());
    let i18n = serde_json::json!({
        "choose": l.t("请先选择文件", "Choose the files first"),
        "uploading": l.t("正在上传…", "Uploading…"),
        "reading": l.t("已读取", "Read"),
        "report": l.t("错误报告", "Error report"),
        "download": l.t("下载错误报告（CSV）", "Download the report (CSV)"),
        "columns": [l.t("文件", "File"), l.t("行", "Line"), l.t("列", "Column"), l.t("值", "Value"), l.t("原因", "Reason")],
    });
    layout(
        &ctx,
        l.t("导入建档立卡数据", "Import the registry"),
        false,
        html! {
            h1 { (l.t("导入建档立卡数据", "Import the registry")) }
            @if !allowed {
                p.error { (l.t("本账户的角色不能导入户档数据（只有村、乡、县级经办人员和管理员可以）。",
                    "Your roles cannot import the registry (only village, township and county officers and administrators can).")) }
            } @else {
                section.panel {
                    p { (l.t("上传 households.csv 和 persons.csv 两个文件（可同时选择），或一个含两个工作表的 .xlsx 工作簿。表头可用中文或英文。",
                        "Upload households.csv and persons.csv (select both), or one .xlsx workbook with the two sheets. Headers in Chinese or English.")) }
                    p.muted { (l.t("全部正确才导入：任何一行有错，整批不导入，并给出每一处错误。只能导入本账户负责地区内的户。",
                        "All or nothing: if any row is wrong, nothing is imported and every problem is listed. Only households within your area can be imported.")) }
                    form #import-form .stack method="post" action="/api/v1/imports" enctype="multipart/form-data"
                        data-csrf=(ctx.user.csrf) data-i18n=(i18n.to_string()) {
                        input #import-file type="file" name="file" multiple accept=".csv,.xlsx" required;
                        label style="flex-direction:row;gap:.4rem;align-items:center" {
                            input #import-force type="checkbox" name="force" value="true";
                            (l.t("强制导入（同一文件此前已导入过）", "Import again (the same file was imported before)"))
                        }
                        button #import-submit .primary type="submit" { (l.t("上传并导入", "Upload and import")) }
                    }
                    div #import-progress role="status" aria-live="polite" {}
                }
                div #import-result {}
            }
        },
    )
}

pub async fn export_page(ctx: Ctx) -> Markup {
    let l = ctx.lang;
    let today = today_in_china();
    let areas: Vec<_> = ctx.user.account.active(today).map(|a| a.area).collect();
    let first = areas
        .iter()
        .min()
        .map(|a| a.prefix().to_string())
        .unwrap_or_default();
    let may_unmask = areas
        .iter()
        .any(|a| ctx.user.account.sees_personal_data(a, today));
    layout(
        &ctx,
        l.t("导出", "Export"),
        false,
        html! {
            h1 { (l.t("导出建档立卡数据", "Export the registry")) }
            section.panel {
                form #export-form .stack method="get" action="/api/v1/export" style="max-width:32rem" {
                    label { (l.t("地区代码（本账户负责的地区或其下级）", "Area code (your area or one below it)"))
                        input name="area" value=(first) required inputmode="numeric"; }
                    label { (l.t("格式", "Format")) select name="format" {
                        option value="xlsx" { (l.t("Excel 工作簿（两个工作表）", "Excel workbook (two sheets)")) }
                        option value="csv" { "CSV" }
                    } }
                    label { (l.t("CSV 时导出哪个表", "With CSV, which table")) select name="sheet" {
                        option value="households" { (l.t("户表 households.csv", "Households households.csv")) }
                        option value="persons" { (l.t("人员表 persons.csv", "Persons persons.csv")) }
                    } }
                    @if may_unmask {
                        label style="flex-direction:row;gap:.4rem;align-items:center" {
                            input type="checkbox" name="unmasked" value="true";
                            (l.t("不遮蔽身份证号和电话（将记入审计日志）", "Do not mask ID numbers and phones (recorded in the audit log)"))
                        }
                    }
                    button.primary type="submit" { (l.t("导出", "Export")) }
                }
                p.muted { (l.t("默认遮蔽身份证号和电话。每次导出都记入审计日志。",
                    "ID numbers and phones are masked by default. Every export is recorded in the audit log.")) }
            }
        },
    )
}
