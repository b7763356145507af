//! Demo work plan: 清河's security department makes the year's plan in early January and reports on the items no rule
//! judges through the year — the alarm network replaced in January, the CCTV upgrade done in the first quarter, the
//! interlock doors and the guards still under way.
use crate::demo_inspect::as_user;
use crate::{AppResult, Ctx};
use anbao_domain::period;
use anbao_store::Db;

const DAY: i64 = 86_400_000;

pub async fn seed(db: &Db, now: i64, password: &str) -> AppResult<usize> {
    let (year, _, _) = period::ymd(period::day_of_ms(now));
    let jan = period::start_ms(period::first_of_month(year, 1));
    let office = as_user(db, "qinghe.baowei", password, (jan + 4 * DAY).min(now)).await?;
    let county = crate::org::home_unit(db, &office).await?;
    crate::workplan::make_plan(db, &office, county.id, &year.to_string()).await?;
    let reports: [(&str, i64, &str, i64); 5] = [
        ("一月份进行110联网报警系统的更换工作", 100, "全辖网点110联网报警主机更换完毕，已与公安联网测试", 25),
        ("一季度协助做好监控改造工作", 100, "配合科技部完成12个网点监控硬盘录像机改造", 80),
        ("做好电控联动门二期更换工作", 60, "二期8个网点已完成5个，余下3个排在下半年", 200),
        ("给所有营业网点配足保安", 80, "尚有2个网点保安缺员，已报人事部招聘", 150),
        ("组织全辖员工进行安全保卫专业技能培训", 50, "上半年完成两期防抢防盗技能培训", 180),
    ];
    let view = crate::workplan::plan(db, &office, Some(county.id), Some(&year.to_string())).await?;
    let mut made = 0;
    for (title, percent, note, day) in reports {
        let Some(item) = view.items.iter().find(|i| i.row.title == title) else { continue };
        let at = (jan + day * DAY + 10 * 3_600_000).min(now);
        if at >= now {
            continue;
        }
        let ctx = Ctx::new(at, office.actor.clone());
        crate::workplan::report(db, &ctx, item.row.id, &percent.to_string(), note).await?;
        made += 1;
    }
    Ok(made)
}
