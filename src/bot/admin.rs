//! `/reindex` and document import: rebuilding the index while the old one keeps serving,
//! swapping it in, and announcing the issues that are new.
//!
//! Both operations block for seconds and run on a blocking thread (Telegram) or inline
//! (`kuayue chat`). Only one runs at a time: a second request is told so instead of queueing a
//! redundant rebuild.

use super::core::{self, Core};
use super::{Backend, Imported};
use crate::config::Paths;
use crate::corpus::raw::{RawIssue, RawIssueError, MAX_RAW_BYTES};
use crate::render::html::escape;
use crate::store::Personal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// Largest raw text an admin may send: the importer's limit.
pub(crate) const MAX_IMPORT_BYTES: u64 = MAX_RAW_BYTES as u64;

/// Runs the admin operations and holds the "one at a time" flag.
pub struct Admin {
    core: Arc<Core>,
    backend: Arc<dyn Backend>,
    paths: Paths,
    running: Arc<AtomicBool>,
    /// Woken when notices are queued, so the outbox starts at once.
    outbox: Arc<Notify>,
}

/// Proof that this caller holds the rebuild slot; dropping it frees the slot. Owned, so that
/// it can move to the blocking thread doing the work.
pub(crate) struct Slot(Arc<AtomicBool>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// What [`Admin::announce_new`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Announced {
    /// The issues announced now, as labels.
    pub new: Vec<String>,
    /// Notices queued for subscribers.
    pub queued: u64,
    /// Issues that could not be checked or announced because the database failed: nothing
    /// was queued for them.
    pub failed: Vec<String>,
}

/// How an admin operation ended, as HTML for the admin.
pub type Outcome = Result<String, String>;

impl Admin {
    pub(crate) fn new(
        core: Arc<Core>,
        backend: Arc<dyn Backend>,
        paths: Paths,
        outbox: Arc<Notify>,
    ) -> Admin {
        Admin {
            core,
            backend,
            paths,
            running: Arc::new(AtomicBool::new(false)),
            outbox,
        }
    }

