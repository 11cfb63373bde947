//! `kuayue doctor`: a deployment checked from the command line, one line per check, before
//! (or while) the bot runs. Nothing is changed: the index is not built, the database is not
//! migrated, the webhook is not touched; the verdicts say what the bot itself will do.

use super::settings::{Mode, Settings};
use crate::config::Paths;
use rusqlite::{Connection, OpenFlags};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Not wrong, but worth knowing (the bot will fix it at start, or it is not set up yet).
    Warn,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub verdict: Verdict,
    pub detail: String,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match self.verdict {
            Verdict::Ok => "✔",
            Verdict::Warn => "⚠",
            Verdict::Fail => "✘",
        };
        write!(f, "{mark} {}：{}", self.name, self.detail)
    }
}

fn check(name: &'static str, verdict: Verdict, detail: impl Into<String>) -> Check {
    Check {
        name,
        verdict,
        detail: detail.into(),
    }
}

/// Run every check with the settings `get` yields (the environment, for the CLI).
pub async fn run(get: impl Fn(&str) -> Option<String>) -> Vec<Check> {
    let settings = Settings::from_lookup(&get);
    let paths = match &settings {
        Ok(s) => s.paths.clone(),
        Err(_) => Paths::from_lookup(|n| get(n).filter(|v| !v.trim().is_empty()).map(Into::into)),
    };
    let mut out = vec![match &settings {
        Ok(s) => check(
            "设置",
            Verdict::Ok,
            format!(
                "有效（{} 模式，{} 位管理员{}）",
                s.deploy.mode.name(),
                s.admins.iter().count(),
                s.deploy
                    .proxy
                    .as_ref()
                    .map(|p| format!("，代理 {}", p.shown()))
                    .unwrap_or_default()
            ),
        ),
        Err(e) => check("设置", Verdict::Fail, e.to_string()),
    }];
    let p = paths.clone();
    let local = tokio::task::spawn_blocking(move || vec![corpus(&p), index(&p), database(&p)])
        .await
        .unwrap_or_else(|e| vec![check("本地检查", Verdict::Fail, format!("出错：{e}"))]);
    out.extend(local);
    match &settings {
        Ok(s) => out.extend(telegram(s).await),
        Err(_) => {
            for name in ["令牌", "Webhook"] {
                out.push(check(name, Verdict::Warn, "跳过：先修正上面的设置"));
            }
        }
    }
    out
}

fn corpus(paths: &Paths) -> Check {
    match crate::corpus::load_dir(&paths.corpus_dir) {
        Ok(c) if c.issues.is_empty() => check(
            "语料",
            Verdict::Fail,
            format!("{} 里没有任何一期", paths.corpus_dir.display()),
        ),
        Ok(c) => {
            let passages: usize = c.issues.iter().map(|i| i.passages.len()).sum();
            check(
                "语料",
                Verdict::Ok,
                format!(
                    "{}：{} 期，{passages} 段",
                    paths.corpus_dir.display(),
                    c.issues.len()
                ),
            )
        }
        Err(e) => check("语料", Verdict::Fail, e.to_string()),
    }
}

fn index(paths: &Paths) -> Check {
    let Some(pointer) = crate::index::generation::read_pointer(&paths.data_dir) else {
        return check("索引", Verdict::Warn, "尚未建立：机器人启动时会建立");
    };
    let dir = crate::index::generation::generation_dir(&paths.data_dir, &pointer.generation);
    match crate::index::verify::check(&dir) {
        Ok(()) => check(
            "索引",
            Verdict::Ok,
            format!("可以打开（{}）", pointer.generation),
        ),
        Err(e) => check(
            "索引",
            Verdict::Warn,
            format!("{} 已损坏（{e}）：机器人启动时会重建", pointer.generation),
        ),
    }
}

fn database(paths: &Paths) -> Check {
    let path = paths.data_dir.join(crate::store::DB_FILE);
    if !paths.data_dir.exists() {
        return check(
            "数据库",
            Verdict::Warn,
            format!("{} 尚不存在：首次启动时创建", paths.data_dir.display()),
        );
    }
    if !path.exists() {
        return match crate::bot::health::check_data_dir(&paths.data_dir) {
            Ok(()) => check(
                "数据库",
                Verdict::Warn,
                format!("{} 尚未创建：首次启动时创建", path.display()),
            ),
            Err(e) => check("数据库", Verdict::Fail, e.to_string()),
        };
    }
    let supported = crate::store::supported_version();
    let probe = || -> Result<(i64, String), rusqlite::Error> {
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        // Writable: take the write lock and give it back, changing nothing.
        conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;")?;
        Ok((version, quick))
    };
    match probe() {
        Err(e) => check("数据库", Verdict::Fail, format!("{}：{e}", path.display())),
        Ok((_, quick)) if quick != "ok" => check(
            "数据库",
            Verdict::Fail,
            format!("{} 已损坏：{quick}", path.display()),
        ),
        Ok((v, _)) if v > supported => check(
            "数据库",
            Verdict::Fail,
            format!("版本 {v} 比本程序支持的 {supported} 新，请升级程序"),
        ),
        Ok((v, _)) if v < supported => check(
            "数据库",
            Verdict::Warn,
            format!("可写，版本 {v}：启动时会升级到 {supported}"),
        ),
        Ok(_) => check(
            "数据库",
            Verdict::Ok,
            format!("{} 可写，版本 {supported} 是最新的", path.display()),
        ),
    }
}

async fn telegram(settings: &Settings) -> Vec<Check> {
    use teloxide::prelude::Requester;
    let bot = match super::telegram::client(settings) {
        Ok(b) => b,
        Err(e) => return vec![check("令牌", Verdict::Fail, e.to_string())],
    };
    let scrub = |e: &dyn fmt::Display| super::settings::Token::scrub(e, settings.token.expose());
    let via = if settings.deploy.proxy.is_some() {
        "（经代理）"
    } else {
        ""
    };
    let me = match bot.get_me().await {
        Ok(me) => check(
            "令牌",
            Verdict::Ok,
            format!("有效{via}：@{}", me.username()),
        ),
        Err(e) => {
            return vec![
                check(
                    "令牌",
                    Verdict::Fail,
                    format!("getMe 失败{via}：{}", scrub(&e)),
                ),
                check("Webhook", Verdict::Warn, "跳过：连不上 Telegram"),
            ]
        }
    };
    let hook = match bot.get_webhook_info().await {
        Err(e) => check(
            "Webhook",
            Verdict::Fail,
            format!("getWebhookInfo 失败：{}", scrub(&e)),
        ),
        Ok(info) => {
            let set = info.url.map(|u| u.to_string());
            match (&settings.deploy.mode, set) {
                (Mode::Polling, None) => {
                    check("Webhook", Verdict::Ok, "未设置，与 polling 模式一致")
                }
                (Mode::Polling, Some(url)) => check(
                    "Webhook",
                    Verdict::Warn,
                    format!("Telegram 上登记着 {url}：polling 模式启动时会先删除它"),
                ),
                (Mode::Webhook(w), Some(url)) if url == w.url.as_str() => {
                    check("Webhook", Verdict::Ok, format!("已登记 {url}，与设置一致"))
                }
                (Mode::Webhook(w), set) => check(
                    "Webhook",
                    Verdict::Warn,
                    format!(
                        "Telegram 上登记的是 {}，不是 {}：启动时会重新设置",
                        set.as_deref().unwrap_or("（无）"),
                        w.url
                    ),
                ),
            }
        }
    };
    vec![me, hook]
}
