//! Text output for a terminal.

use jingzhun_domain::vocab::HouseholdStatus as S;
use jingzhun_service::summary::AreaSummary;

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.2}%"))
}

/// A summary table: one line per child area and a total line.
pub fn summary(s: &AreaSummary) {
    println!(
        "{} {}（{}）数据年度 year of the figures {}",
        s.area.code.prefix(),
        s.area.name,
        s.area.level.zh(),
        s.year().map_or_else(|| "—".into(), |y| y.to_string())
    );
    if let Some(y) = &s.figures_year {
        for m in &y.missing {
            println!("注意 note: {} / {}", m.zh(y.year), m.en(y.year));
        }
    }
    println!(
        "户数 households: 在册 registered / 已脱贫 exited / 监测 monitored / 清退 removed; 人数 persons 同; 发生率 incidence"
    );
    let line = |code: &str,
                name: &str,
                c: &jingzhun_domain::summary::StatusCounts,
                pop: Option<i64>,
                inc: Option<f64>| {
        println!(
            "{code:<12} 户 {:>5} /{:>6} /{:>5} /{:>5}   人 {:>6} /{:>7} /{:>6} /{:>6}   农村人口 {:>8}  发生率 {:>7}  {name}",
            c.households(S::Registered),
            c.households(S::Exited),
            c.households(S::Monitored),
            c.households(S::Removed),
            c.persons(S::Registered),
            c.persons(S::Exited),
            c.persons(S::Monitored),
            c.persons(S::Removed),
            pop.map_or_else(|| "—".into(), |p| p.to_string()),
            pct(inc),
        );
    };
    for c in &s.children {
        line(
            c.area.code.prefix(),
            &c.area.name,
            &c.counts,
            c.rural_population,
            c.incidence,
        );
    }
    line(
        "合计 total",
        "",
        &s.total,
        s.total_population,
        s.total_incidence,
    );
}

/// The demo accounts and their common password.
pub fn demo_accounts(accounts: &[jingzhun_service::demo::DemoAccount]) {
    use jingzhun_domain::vocab::Vocabulary;
    println!(
        "演示账户 demo accounts (密码 password: {}):",
        jingzhun_service::demo::DEMO_PASSWORD
    );
    for a in accounts {
        println!(
            "  {:<11} {} {} — {} {}",
            a.login,
            a.role.zh(),
            a.role.en(),
            a.area.prefix(),
            a.area_name
        );
    }
}