    pub(crate) fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Take the rebuild slot, or `None` when a rebuild is already running.
    pub(crate) fn try_begin(&self) -> Option<Slot> {
        self.running
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| Slot(self.running.clone()))
    }

    /// Rebuild from `CORPUS_DIR`, swap, announce new issues. On failure the old index keeps
    /// serving and the error (with file and line) is returned.
    pub(crate) fn reindex(&self, _slot: &Slot, progress: &mut dyn FnMut(&str)) -> Outcome {
        let rebuilt = self.backend.rebuild(&self.paths, progress);
        self.core.metrics().reindex(rebuilt.is_ok());
        let (library, stats) = rebuilt.map_err(|e| {
            format!(
                "❌ 重建索引失败，旧索引继续服务。\n{}",
                escape(&brief(&e.0))
            )
        })?;
        self.core.swap(library);
        let Announced {
            new,
            queued,
            failed,
        } = self.announce_new();
        let mut html = format!(
            "✅ 索引已重建（{:.1} 秒）：{} 期、{} 篇文章、{} 段。",
            stats.seconds, stats.issues, stats.articles, stats.passages
        );
        if new.is_empty() && failed.is_empty() {
            html.push_str("\n没有新的一期。");
        } else if !new.is_empty() {
            html.push_str(&format!(
                "\n新的一期：{}；已排队通知 {} 位订阅者。",
                escape(&new.join("、")),
                queued
            ));
        }
        if !failed.is_empty() {
            html.push_str(&format!(
                "\n⚠️ 数据库出错，无法确认 {} 是否已通知订阅者，这次没有发送通知；请查看日志，修复后再重建索引。",
                escape(&failed.join("、"))
            ));
        }
        Ok(html)
    }

    /// Announce every issue of the serving corpus not announced yet. On the very first start
    /// the corpus the bot starts with is recorded silently: those issues are not news.
    ///
    /// A database error is never taken for "already announced" (nor for "first start"): the
    /// issue is logged as an error and listed in [`Announced::failed`], and nothing is queued
    /// for it, so the admin hears of it and the next rebuild tries again.
    pub(crate) fn announce_new(&self) -> Announced {
        let library = self.core.library();
        let store = self.core.store();
        let corpus = library.corpus();
        let mut done = Announced::default();
        match store.nothing_announced() {
            Ok(true) => {
                let ids: Vec<String> = corpus.issues.iter().map(|i| i.meta.id.clone()).collect();
                if let Err(e) = store.mark_known(&ids) {
                    tracing::error!("recording the initial issues failed: {e}");
                }
                return done;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::error!("cannot tell which issues were announced: {e}");
                done.failed = corpus.issues.iter().map(|i| i.meta.display()).collect();
                return done;
            }
        }
        for issue in &corpus.issues {
            match store.is_announced(&issue.meta.id) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(issue = %issue.meta.id, "cannot tell whether the issue was announced: {e}");
                    done.failed.push(issue.meta.display());
                    continue;
                }
            }
            // Watchers' matches ride on the same row as the notice: one message each.
            let notice = core::notice(issue);
            let personal: Vec<Personal> =
                super::watches::notices_for(library.as_ref(), store, issue, &notice)
                    .iter()
                    .map(|n| {
                        let reply = self.core.notice_reply(n);
                        Personal {
                            chat: n.chat,
                            buttons: (!reply.buttons.is_empty())
                                .then(|| serde_json::to_string(&reply.buttons).ok())
                                .flatten(),
                            text: reply.html,
                        }
                    })
                    .collect();
            match store.announce_with(&issue.meta.id, &notice, &personal) {
                Ok(Some(n)) => {
                    tracing::info!(issue = %issue.meta.id, queued = n, "new issue announced");
                    done.new.push(issue.meta.display());
                    done.queued += n;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!("announcing {} failed: {e}", issue.meta.id);
                    done.failed.push(issue.meta.display());
                }
            }
        }
        if done.queued > 0 {
            self.outbox.notify_one();
        }
        done
    }

    /// Check a raw issue text, import it into the corpus (the importer names the directory
    /// after the issue and writes it atomically), rebuild and announce. A failed rebuild removes the imported issue
    /// again, so the corpus never keeps an issue the index could not take.
    pub(crate) fn import(
        &self,
        slot: &Slot,
        raw: &[u8],
        progress: &mut dyn FnMut(&str),
    ) -> Outcome {
        check_raw(raw)?;
        progress("文件检查通过，正在导入…");
        let Imported {
            issue,
            dir,
            warnings,
        } = self
            .backend
            .import(&self.paths, raw)
            .map_err(|e| format!("❌ 导入失败，语料未改动。\n{}", escape(&brief(&e.0))))?;
        progress(&format!("已导入 {issue}，正在重建索引…"));
        match self.reindex(slot, progress) {
            Ok(summary) => {
                let mut html = format!("✅ 已导入 {}。\n{summary}", escape(&issue));
                if !warnings.is_empty() {
                    html.push_str("\n\n<b>请编辑核对：</b>\n");
                    for w in warnings.iter().take(30) {
                        html.push_str(&format!("• {}\n", escape(&brief(w))));
                    }
                    if warnings.len() > 30 {
                        html.push_str(&format!("…共 {} 条\n", warnings.len()));
                    }
                }
                Ok(html)
            }
            Err(err) => {
                if let Err(e) = std::fs::remove_dir_all(&dir) {
                    tracing::error!("removing {} after a failed rebuild: {e}", dir.display());
                }
                Err(format!("{err}\n已撤回导入的 {}。", escape(&issue)))
            }
        }
    }
}

/// An error or warning cut to a length that fits a message with room to spare (a corpus error
/// can quote a long line).
fn brief(text: &str) -> String {
    crate::render::html::truncate_chars(text, 600)
}

/// A file of `bytes` is small enough to import. The bot asks this before downloading a
/// document, and [`check_raw`] again of what it got.
pub(crate) fn check_size(bytes: u64) -> Result<(), String> {
    if bytes > MAX_IMPORT_BYTES {
        return Err(too_large(bytes));
    }
    Ok(())
}

fn too_large(bytes: u64) -> String {
    format!(
        "❌ 文件太大（{:.1} MB），上限 {} MB。",
        bytes as f64 / 1_048_576.0,
        MAX_IMPORT_BYTES / 1_048_576
    )
}

