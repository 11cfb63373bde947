//! What the handlers share ([`App`]) and what it does when something goes wrong: alerts to
//! the admins, at most one per kind a minute, and the rebuild of a failing index.

use crate::bot::admin::Admin;
use crate::bot::admins::Admins;
use crate::bot::core::Core;
use crate::bot::deliver::Courier;
use std::sync::Arc;
use std::time::Duration;

/// Everything the handlers share, injected with `dptree::deps!`.
pub struct App {
    pub core: Arc<Core>,
    pub admin: Arc<Admin>,
    /// Every reply goes out through it: ordered per chat, retried through 429s and outages.
    pub courier: Courier,
    pub(super) admins: Admins,
    /// Trouble told to the admins, each kind at most once per period, with a count.
    pub(crate) alerts: Arc<crate::bot::alerts::Alerts>,
    /// When a failed search last started a rebuild.
    pub(super) last_heal: std::sync::Mutex<Option<std::time::Instant>>,
    /// `polling` or `webhook`, for `/healthz`.
    pub(super) mode: &'static str,
    /// Private mode and the per-reader limit.
    pub(super) gate: crate::bot::gate::Gate,
}

/// A failed search starts at most one automatic rebuild per this period: a bug that fails
/// one question every time must not keep the machine rebuilding.
const HEAL_EVERY: Duration = Duration::from_secs(600);

impl App {
    /// Tell every admin (in their private chat with the bot); see `bot::alerts` for how
    /// repetitions are held back and counted.
    pub(crate) fn alert(&self, kind: &'static str, html: &str) {
        self.alerts.raise(kind, html);
    }

    /// After a search failed: tell the admins and rebuild the index from the corpus in the
    /// background (the failing generation keeps answering what it can meanwhile).
    pub(crate) fn check_health(self: &Arc<Self>) {
        if let Some(why) = self.core.take_trouble() {
            self.heal("search", "搜索出错，读者收到“请稍后再试”", &why);
        }
    }

    /// Tell the admins what went wrong (`cause`, with the details `why`) and rebuild the index
    /// in the background, at most once per [`HEAL_EVERY`].
    fn heal(self: &Arc<Self>, kind: &'static str, cause: &str, why: &str) {
        let why = crate::render::html::escape(&crate::render::html::truncate_chars(why, 600));
        let due = {
            let mut last = self.last_heal.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= HEAL_EVERY);
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        if !due {
            self.alert(
                kind,
                &format!("⚠️ {cause}。刚刚已自动重建过索引，这次不再重建，请查看日志。\n{why}"),
            );
            return;
        }
        let Some(slot) = self.admin.try_begin() else {
            self.alert(kind, &format!("⚠️ {cause}。索引正在重建中。\n{why}"));
            return;
        };
        self.alert(kind, &format!("⚠️ {cause}。正在从语料自动重建索引…\n{why}"));
        let app = self.clone();
        tokio::spawn(async move {
            let admin = app.admin.clone();
            let outcome =
                tokio::task::spawn_blocking(move || admin.reindex(&slot, &mut |_| {})).await;
            let html = match outcome {
                Ok(Ok(summary)) => format!("✅ 已自动重建索引，恢复服务。\n{summary}"),
                Ok(Err(failed)) => failed,
                Err(e) => format!("❌ 自动重建索引时出现内部错误：{e}"),
            };
            app.alert("healed", &html);
        });
    }

    /// Check the serving generation's files on disk against their manifest. The engine
    /// serves from memory, so damage on disk does not reach readers, but the next start
    /// would have to rebuild: it is rebuilt now instead, and the admins are told.
    pub(super) async fn check_index_files(self: &Arc<Self>) {
        let Some(generation) = self.core.library().generation() else {
            return;
        };
        let data_dir = self.admin.paths().data_dir.clone();
        let dir = crate::index::generation::generation_dir(&data_dir, &generation);
        let checked = tokio::task::spawn_blocking(move || crate::index::verify::check(&dir)).await;
        let Ok(Err(damage)) = checked else {
            return;
        };
        // A rebuild that just replaced (and removed) this generation is not damage.
        let still_current = crate::index::generation::read_pointer(&data_dir)
            .is_some_and(|p| p.generation == generation)
            && self.core.library().generation().as_deref() == Some(generation.as_str());
        if still_current {
            tracing::error!("the serving index is damaged on disk: {damage}");
            self.heal(
                "index-files",
                "磁盘上的索引文件已损坏（读者不受影响，索引在内存中）",
                &damage.to_string(),
            );
        }
    }
}

/// Check the serving generation's files every `every` until the app is dropped.
pub(super) async fn watch_index(app: std::sync::Weak<App>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let Some(app) = app.upgrade() else {
            return;
        };
        app.check_index_files().await;
    }
}
