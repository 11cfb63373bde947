//! The search engine and the corpus importer behind [`super::Backend`]: the one place where
//! the bot names `search::Engine` and `corpus::import`.

use super::{Backend, BackendError, Imported, Library, Opened, Rebuilt, SearchFailed};
use crate::config::Paths;
use crate::corpus::{import, Corpus};
use crate::search::{Answer, Engine};
use std::sync::Arc;

impl Library for Engine {
    fn ask(&self, question: &str, top: usize) -> Result<Answer, SearchFailed> {
        contained(|| Engine::try_ask(self, question, top))
    }

    fn ask_in(&self, question: &str, issue: &str, top: usize) -> Result<Answer, SearchFailed> {
        let opts = crate::search::AskOptions {
            top,
            issue: Some(issue.to_string()),
        };
        contained(|| Engine::try_ask_with(self, question, &opts))
    }

    fn corpus(&self) -> &Corpus {
        Engine::corpus(self)
    }

    fn passage_text(&self, issue: &str, index: usize) -> Option<String> {
        Engine::passage_text(
            self,
            &crate::search::PassageRef {
                issue: issue.to_string(),
                index,
            },
        )
    }

    fn generation(&self) -> Option<String> {
        Some(Engine::generation(self).to_string())
    }
}

/// A search with its failures contained. tantivy may panic on a damaged segment rather than
/// return an error; either way the caller gets a failure to report, and the engine stays
/// usable for the next question.
fn contained(search: impl FnOnce() -> tantivy::Result<Answer>) -> Result<Answer, SearchFailed> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(search)) {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(e)) => Err(SearchFailed(format!("索引读取出错：{e}"))),
        Err(panic) => Err(SearchFailed(format!(
            "搜索时出现内部错误：{}",
            super::panic_text(panic)
        ))),
    }
}

/// The real engine (`search::Engine`) and importer (`corpus::import`).
pub struct EngineBackend;

impl Backend for EngineBackend {
    fn open(&self, paths: &Paths, progress: &mut dyn FnMut(&str)) -> Result<Opened, BackendError> {
        let (engine, warnings) =
            Engine::open_resilient(paths, progress).map_err(|e| BackendError(e.to_string()))?;
        for w in &warnings {
            tracing::warn!("{w}");
        }
        Ok(Opened {
            library: Arc::new(engine),
            warnings,
        })
    }

    fn rebuild(
        &self,
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Arc<dyn Library>, Rebuilt), BackendError> {
        let (engine, stats) =
            Engine::rebuild(paths, progress).map_err(|e| BackendError(e.to_string()))?;
        let rebuilt = Rebuilt {
            issues: stats.issues,
            articles: stats.articles,
            passages: stats.passages,
            seconds: stats.seconds,
            generation: stats.generation,
        };
        Ok((Arc::new(engine), rebuilt))
    }

    fn import(&self, paths: &Paths, raw: &[u8]) -> Result<Imported, BackendError> {
        let report = import::import_bytes(raw, &paths.corpus_dir, false)
            .map_err(|e| BackendError(e.to_string()))?;
        Ok(Imported {
            issue: report.issue_id,
            dir: report.dir,
            warnings: report.warnings.iter().map(ToString::to_string).collect(),
        })
    }
}