/// A raw text the importer may read: the importer's own check ([`RawIssue::parse`]: at most
/// 5 MB, no binary content, UTF-8, not empty), worded for the admin. (The importer checks
/// again, and for a table of contents.)
pub(crate) fn check_raw(bytes: &[u8]) -> Result<(), String> {
    RawIssue::parse(bytes).map(|_| ()).map_err(|e| match e {
        RawIssueError::TooLarge(n) => too_large(n as u64),
        RawIssueError::NotUtf8(at) => {
            format!("❌ 文件不是 UTF-8 编码（第 {at} 字节起无法解码）。请另存为 UTF-8 文本再发。")
        }
        RawIssueError::Empty => "❌ 文件是空的。".into(),
        // Worded as when the importer refused such a file after this check.
        RawIssueError::Binary => format!("❌ 导入失败，语料未改动。\n{e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::{BackendError, Imported, Library, Opened, Rebuilt};
    use crate::corpus::Corpus;
    use crate::search::Answer;
    use crate::store::Store;

    struct Empty(Corpus);
    impl Library for Empty {
        fn ask(&self, question: &str, _top: usize) -> Result<Answer, crate::bot::SearchFailed> {
            Ok(Answer::nothing(question))
        }
        fn corpus(&self) -> &Corpus {
            &self.0
        }
    }
    struct Failing;
    impl Backend for Failing {
        fn open(&self, _: &Paths, _: &mut dyn FnMut(&str)) -> Result<Opened, BackendError> {
            Ok(Opened {
                library: Arc::new(Empty(Corpus::default())),
                warnings: Vec::new(),
            })
        }
        fn rebuild(
            &self,
            _: &Paths,
            _: &mut dyn FnMut(&str),
        ) -> Result<(Arc<dyn Library>, Rebuilt), BackendError> {
            Err(BackendError("corpus/2019-05/issue.toml:7: bad".into()))
        }
        fn import(&self, _: &Paths, _: &[u8]) -> Result<Imported, BackendError> {
            Err(BackendError("没有找到目录".into()))
        }
    }

    fn admin(dir: &tempfile::TempDir) -> Admin {
        let store = Arc::new(Store::open_in(dir.path()).unwrap());
        let core = Arc::new(Core::new(
            Arc::new(Empty(Corpus::default())),
            store,
            Default::default(),
        ));
        let paths = Paths {
            corpus_dir: dir.path().join("corpus"),
            data_dir: dir.path().to_path_buf(),
        };
        Admin::new(core, Arc::new(Failing), paths, Arc::new(Notify::new()))
    }

    #[test]
    fn one_rebuild_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let admin = admin(&dir);
        let slot = admin.try_begin().expect("free");
        assert!(
            admin.try_begin().is_none(),
            "a second rebuild is refused while one runs"
        );
        drop(slot);
        assert!(admin.try_begin().is_some(), "free again afterwards");
    }

    #[test]
    fn failures_name_the_cause_and_leave_the_corpus_alone() {
        let dir = tempfile::tempdir().unwrap();
        let admin = admin(&dir);
        let slot = admin.try_begin().unwrap();
        let err = admin.reindex(&slot, &mut |_| {}).unwrap_err();
        assert!(
            err.contains("issue.toml:7") && err.contains("旧索引继续服务"),
            "{err}"
        );
        let err = admin.import(&slot, b"\xff\xfe", &mut |_| {}).unwrap_err();
        assert!(err.contains("UTF-8"), "{err}");
        let err = admin.import(&slot, b"  \n", &mut |_| {}).unwrap_err();
        assert!(err.contains("空"), "{err}");
        let err = admin
            .import(&slot, b"\x7fELF\x00", &mut |_| {})
            .unwrap_err();
        assert!(err.contains("二进制"), "{err}");
        let err = admin
            .import(&slot, "杂志".as_bytes(), &mut |_| {})
            .unwrap_err();
        assert!(err.contains("没有找到目录"), "{err}");
        assert!(!dir.path().join("corpus").exists());
    }

    /// An admin over the shipped corpus with one subscriber, past its first start, whose
    /// `announced` table is then altered by `sql` behind the store's back.
    fn admin_with_broken_announced(dir: &tempfile::TempDir, sql: &str) -> (Admin, Arc<Store>) {
        let corpus_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let corpus = crate::corpus::load_dir(&corpus_dir).expect("the shipped corpus loads");
        let store = Arc::new(Store::open_in(dir.path()).expect("store"));
        store
            .subscribe(1, crate::store::ChatKind::Private)
            .expect("subscribe");
        store.mark_known(&["2000-01".into()]).expect("mark known");
        let conn = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE))
            .expect("second connection");
        conn.execute_batch(sql).expect("alter the table");
        let core = Arc::new(Core::new(
            Arc::new(Empty(corpus)),
            store.clone(),
            Default::default(),
        ));
        let paths = Paths {
            corpus_dir,
            data_dir: dir.path().to_path_buf(),
        };
        let admin = Admin::new(core, Arc::new(Failing), paths, Arc::new(Notify::new()));
        (admin, store)
    }

    #[test]
    fn a_database_error_is_not_taken_for_already_announced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (admin, store) = admin_with_broken_announced(
            &dir,
            "ALTER TABLE announced RENAME COLUMN issue TO renamed",
        );
        let done = admin.announce_new();
        assert_eq!(
            done,
            Announced {
                new: Vec::new(),
                queued: 0,
                failed: vec!["《跨越》2019年第3期".to_string()],
            }
        );
        assert_eq!(store.outbox_counts().expect("counts").pending, 0);
    }

    #[test]
    fn a_database_error_is_not_taken_for_the_first_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (admin, store) = admin_with_broken_announced(&dir, "DROP TABLE announced");
        let done = admin.announce_new();
        assert_eq!(done.failed, vec!["《跨越》2019年第3期".to_string()]);
        assert_eq!((done.new.len(), done.queued), (0, 0));
        assert_eq!(store.outbox_counts().expect("counts").pending, 0);
    }
}
