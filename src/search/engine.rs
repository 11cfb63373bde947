//! The engine: corpus + shared dictionary + one open index generation, and the search itself.
//!
//! `ask` runs in four steps: analyse the question (`query`), fetch candidates with a BM25
//! `BooleanQuery` built term by term (never through tantivy's query parser), re-rank them
//! (`rank`), then cut snippets and best sentences (`snippet`). What it needs of every passage
//! (where it is, its clause number, a hash of its text) is prepared when the engine opens; the
//! texts themselves stay on disk in the generation and are read for the candidates of a
//! question (see `passage_text`).

use super::clause::{label_ref, ClauseKind, ClauseRef};
use super::decide::{decide, Signals};
use super::error::SearchError;
use super::meta::{self, MetaAnswer, MetaAsk};
use super::passage_text::{PassageText, TextCache};
use super::query::{analyse, is_setting as is_setting_word, Analysed, Want};
use super::rank::{Features, Matcher, Rarity};
use super::snippet::{snippet, Source};
use super::suggest::SoundIndex;
use super::thesaurus::{LiveThesaurus, Thesaurus};
use super::weights::Weights;
use super::{Answer, Hit, Level, PassageRef, Understood};
use crate::config::Paths;
use crate::corpus::{self, Article, Corpus, IssueMeta, Passage};
use crate::index::build::{build_index, register};
use crate::index::generation::{self, Pointer};
use crate::index::schema::Fields;
use crate::index::texts::TextStore;
use crate::index::verify;
use crate::index::{fold_str, Analyzer};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{Index, IndexReader, ReloadPolicy};

/// What `rebuild` (and the first build of `open`) did.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildStats {
    pub issues: usize,
    pub articles: usize,
    pub passages: usize,
    pub seconds: f64,
    pub generation: String,
}

/// A re-ranked candidate.
struct Scored {
    score: f32,
    pid: u32,
    bm25: f32,
    feat: Features,
}

/// Re-ranked candidates, best first, and the decision on the best.
#[derive(Default)]
struct Ranked {
    scored: Vec<Scored>,
    level: Level,
}

/// What one search (before correction) found.
struct Found {
    level: Level,
    hits: Vec<Hit>,
    fact: Option<String>,
    understood: Understood,
}

/// Questions of at most this many letters and ideographs are keyword searches: an unknown
/// word in them is looked for verbatim in every passage.
const VERBATIM_SCAN_CHARS: usize = 8;

/// Candidates of a question that points at an article (那篇说…) checked against the rest of
/// their article.
const ARTICLE_RECHECK: usize = 12;

/// The longest question read as one keyword (see `short_keyword`).
const KEYWORD_CHARS: usize = 6;

/// A hedged answer lists at most this many passages: it is a pointer, not an answer.
const HEDGED_MAX: usize = 3;

/// Options of one search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskOptions {
    /// How many passages at most (1–50).
    pub top: usize,
    /// Search only this issue (`YYYY-NN`).
    pub issue: Option<String>,
}

/// Per passage, prepared at open: where it is, and what can be known without its text.
struct Entry {
    /// Its position in the passage table (and in the generation's texts).
    pid: u32,
    issue: u32,
    passage: u32,
    /// Folded part and clause labels, one per line, where the passage has them.
    heads: Option<Box<str>>,
    /// Which sentences name a person: tagged on the first 谁 question that needs it, then kept.
    persons: OnceLock<Vec<bool>>,
    /// Hash of the folded text: the same paragraph reprinted is recognised without comparing.
    text_hash: u64,
}

/// The passage texts of the generation served, and the trouble reading them.
struct Texts {
    store: TextStore,
    cache: TextCache,
    /// The first read that failed (a file damaged since it was opened). Sticky: the searches
    /// after it fail too, so that the bot rebuilds rather than answer from half a corpus.
    failure: Mutex<Option<String>>,
}

/// The search engine. `Send + Sync`: share it behind an `Arc` and swap it after a rebuild.
pub struct Engine {
    /// The corpus without its passage texts (`texts` holds them).
    corpus: Corpus,
    texts: Texts,
    /// Folded article title, body title, column and source, per issue and article.
    article_labels: Vec<Vec<Box<str>>>,
    /// Folded titles as questions about the issue compare them (`meta::printed_titles`),
    /// per issue and article.
    printed_titles: Vec<Vec<Box<str>>>,
    analyzer: Analyzer,
    reader: IndexReader,
    fields: Fields,
    entries: Vec<Entry>,
    /// Passage ids by clause number, in corpus order.
    clauses: HashMap<ClauseRef, Vec<u32>>,
    generation: String,
    weights: Weights,
    /// `corpus/synonyms.txt`, re-read when it changes (see `thesaurus`); none for engines
    /// built from a corpus in memory.
    thesaurus: Option<LiveThesaurus>,
    /// The index's words by sound, for pinyin suggestions: built on the first question that
    /// needs one, so that opening stays fast.
    sounds: OnceLock<SoundIndex>,
}

/// A question with a pinyin slip corrected.
struct Fix {
    question: String,
    /// The word suggested in place of the one typed.
    word: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("generation", &self.generation)
            .field("passages", &self.entries.len())
            .finish()
    }
}

/// The editors' thesaurus beside the corpus (see `thesaurus`).
pub(crate) fn thesaurus_path(paths: &Paths) -> std::path::PathBuf {
    paths.corpus_dir.join("synonyms.txt")
}

/// Load the user dictionary beside the corpus (or the built-in one) and the corpus itself.
fn load_inputs(paths: &Paths) -> Result<(Analyzer, String, Corpus), SearchError> {
    let dict_path = paths.corpus_dir.join("user.dict");
    let (analyzer, dict) = Analyzer::load(&dict_path).map_err(|err| SearchError::Dictionary {
        path: dict_path.clone(),
        err,
    })?;
    let corpus = corpus::load_dir(&paths.corpus_dir)?;
    if corpus.passage_count() == 0 {
        return Err(SearchError::NothingToIndex);
    }
    Ok((analyzer, dict, corpus))
}

/// The inputs digest of the files as they are now (the dictionary read afresh).
fn inputs_now(paths: &Paths) -> Option<String> {
    let dict = std::fs::read_to_string(paths.corpus_dir.join("user.dict")).ok()?;
    generation::inputs(&paths.corpus_dir, &dict).ok()
}

/// Note in the pointer that `gen` was built from (or matched) a whole corpus whose files
/// digested to `before` just before it was parsed, so that the next start need not parse it.
/// Only if the files still digest the same (nothing changed while they were parsed, not even
/// and back) and the pointer still names `gen` (no other process built a generation since).
/// Failing to record is only slower.
fn record_inputs(paths: &Paths, gen: &str, before: Option<&str>) {
    let Some(before) = before else {
        return;
    };
    if inputs_now(paths).as_deref() != Some(before) {
        return;
    }
    let Some(mut p) = generation::read_pointer(&paths.data_dir) else {
        return;
    };
    if p.generation != gen || p.inputs.as_deref() == Some(before) {
        return;
    }
    p.inputs = Some(before.to_string());
    if let Err(e) = generation::write_pointer(&paths.data_dir, &p) {
        tracing::debug!("could not record the index's inputs: {e}");
    }
}

impl Engine {
    /// Open the index generation that matches the corpus and dictionary, or build one.
    /// What [`Engine::open_resilient`] had to leave out is logged as warnings.
    pub fn open(paths: &Paths, progress: &mut dyn FnMut(&str)) -> Result<Engine, SearchError> {
        let (engine, warnings) = Engine::open_resilient(paths, progress)?;
        for w in warnings {
            tracing::warn!("{w}");
        }
        Ok(engine)
    }

    /// Open as [`Engine::open`] does, never letting derived data or one bad issue keep the
    /// engine down, and say what was worked around (sentences for the admins):
    ///
    /// - a generation that fails its checks (damaged, truncated, missing files) or does not
    ///   open is rebuilt from the corpus: the index is derived data;
    /// - a corpus that does not parse: the last good generation serves, with the corpus it
    ///   was built from (its snapshot); where there is none, the issues that parse are
    ///   indexed and served, and the ones left out are named.
    pub(crate) fn open_resilient(
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Engine, Vec<String>), SearchError> {
        let (engine, warnings) = Engine::open_index(paths, progress)?;
        Ok((engine.with_thesaurus(&thesaurus_path(paths)), warnings))
    }

    /// The index part of [`Engine::open_resilient`].
    fn open_index(
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Engine, Vec<String>), SearchError> {
        let dict_path = paths.corpus_dir.join("user.dict");
        let (analyzer, dict) =
            Analyzer::load(&dict_path).map_err(|err| SearchError::Dictionary {
                path: dict_path.clone(),
                err,
            })?;
        // Digested before the corpus is parsed: see `generation::inputs`.
        let inputs = generation::inputs(&paths.corpus_dir, &dict).ok();
        if let Some(engine) = inputs
            .as_deref()
            .and_then(|i| Engine::open_unchanged(paths, &analyzer, i))
        {
            return Ok((engine, Vec::new()));
        }
        let mut warnings = Vec::new();
        let mut whole = true;
        let corpus = match corpus::load_dir(&paths.corpus_dir) {
            Ok(corpus) => corpus,
            Err(broken) => {
                whole = false;
                if let Some(engine) = Engine::open_last_good(paths, &analyzer) {
                    warnings.push(format!(
                        "语料无法解析，继续使用上一代索引（{}）服务：{broken}",
                        engine.generation
                    ));
                    return Ok((engine, warnings));
                }
                let (partial, left_out) = corpus::load_dir_partial(&paths.corpus_dir)?;
                if partial.passage_count() == 0 {
                    return Err(broken.into());
                }
                for e in left_out {
                    warnings.push(format!("这一期无法解析，暂未收录：{e}"));
                }
                partial
            }
        };
        if corpus.passage_count() == 0 {
            return Err(SearchError::NothingToIndex);
        }
        let fingerprint = generation::fingerprint(&corpus, &dict);
        if let Some(p) = generation::read_pointer(&paths.data_dir) {
            let dir = generation::generation_dir(&paths.data_dir, &p.generation);
            if p.fingerprint == fingerprint && generation::is_ready(&dir) {
                let opened = verify::open_verified(&dir)
                    .and_then(|index| Ok((index, verify::open_texts(&dir)?)))
                    .map_err(|e| e.to_string())
                    .and_then(|(index, texts)| {
                        Engine::from_index(
                            corpus.clone(),
                            texts,
                            analyzer.clone(),
                            index,
                            p.generation.clone(),
                        )
                        .map_err(|e| e.to_string())
                    });
                match opened {
                    Ok(engine) => {
                        if whole {
                            record_inputs(paths, &p.generation, inputs.as_deref());
                        }
                        return Ok((engine, warnings));
                    }
                    Err(e) => {
                        tracing::warn!("index {} unusable, rebuilding: {e}", dir.display());
                        warnings.push(format!("索引已损坏，已从语料自动重建：{e}"));
                    }
                }
            }
        }
        progress("正在建立索引…");
        let (engine, stats) = Engine::build(corpus, analyzer, &fingerprint, &paths.data_dir)?;
        if whole {
            record_inputs(paths, &stats.generation, inputs.as_deref());
        }
        progress(&format!(
            "索引已建立：{} 期、{} 篇、{} 段，用时 {:.2} 秒",
            stats.issues, stats.articles, stats.passages, stats.seconds
        ));
        Ok((engine, warnings))
    }

    /// The current generation with the corpus from its snapshot, when it was built from
    /// exactly the `inputs` on disk now (nothing to parse); `None` sends the caller down the
    /// parsing path, which also notices and repairs damage.
    fn open_unchanged(paths: &Paths, analyzer: &Analyzer, inputs: &str) -> Option<Engine> {
        let p = generation::read_pointer(&paths.data_dir)?;
        if p.inputs.as_deref() != Some(inputs) {
            return None;
        }
        let dir = generation::generation_dir(&paths.data_dir, &p.generation);
        if !generation::is_ready(&dir) {
            return None;
        }
        Engine::open_snapshot(paths, analyzer, &p, "unusable without parsing")
    }

    /// The generation `index.current` names, with the corpus it was built from, if it passes
    /// its checks.
    fn open_last_good(paths: &Paths, analyzer: &Analyzer) -> Option<Engine> {
        let p = generation::read_pointer(&paths.data_dir)?;
        Engine::open_snapshot(paths, analyzer, &p, "is no last good index to fall back on")
    }

    /// The generation `p` names, served with the corpus of its own snapshot, if both pass
    /// their checks; otherwise `None`, logged with `why_not`.
    fn open_snapshot(
        paths: &Paths,
        analyzer: &Analyzer,
        p: &Pointer,
        why_not: &str,
    ) -> Option<Engine> {
        let dir = generation::generation_dir(&paths.data_dir, &p.generation);
        let opened = verify::read_snapshot(&dir).and_then(|corpus| {
            let index = verify::open_verified(&dir)?;
            let texts = verify::open_texts(&dir)?;
            Ok(Engine::from_index(
                corpus,
                texts,
                analyzer.clone(),
                index,
                p.generation.clone(),
            )?)
        });
        match opened {
            Ok(engine) => Some(engine),
            Err(e) => {
                tracing::warn!("index {} {why_not}: {e}", p.generation);
                None
            }
        }
    }

    /// Build a new generation from the corpus and make it current. Engines already open keep
    /// working on their own generation.
    pub fn rebuild(
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Engine, BuildStats), SearchError> {
        progress("正在读取语料…");
        // Digested before the corpus is parsed: see `generation::inputs`.
        let inputs = inputs_now(paths);
        let (analyzer, dict, corpus) = load_inputs(paths)?;
        let fingerprint = generation::fingerprint(&corpus, &dict);
        progress("正在建立索引…");
        let (engine, stats) = Engine::build(corpus, analyzer, &fingerprint, &paths.data_dir)?;
        record_inputs(paths, &stats.generation, inputs.as_deref());
        Ok((engine.with_thesaurus(&thesaurus_path(paths)), stats))
    }

    /// Index `corpus` into a new generation under `data_dir`, point `index.current` at it and
    /// remove older generations. Used by `open`, `rebuild`, the benchmark and the tests.
    pub fn build(
        corpus: Corpus,
        analyzer: Analyzer,
        fingerprint: &str,
        data_dir: &Path,
    ) -> Result<(Engine, BuildStats), SearchError> {
        let started = Instant::now();
        std::fs::create_dir_all(data_dir).map_err(|err| SearchError::DataDir {
            path: data_dir.to_path_buf(),
            err,
        })?;
        let gen = generation::new_generation(fingerprint);
        let dir = generation::generation_dir(data_dir, &gen);
        std::fs::create_dir_all(&dir).map_err(|err| SearchError::DataDir {
            path: dir.clone(),
            err,
        })?;
        let written = build_index(&dir, &corpus, &analyzer).map_err(|err| SearchError::Index {
            path: dir.clone(),
            err,
        })?;
        drop(written);
        tracing::debug!("index written in {:?}", started.elapsed());
        let io = |err| SearchError::Io {
            path: dir.clone(),
            err,
        };
        verify::write_snapshot(&dir, &corpus).map_err(io)?;
        generation::mark_ready(&dir).map_err(io)?;
        // Serve as a later open would: see `index::verify`.
        let (index, texts) = verify::open_verified(&dir)
            .and_then(|index| Ok((index, verify::open_texts(&dir)?)))
            .map_err(|e| SearchError::Io {
                path: dir.clone(),
                err: std::io::Error::other(e.to_string()),
            })?;
        generation::write_pointer(
            data_dir,
            &Pointer {
                generation: gen.clone(),
                fingerprint: fingerprint.to_string(),
                inputs: None,
            },
        )
        .map_err(|err| SearchError::Io {
            path: data_dir.join(generation::POINTER_FILE),
            err,
        })?;
        generation::remove_old(data_dir, &gen);
        let stats = BuildStats {
            issues: corpus.issues.len(),
            articles: corpus.article_count(),
            passages: corpus.passage_count(),
            seconds: started.elapsed().as_secs_f64(),
            generation: gen.clone(),
        };
        let engine = Engine::from_index(corpus, texts, analyzer, index, gen)
            .map_err(|err| SearchError::Index { path: dir, err })?;
        tracing::debug!("engine ready in {:?}", started.elapsed());
        Ok((engine, stats))
    }

    /// The engine over an open index and its texts. `corpus` may carry its passage texts (as
    /// parsed) or not (from a snapshot): they are dropped either way, the store serving them.
    fn from_index(
        mut corpus: Corpus,
        texts: TextStore,
        analyzer: Analyzer,
        index: Index,
        generation: String,
    ) -> tantivy::Result<Engine> {
        if texts.len() != corpus.passage_count() {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "段落文本有 {} 段，语料有 {} 段",
                texts.len(),
                corpus.passage_count()
            )));
        }
        register(&index, &analyzer);
        let fields = Fields::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut entries = Vec::with_capacity(corpus.passage_count());
        let mut clauses: HashMap<ClauseRef, Vec<u32>> = HashMap::new();
        let mut article_labels = Vec::with_capacity(corpus.issues.len());
        let mut printed_titles = Vec::with_capacity(corpus.issues.len());
        for (ii, issue) in corpus.issues.iter_mut().enumerate() {
            article_labels.push(issue.articles.iter().map(article_label).collect());
            printed_titles.push(issue.articles.iter().map(meta::printed_titles).collect());
            for (pi, p) in issue.passages.iter_mut().enumerate() {
                p.text = String::new();
                let mut heads = String::new();
                for h in [&p.section, &p.clause].into_iter().flatten() {
                    heads.push_str(h);
                    heads.push('\n');
                }
                let pid = entries.len() as u32;
                if let Some(r) = p
                    .clause
                    .as_deref()
                    .map(fold_str)
                    .and_then(|l| label_ref(&l))
                {
                    clauses.entry(r).or_default().push(pid);
                }
                entries.push(Entry {
                    pid,
                    issue: ii as u32,
                    passage: pi as u32,
                    heads: (!heads.is_empty()).then(|| fold_str(&heads).into_boxed_str()),
                    persons: OnceLock::new(),
                    text_hash: texts.slot(pid as usize).map_or(0, |s| s.folded_hash),
                });
            }
            issue.passages.shrink_to_fit();
        }
        Ok(Engine {
            corpus,
            texts: Texts {
                store: texts,
                cache: TextCache::default(),
                failure: Mutex::new(None),
            },
            article_labels,
            printed_titles,
            analyzer,
            reader,
            fields,
            entries,
            clauses,
            generation,
            weights: Weights::default(),
            sounds: OnceLock::new(),
            thesaurus: None,
        })
    }

    /// The corpus served (as parsed, or read back from the generation's snapshot) without
    /// its passage texts, which stay on disk: ask [`Engine::passage_text`] for one.
    pub fn corpus(&self) -> &Corpus {
        &self.corpus
    }

    /// The text of a passage as printed; `None` for a passage the corpus does not hold or a
    /// text that can no longer be read (then the next search fails, and the bot rebuilds).
    pub fn passage_text(&self, r: &PassageRef) -> Option<String> {
        let ii = self
            .corpus
            .issues
            .iter()
            .position(|i| i.meta.id == r.issue)?;
        let pids = self.issue_pids(ii);
        if r.index >= pids.len() {
            return None;
        }
        self.text((pids.start + r.index) as u32)
            .map(|t| t.orig.clone())
    }

    /// Passage `pid`'s text, read from the store (or the cache). A failed read is logged and
    /// remembered (see [`Texts::failure`]).
    fn text(&self, pid: u32) -> Option<Arc<PassageText>> {
        let fold_changes = self.texts.store.slot(pid as usize)?.fold_changes;
        let read = self.texts.cache.get(pid, || {
            self.texts
                .store
                .read(pid as usize)
                .map(|t| PassageText::new(t, fold_changes))
        });
        match read {
            Ok(t) => Some(t),
            Err(e) => {
                self.text_failed(e.to_string());
                None
            }
        }
    }

    fn text_failed(&self, why: String) {
        tracing::error!("passage text unreadable: {why}");
        let mut failure = self.texts.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure.get_or_insert(why);
    }

    /// The error of the first failed text read, if any.
    fn text_failure(&self) -> Option<tantivy::TantivyError> {
        let failure = self.texts.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure.as_ref().map(|why| {
            tantivy::TantivyError::IoError(Arc::new(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                why.clone(),
            )))
        })
    }

    /// The passage ids of issue `ii`: they run through the issues in corpus order.
    fn issue_pids(&self, ii: usize) -> std::ops::Range<usize> {
        let before: usize = self.corpus.issues[..ii.min(self.corpus.issues.len())]
            .iter()
            .map(|i| i.passages.len())
            .sum();
        let len = self.corpus.issues.get(ii).map_or(0, |i| i.passages.len());
        before..before + len
    }

    /// The passage an entry stands for.
    fn passage_of(&self, e: &Entry) -> &Passage {
        &self.corpus.issues[e.issue as usize].passages[e.passage as usize]
    }

    /// Folded article title, body title, column, source, part and clause label of a passage.
    fn label(&self, e: &Entry) -> String {
        let article = self
            .article_labels
            .get(e.issue as usize)
            .and_then(|a| a.get(self.passage_of(e).article))
            .map(|l| &**l)
            .unwrap_or("");
        let mut label =
            String::with_capacity(article.len() + e.heads.as_ref().map_or(0, |h| h.len()));
        label.push_str(article);
        if let Some(h) = &e.heads {
            label.push_str(h);
        }
        label
    }

    /// Apply the thesaurus at `path` (re-read whenever it changes) to every question. A
    /// malformed file is reported and leaves the search without synonyms rather than down.
    pub(crate) fn with_thesaurus(mut self, path: &Path) -> Engine {
        match LiveThesaurus::open(path) {
            Ok(t) => self.thesaurus = Some(t),
            Err(e) => tracing::warn!("thesaurus not used: {e}"),
        }
        self
    }

    /// The generation directory name this engine reads.
    pub fn generation(&self) -> &str {
        &self.generation
    }

    pub fn passage(&self, r: &PassageRef) -> Option<(&IssueMeta, &Article, &Passage)> {
        let issue = self.corpus.issue(&r.issue)?;
        let p = issue.passages.get(r.index)?;
        let a = issue.articles.get(p.article)?;
        Some((&issue.meta, a, p))
    }

    /// Answer a question with at most `top` passages. Never panics, whatever the input.
    pub fn ask(&self, question: &str, top: usize) -> Answer {
        self.ask_with(question, &AskOptions { top, issue: None })
    }

    /// Answer a question with options (how many passages, which issue). The pipeline:
    /// analyse → scope → structure (questions about the issue) → candidates → scoring →
    /// decision → de-duplication; then, when nothing answered with confidence, the question
    /// with its pinyin slips corrected is tried once.
    pub fn ask_with(&self, question: &str, opts: &AskOptions) -> Answer {
        self.try_ask_with(question, opts).unwrap_or_else(|e| {
            tracing::warn!("search failed: {e}");
            Answer::nothing(question)
        })
    }

    /// [`Engine::ask_with`], with a failure inside the index (or a passage text that could
    /// not be read) as an error.
    pub(crate) fn try_ask_with(
        &self,
        question: &str,
        opts: &AskOptions,
    ) -> tantivy::Result<Answer> {
        let answer = self.search(question, opts)?;
        match self.text_failure() {
            Some(e) => Err(e),
            None => Ok(answer),
        }
    }

    fn search(&self, question: &str, opts: &AskOptions) -> tantivy::Result<Answer> {
        let top = opts.top.clamp(1, 50);
        let q = self.refine(analyse(&self.analyzer, question));
        tracing::debug!("question {question:?}");
        let mut answer = Answer {
            question: question.to_string(),
            traditional: q.traditional,
            ..Answer::default()
        };
        let scope = match self.scope_of(&q, opts.issue.as_deref()) {
            Ok(scope) => scope,
            Err(notice) => {
                answer.notice = Some(notice);
                answer.understood = self.understood(&q, None);
                return Ok(answer);
            }
        };
        let mut found = self.find(&q, scope, top)?;
        if found.level != Level::Confident {
            if let Some(fix) = self.correction(&q) {
                let fixed = self.refine(analyse(&self.analyzer, &fix.question));
                let again = self.find(&fixed, scope, top)?;
                if again.level == Level::Confident {
                    found = again;
                    found.understood.corrected = Some(fix.question.clone());
                } else {
                    answer.suggestion = Some(fix.word);
                    answer.suggested_question = Some(fix.question);
                }
            }
        }
        answer.level = found.level;
        answer.hits = found.hits;
        answer.fact = found.fact;
        answer.understood = found.understood;
        Ok(answer)
    }

    /// The issue a search is limited to: the one the options or the question name. Naming an
    /// issue the corpus does not hold is answered with the issues it does hold.
    fn scope_of(&self, q: &Analysed, forced: Option<&str>) -> Result<Option<u32>, String> {
        let index_of = |id: &str| {
            self.corpus
                .issues
                .iter()
                .position(|i| i.meta.id == id)
                .map(|i| i as u32)
        };
        let held = || {
            let labels: Vec<String> = self.corpus.issues.iter().map(|i| i.meta.label()).collect();
            labels.join("、")
        };
        if let Some(id) = forced {
            return index_of(id)
                .map(Some)
                .ok_or_else(|| format!("语料中没有 {id} 这一期。已收录：{}。", held()));
        }
        match &q.issue {
            None => Ok(None),
            Some(r) => match r.resolve(&self.corpus).and_then(|id| index_of(&id)) {
                Some(i) => Ok(Some(i)),
                None => Err(format!(
                    "语料中没有《{}》{}。已收录：{}。",
                    crate::corpus::MAGAZINE,
                    r.label(),
                    held()
                )),
            },
        }
    }

    /// Like [`Engine::ask`], but a search that fails inside the index is an error instead of
    /// an empty answer, so that the bot can tell a damaged index from a question the
    /// magazine does not answer.
    pub(crate) fn try_ask(&self, question: &str, top: usize) -> tantivy::Result<Answer> {
        self.try_ask_with(question, &AskOptions { top, issue: None })
    }

    /// One search, without correction.
    fn find(&self, q: &Analysed, scope: Option<u32>, top: usize) -> tantivy::Result<Found> {
        let understood = self.understood(q, scope);
        let matcher = self.matcher(q);
        let meta = q
            .meta
            .and_then(|ask| self.structure(ask, q, &matcher, scope));

        let ranked = self.rank(q, &matcher, scope)?;
        let mut level = ranked.level;
        let mut hits: Vec<Hit> = Vec::new();
        let mut fact = None;
        if let Some(m) = meta {
            level = Level::Confident;
            for &(ii, ai) in &m.articles {
                if hits.len() >= top {
                    break;
                }
                if let Some(pid) = self.first_passage(ii, ai) {
                    if let Some(h) = self.hit(hits.len() + 1, pid, 0.0, None) {
                        hits.push(h);
                    }
                }
            }
            fact = Some(m.fact);
        }
        if level != Level::NotFound {
            let room = if level == Level::Hedged && fact.is_none() {
                top.min(HEDGED_MAX)
            } else {
                top
            };
            let shown: Vec<PassageRef> = hits.iter().map(|h| h.passage.clone()).collect();
            for (pid, score, feat) in self.dedup(ranked.scored, room.saturating_sub(hits.len())) {
                let Some(h) = self.hit(hits.len() + 1, pid, score, Some(&feat)) else {
                    continue;
                };
                if !shown.contains(&h.passage) {
                    hits.push(h);
                }
            }
        }
        if hits.is_empty() {
            level = Level::NotFound;
        }
        Ok(Found {
            level,
            hits,
            fact,
            understood,
        })
    }

    /// A compound the magazine never prints (卷首语, 青年干部, 设计阶段) is searched as the parts
    /// it does print (卷首, 青年 + 干部, 设计 + 阶段): a reader's word for a thing is often a
    /// longer or shorter compound than the printed one, and the whole can never be found.
    fn refine(&self, mut q: Analysed) -> Analysed {
        let searcher = self.reader.searcher();
        let f = self.fields;
        let indexed = |w: &str| {
            [f.text, f.title, f.heading, f.column].iter().any(|&field| {
                searcher
                    .doc_freq(&Term::from_field_text(field, w))
                    .unwrap_or(0)
                    > 0
            })
        };
        let mut out = Vec::with_capacity(q.concepts.len());
        for c in std::mem::take(&mut q.concepts) {
            let parts = if c.subs.is_empty() || indexed(&c.word) {
                Vec::new()
            } else {
                covering_parts(&c.word, c.subs.iter().filter(|s| indexed(s)))
            };
            if parts.is_empty() {
                out.push(c);
                continue;
            }
            for p in parts {
                if out.iter().any(|o: &super::query::Concept| o.word == p) {
                    continue;
                }
                out.push(super::query::Concept {
                    setting: is_setting_word(&self.analyzer, &p),
                    word: p,
                    subs: Vec::new(),
                    ..c.clone()
                });
            }
        }
        q.concepts = out;
        if let Some(live) = &self.thesaurus {
            let t = live.get();
            if !t.is_empty() {
                apply_thesaurus(&mut q, &t);
            }
        }
        q
    }

    /// The question with its first unknown word replaced by an indexed word that sounds like
    /// it (see `suggest`), if there is one.
    fn correction(&self, q: &Analysed) -> Option<Fix> {
        let searcher = self.reader.searcher();
        let f = self.fields;
        let unknown = |w: &str| {
            w.chars().all(crate::index::fold::is_cjk)
                && [f.text, f.title, f.heading].iter().all(|&field| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, w))
                        .unwrap_or(0)
                        == 0
                })
        };
        let typed = q
            .concepts
            .iter()
            .map(|c| c.word.as_str())
            .filter(|w| (2..=4).contains(&w.chars().count()) && unknown(w))
            .collect::<Vec<_>>();
        if typed.is_empty() {
            return None;
        }
        let sounds = self.sounds.get_or_init(|| self.sound_index());
        typed.into_iter().find_map(|w| {
            let s = sounds.suggest(w)?;
            Some(Fix {
                question: q.text.replacen(w, s, 1),
                word: s.to_string(),
            })
        })
    }

    /// Every word of the passage text the index holds, with its passage count.
    fn sound_index(&self) -> SoundIndex {
        let searcher = self.reader.searcher();
        let mut words: HashMap<String, u32> = HashMap::new();
        for seg in searcher.segment_readers() {
            let Ok(inverted) = seg.inverted_index(self.fields.text) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(w) = std::str::from_utf8(stream.key()) {
                    *words.entry(w.to_string()).or_default() += stream.value().doc_freq;
                }
            }
        }
        SoundIndex::new(words)
    }

    /// How the question was read, for the line under the answer.
    fn understood(&self, q: &Analysed, scope: Option<u32>) -> Understood {
        let asks = q.meta.map(|m| m.label().to_string()).or_else(|| {
            let kinds: Vec<&str> = q
                .concepts
                .iter()
                .filter(|c| c.kind)
                .map(|c| c.word.as_str())
                .collect();
            match q.want {
                Want::Number => Some("数字".to_string()),
                Want::Person => Some("人名".to_string()),
                Want::Date => Some("日期".to_string()),
                Want::List if kinds.is_empty() => Some("列举".to_string()),
                _ if !kinds.is_empty() => Some(kinds.join("、")),
                _ => None,
            }
        });
        Understood {
            terms: q
                .concepts
                .iter()
                .filter(|c| !c.kind)
                .map(|c| c.word.clone())
                .collect(),
            asks,
            clause: q.clause.map(|c| c.label()),
            issue: scope.and_then(|i| {
                self.corpus
                    .issues
                    .get(i as usize)
                    .map(|i| i.meta.id.clone())
            }),
            phrases: q.required.iter().map(|p| p.text.clone()).collect(),
            corrected: None,
            span: q.span.clone(),
        }
    }

    /// The question compiled for matching, each word weighted by its rarity in the index.
    fn matcher(&self, q: &Analysed) -> Matcher {
        let searcher = self.reader.searcher();
        let n_docs = searcher.num_docs().max(1) as f32;
        let f = self.fields;
        let jieba = self.analyzer.jieba();
        let w = &self.weights;
        let rarity = |word: &str| -> Rarity {
            let df = [f.text, f.heading, f.title]
                .iter()
                .map(|&field| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, word))
                        .unwrap_or(0)
                })
                .max()
                .unwrap_or(0) as f32;
            let idf = (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln();
            let idf = if df == 0.0
                && word.chars().all(crate::index::fold::is_cjk)
                && !jieba.has_word(word)
            {
                idf * w.unknown_word
            } else {
                idf
            };
            Rarity {
                idf,
                indexed: df > 0.0,
            }
        };
        Matcher::new(q, rarity)
    }

    /// A question about the issue itself, answered from its structure.
    fn structure(
        &self,
        ask: MetaAsk,
        q: &Analysed,
        matcher: &Matcher,
        scope: Option<u32>,
    ) -> Option<MetaAnswer> {
        let issues: Vec<(usize, &crate::corpus::Issue)> = self
            .corpus
            .issues
            .iter()
            .enumerate()
            .filter(|(i, _)| scope.is_none_or(|s| s as usize == *i))
            .collect();
        let words: Vec<meta::Word> = q
            .concepts
            .iter()
            .zip(&matcher.concepts)
            .map(|(c, m)| meta::Word {
                text: &c.word,
                weight: m.weight,
            })
            .collect();
        meta::answer(
            ask,
            &q.text,
            &words,
            &q.titles,
            &issues,
            &self.printed_titles,
        )
    }

    /// The passage id of an article's first passage.
    fn first_passage(&self, issue: usize, article: usize) -> Option<u32> {
        self.entries
            .iter()
            .position(|e| {
                e.issue as usize == issue
                    && self.corpus.issues[issue].passages[e.passage as usize].article == article
            })
            .map(|i| i as u32)
    }

    /// Candidates, scores and the decision for the best of them.
    fn rank(&self, q: &Analysed, matcher: &Matcher, scope: Option<u32>) -> tantivy::Result<Ranked> {
        if q.concepts.is_empty() && q.clause.is_none() && q.required.is_empty() {
            return Ok(Ranked::default());
        }
        let mut candidates = self.candidates(q, scope)?;
        for pid in self.verbatim_candidates(q, scope, &candidates) {
            candidates.push((pid, 0.0));
        }
        // The clause a reader names is a candidate whatever its words.
        let clause_pids = self.clause_candidates(q, matcher, scope);
        for &pid in &clause_pids {
            if !candidates.iter().any(|c| c.0 == pid) {
                candidates.push((pid, 0.0));
            }
        }
        let keyword = short_keyword(q);
        let mut scored = self.score(q, matcher, &candidates, &clause_pids, keyword.as_deref());
        self.log_ranking(q, matcher, &scored);
        let Some(best) = scored.first() else {
            return Ok(Ranked::default());
        };
        let signals = Signals {
            share: best.feat.evidence_share,
            evidence: best.feat.evidence,
            together: best.feat.together,
            missing_share: best.feat.missing_share,
            verbatim: best.feat.verbatim,
            asked_for: clause_pids.contains(&best.pid)
                || !q.required.is_empty()
                || keyword.as_deref().is_some_and(|k| {
                    self.text(best.pid)
                        .is_some_and(|t| t.folded_text().contains(k))
                }),
            missing_number: best.feat.missing_number || self.article_lacks_a_date(q, best.pid),
            topical: best.feat.topical_held,
            // A keyword search for one word that jieba happens to tag as a place (藩篱) is
            // still about that word; two place words together (香港, 澳门) are a setting.
            setting_keyword: q.concepts.len() == 1 && best.feat.evidence_share >= 1.0,
        };
        let level = decide(&signals, &self.weights);
        tracing::debug!("decision {level:?} {signals:?}");
        if tracing::enabled!(tracing::Level::DEBUG) {
            let e = &self.entries[best.pid as usize];
            let text = self.text(best.pid);
            let text = text.as_ref().map(|t| t.folded_text()).unwrap_or("");
            let label = self.label(e);
            let missing: Vec<String> = q
                .concepts
                .iter()
                .zip(&matcher.concepts)
                .filter(|(c, m)| {
                    !text.contains(&c.word) && !label.contains(&c.word) && m.evidence > 0.0
                })
                .map(|(c, m)| {
                    format!(
                        "{}:{:.1}{}",
                        c.word,
                        m.evidence,
                        if m.indexed { "" } else { "!" }
                    )
                })
                .collect();
            tracing::debug!("missing {missing:?}");
        }
        if level == Level::NotFound {
            scored.clear();
        }
        Ok(Ranked { scored, level })
    }

    /// Does the question give a month or a day (2月, 18日) that no passage of the best
    /// passage's article holds? A diary prints the month once above its entries, so the
    /// article, not the entry, is where a date must be found.
    fn article_lacks_a_date(&self, q: &Analysed, pid: u32) -> bool {
        let dates: Vec<&str> = q
            .concepts
            .iter()
            .map(|c| c.word.as_str())
            .filter(|w| {
                w.ends_with(['月', '日', '号'])
                    && w.chars().next().is_some_and(|c| c.is_ascii_digit())
            })
            .collect();
        if dates.is_empty() {
            return false;
        }
        let Some(e) = self.entries.get(pid as usize) else {
            return false;
        };
        let in_article: Vec<Arc<PassageText>> = std::iter::once(e)
            .chain(self.article_siblings(pid))
            .filter_map(|o| self.text(o.pid))
            .collect();
        dates.iter().any(|d| {
            !in_article.iter().map(|t| t.folded_text()).any(|t| {
                t.match_indices(d).any(|(i, _)| {
                    !t[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_ascii_digit())
                })
            })
        })
    }

    /// BM25 over text, heading, title and column, built term by term (never through tantivy's
    /// query parser), limited to the scope's issue.
    /// The BM25 query of a question, clause by clause: each word in every field with its
    /// boost, sub-words at half weight in the text and title, thesaurus equivalents as words
    /// or phrases, quoted phrases as phrases.
    fn query_clauses(&self, q: &Analysed) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let w = &self.weights;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let phrase = |words: &[String], boost: f32| -> (Occur, Box<dyn Query>) {
            let terms = words
                .iter()
                .map(|w| Term::from_field_text(f.text, w))
                .collect();
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), boost)),
            )
        };
        // Sub-words are looked up in the text and title only: the heading and column are
        // short, and each extra clause costs time on every question.
        let add_term =
            |clauses: &mut Vec<(Occur, Box<dyn Query>)>, word: &str, weight: f32, sub: bool| {
                let fields: &[(tantivy::schema::Field, f32)] = if sub {
                    &[(f.text, 1.0), (f.title, w.title_boost)]
                } else {
                    &[
                        (f.text, 1.0),
                        (f.heading, w.heading_boost),
                        (f.title, w.title_boost),
                        (f.column, w.column_boost),
                    ]
                };
                for &(field, boost) in fields {
                    let tq = TermQuery::new(
                        Term::from_field_text(field, word),
                        IndexRecordOption::WithFreqs,
                    );
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(tq), weight * boost)),
                    ));
                }
            };
        for c in &q.concepts {
            add_term(&mut clauses, &c.word, c.weight, false);
            for s in &c.subs {
                add_term(&mut clauses, s, c.weight * 0.5, true);
            }
            for alt in &c.alts {
                let words: Vec<String> = self
                    .analyzer
                    .terms(alt)
                    .into_iter()
                    .filter(|t| !t.sub)
                    .map(|t| t.text)
                    .collect();
                match words.as_slice() {
                    [one] => add_term(&mut clauses, one, c.weight, false),
                    [_, _, ..] => clauses.push(phrase(&words, c.weight)),
                    [] => {}
                }
            }
        }
        for p in q.required.iter().chain(&q.quoted) {
            if p.words.len() >= 2 {
                clauses.push(phrase(&p.words, 2.0));
            } else if let Some(w) = p.words.first() {
                add_term(&mut clauses, w, 1.0, false);
            }
        }
        clauses
    }

    fn candidates(&self, q: &Analysed, scope: Option<u32>) -> tantivy::Result<Vec<(u32, f32)>> {
        let f = self.fields;
        let w = &self.weights;
        let clauses = self.query_clauses(q);
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let mut query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        if let Some(issue) = scope.and_then(|i| self.corpus.issues.get(i as usize)) {
            let only = TermQuery::new(
                Term::from_field_text(f.issue, &issue.meta.id),
                IndexRecordOption::Basic,
            );
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(only), 0.0)),
                ),
            ]));
        }
        let searcher = self.reader.searcher();
        let top_docs =
            searcher.search(&query, &TopDocs::with_limit(w.candidates).order_by_score())?;
        let mut out = Vec::with_capacity(top_docs.len());
        for (score, addr) in top_docs {
            let seg = searcher.segment_reader(addr.segment_ord);
            let col = seg.fast_fields().u64("pid")?;
            if let Some(pid) = col.first(addr.doc_id) {
                out.push((pid as u32, score));
            }
        }
        Ok(out)
    }

    /// Passages holding a short question's word verbatim although the index does not hold it
    /// as a word (直联 inside 双直联, a word jieba cut differently in the text): the first
    /// complaint about Chinese search is "the word is there and search does not find it". Only
    /// short questions with such a word pay for the scan.
    fn verbatim_candidates(
        &self,
        q: &Analysed,
        scope: Option<u32>,
        already: &[(u32, f32)],
    ) -> Vec<u32> {
        let short = q.text.chars().filter(|c| c.is_alphanumeric()).count() <= VERBATIM_SCAN_CHARS;
        if !short {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let unknown: Vec<&str> = q
            .concepts
            .iter()
            .map(|c| c.word.as_str())
            .filter(|w| w.chars().count() >= 2)
            .filter(|w| {
                searcher
                    .doc_freq(&Term::from_field_text(self.fields.text, w))
                    .unwrap_or(0)
                    == 0
            })
            .collect();
        if unknown.is_empty() {
            return Vec::new();
        }
        let finders: Vec<memchr::memmem::Finder> = unknown
            .iter()
            .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
            .collect();
        let mut out = Vec::new();
        // One pass over the texts on disk, a large read at a time (see `index::texts`).
        let pids = match scope {
            Some(s) => self.issue_pids(s as usize),
            None => 0..self.entries.len(),
        };
        let scanned = self.texts.store.find_any(pids, &finders, |pid| {
            if !already.iter().any(|c| c.0 == pid as u32) {
                out.push(pid as u32);
            }
            out.len() < self.weights.candidates
        });
        if let Err(e) = scanned {
            self.text_failed(e.to_string());
        }
        out
    }

    /// Re-rank candidates by what BM25 cannot see (see `rank`). Ties go to the passage that
    /// comes first in the corpus, so that the same question always gets the same order.
    fn score(
        &self,
        q: &Analysed,
        matcher: &Matcher,
        candidates: &[(u32, f32)],
        clause_pids: &HashSet<u32>,
        keyword: Option<&str>,
    ) -> Vec<Scored> {
        let w = &self.weights;
        let max_bm25 = candidates
            .iter()
            .map(|c| c.1)
            .fold(0f32, f32::max)
            .max(1e-6);
        // Recognising names costs a jieba tagging pass per sentence, so a question asking 谁 is
        // first ranked without that cue, then its leading candidates again with it.
        let rank_one = |pid: u32, bm25: f32, with_person: bool| -> Option<Scored> {
            let e = self.entries.get(pid as usize)?;
            let p = self.passage_of(e);
            let t = self.text(pid)?;
            let text = t.folded_text();
            let label = self.label(e);
            let feat = if with_person {
                let persons = e.persons.get_or_init(|| {
                    t.sentences
                        .iter()
                        .map(|r| text.get(r.clone()).is_some_and(|s| self.has_person(s)))
                        .collect()
                });
                matcher.features(text, &t.sentences, &label, |i| {
                    persons.get(i).copied().unwrap_or(false)
                })
            } else {
                matcher.features(text, &t.sentences, &label, |_| false)
            };
            if !feat.required_ok {
                return None;
            }
            let verbatim_extra = feat.verbatim.min(w.verbatim_cap) as f32;
            let mut score = w.bm25 * bm25 / max_bm25
                + w.coverage * feat.coverage
                + w.proximity * feat.proximity
                + w.best_sentence * feat.best_score
                + w.quoted * feat.quoted
                + if feat.title { w.title } else { 0.0 }
                + if p.seq == 1 { w.lead } else { 0.0 }
                + w.verbatim * verbatim_extra
                + if keyword.is_some_and(|k| text.contains(k)) {
                    w.keyword
                } else {
                    0.0
                };
            if clause_pids.contains(&pid) {
                // That clause first; its first passage before its continuations.
                score += w.clause;
                let first = pid == 0
                    || self
                        .entries
                        .get(pid as usize - 1)
                        .map(|prev| {
                            let pp = &self.corpus.issues[prev.issue as usize].passages
                                [prev.passage as usize];
                            prev.issue != e.issue || pp.clause != p.clause
                        })
                        .unwrap_or(true);
                if first {
                    score += w.clause_first;
                }
            }
            Some(Scored {
                score,
                pid,
                bm25,
                feat,
            })
        };
        let order = |a: &Scored, b: &Scored| b.score.total_cmp(&a.score).then(a.pid.cmp(&b.pid));
        let mut scored: Vec<Scored> = candidates
            .iter()
            .filter_map(|&(pid, bm25)| rank_one(pid, bm25, false))
            .collect();
        if q.want == Want::Person {
            scored.sort_by(order);
            for s in scored.iter_mut().take(w.person_recheck) {
                if let Some(again) = rank_one(s.pid, s.bm25, true) {
                    *s = again;
                }
            }
        }
        if q.refers_to_article {
            scored.sort_by(order);
            for sc in scored.iter_mut().take(ARTICLE_RECHECK) {
                sc.score += w.article * self.article_credit(matcher, sc.pid);
            }
        }
        scored.sort_by(order);
        scored
    }

    /// The other passages of a passage's article. They are its neighbours in the passage
    /// table, which is in reading order.
    fn article_siblings(&self, pid: u32) -> impl Iterator<Item = &Entry> {
        let at = pid as usize;
        let home = self.entries.get(at).map(|e| {
            let issue = &self.corpus.issues[e.issue as usize];
            (e.issue, issue, issue.passages[e.passage as usize].article)
        });
        let same = move |o: &&Entry| {
            home.is_some_and(|(ii, issue, article)| {
                o.issue == ii && issue.passages[o.passage as usize].article == article
            })
        };
        let before = self.entries[..at.min(self.entries.len())]
            .iter()
            .rev()
            .take_while(same);
        let after = self
            .entries
            .get(at + 1..)
            .unwrap_or(&[])
            .iter()
            .take_while(same);
        before.chain(after)
    }

    /// The share of the question (by weight) that the rest of a passage's article holds and the
    /// passage itself does not: for questions that name the article by a word from it
    /// (四航局那篇说…).
    fn article_credit(&self, matcher: &Matcher, pid: u32) -> f32 {
        let Some(e) = self.entries.get(pid as usize) else {
            return 0.0;
        };
        let Some(own_text) = self.text(pid) else {
            return 0.0;
        };
        let own: Vec<f32> = matcher
            .label_credit(own_text.folded_text())
            .iter()
            .zip(matcher.label_credit(&self.label(e)))
            .map(|(a, b)| a.max(b))
            .collect();
        let mut elsewhere = vec![0f32; own.len()];
        for o in self.article_siblings(pid) {
            let Some(t) = self.text(o.pid) else {
                continue;
            };
            for (i, c) in matcher
                .label_credit(t.folded_text())
                .into_iter()
                .enumerate()
            {
                elsewhere[i] = elsewhere[i].max(c);
            }
        }
        let gained: f32 = matcher
            .concepts
            .iter()
            .enumerate()
            .map(|(i, c)| c.weight * (elsewhere[i] - own[i]).max(0.0))
            .sum();
        gained / matcher.total.max(1e-6)
    }

    /// The same paragraph printed twice (or nearly) is listed once.
    fn dedup(&self, scored: Vec<Scored>, top: usize) -> Vec<(u32, f32, Features)> {
        let mut out = Vec::new();
        let mut kept: Vec<(u64, Vec<u64>)> = Vec::new();
        for Scored {
            score, pid, feat, ..
        } in scored
        {
            if out.len() >= top {
                break;
            }
            let Some(e) = self.entries.get(pid as usize) else {
                continue;
            };
            if kept.iter().any(|k| k.0 == e.text_hash) {
                continue;
            }
            let Some(t) = self.text(pid) else {
                continue;
            };
            let sh = shingles(t.folded_text());
            if kept.iter().any(|k| jaccard(&k.1, &sh) > 0.8) {
                continue;
            }
            kept.push((e.text_hash, sh));
            out.push((pid, score, feat));
        }
        out
    }

    fn log_ranking(&self, q: &Analysed, matcher: &Matcher, scored: &[Scored]) {
        if !tracing::enabled!(tracing::Level::DEBUG) {
            return;
        }
        let words: Vec<String> = q
            .concepts
            .iter()
            .zip(&matcher.concepts)
            .map(|(c, m)| {
                format!(
                    "{}:{:.2}/{:.2}{}",
                    c.word,
                    m.weight,
                    m.evidence,
                    if m.indexed { "" } else { "!" }
                )
            })
            .collect();
        tracing::debug!(
            "concepts {:?} want {:?} clause {:?}",
            words,
            q.want,
            q.clause
        );
        for s in scored.iter().take(5) {
            let p = self.text(s.pid);
            let feat = &s.feat;
            tracing::debug!(
                "{:.3} cov {:.2} ev {:.2} evs {:.2} miss {:.2} tog {} verb {} prox {:.2} cue {} | {}",
                s.score,
                feat.coverage,
                feat.evidence,
                feat.evidence_share,
                feat.missing_share,
                feat.together,
                feat.verbatim,
                feat.proximity,
                feat.cue,
                p.as_ref()
                    .map(|t| t.orig.chars().take(40).collect::<String>())
                    .unwrap_or_default()
            );
        }
    }

    fn hit(&self, rank: usize, pid: u32, score: f32, feat: Option<&Features>) -> Option<Hit> {
        let t = self.text(pid)?;
        let none = Features {
            sentences: t.sentences.clone(),
            ..Features::default()
        };
        let feat = feat.unwrap_or(&none);
        let e = self.entries.get(pid as usize)?;
        let issue = self.corpus.issues.get(e.issue as usize)?;
        let p = issue.passages.get(e.passage as usize)?;
        let a = issue.articles.get(p.article)?;
        let folded_text = t.folded_text();
        let src = Source {
            orig: &t.orig,
            folded: t.folded.as_ref(),
        };
        let best_range = feat.sentences.get(feat.best).cloned().unwrap_or(0..0);
        Some(Hit {
            rank,
            passage: PassageRef {
                issue: issue.meta.id.clone(),
                index: e.passage as usize,
            },
            issue: issue.meta.id.clone(),
            magazine: issue.meta.magazine.clone(),
            issue_label: issue.meta.label(),
            total: issue.meta.total,
            article: a.title.clone(),
            seq: p.seq,
            column: a.column.clone(),
            pages: a.pages.clone(),
            clause: p.clause.clone(),
            source: a.source.clone(),
            text: t.orig.clone(),
            snippet: snippet(
                &src,
                folded_text,
                &feat.sentences,
                feat.best,
                &feat.occurrences,
            ),
            best_sentence: src.marked(best_range, &feat.occurrences),
            score,
        })
    }

    /// The passages of the clause a question names. 第三条 means clause (三) and 第三部分 part 三、,
    /// but an article numbered only by parts is cited with 条 too: both kinds are considered,
    /// and the passages whose article and heading match the rest of the question best are kept
    /// (七大行动第三项 is the third action of that article, not clause (三) of the 意见), the
    /// kind the reader wrote winning ties.
    fn clause_candidates(
        &self,
        q: &Analysed,
        matcher: &Matcher,
        scope: Option<u32>,
    ) -> HashSet<u32> {
        let Some(r) = q.clause else {
            return HashSet::new();
        };
        let other = ClauseRef {
            kind: match r.kind {
                ClauseKind::Paren => ClauseKind::Part,
                ClauseKind::Part => ClauseKind::Paren,
            },
            number: r.number,
        };
        let mut scored: Vec<(f32, bool, u32)> = Vec::new();
        for (preferred, key) in [(true, r), (false, other)] {
            for &pid in self.clauses.get(&key).into_iter().flatten() {
                let Some(e) = self.entries.get(pid as usize) else {
                    continue;
                };
                if scope.is_some_and(|s| s != e.issue) {
                    continue;
                }
                let label: f32 = matcher
                    .label_credit(&self.label(e))
                    .iter()
                    .zip(&matcher.concepts)
                    .map(|(credit, c)| credit * c.weight)
                    .sum();
                scored.push((label, preferred, pid));
            }
        }
        let best = scored
            .iter()
            .map(|s| (s.0, s.1))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let Some((best_label, best_kind)) = best else {
            return HashSet::new();
        };
        scored
            .into_iter()
            .filter(|s| s.0 >= best_label - 1e-3 && s.1 == best_kind)
            .map(|s| s.2)
            .collect()
    }

    /// Does a sentence name a person? 同志 follows a name in this magazine; otherwise a word the
    /// dictionaries tag `nr` (the user dictionary lists the people of each issue). Tagging
    /// without the HMM keeps this cheap: the HMM tagger costs ten times more per sentence.
    fn has_person(&self, s: &str) -> bool {
        s.contains("同志")
            || self
                .analyzer
                .jieba()
                .tag(s, false)
                .iter()
                .any(|t| t.tag == "nr" && t.word.chars().count() >= 2)
    }
}

/// Give each question word its thesaurus equivalents, and add the thesaurus terms the question
/// holds across several words (党的第十九次全国代表大会) as words of their own.
fn apply_thesaurus(q: &mut Analysed, t: &Thesaurus) {
    for c in &mut q.concepts {
        c.alts = t
            .alternatives(&c.word)
            .into_iter()
            .map(str::to_string)
            .collect();
    }
    for term in t.terms_in(&q.text) {
        if q.concepts
            .iter()
            .any(|c| c.word == term || c.alts.iter().any(|a| a == term))
        {
            continue;
        }
        let alts: Vec<String> = t
            .alternatives(term)
            .into_iter()
            .map(str::to_string)
            .collect();
        // The words the term is made of are the term now (肚皮 and 呼吸法 of 肚皮呼吸法).
        q.concepts.retain(|c| !term.contains(c.word.as_str()));
        q.concepts.push(super::query::Concept {
            word: term.to_string(),
            subs: Vec::new(),
            alts,
            weight: 1.0,
            setting: false,
            kind: false,
        });
    }
}

/// A question of 2–6 letters and ideographs is a keyword (腹式呼吸, 粤省事): a passage holding
/// it verbatim answers it, however jieba cut either side.
fn short_keyword(q: &Analysed) -> Option<String> {
    let key: String = q.text.chars().filter(|c| c.is_alphanumeric()).collect();
    let n = key.chars().count();
    ((2..=KEYWORD_CHARS).contains(&n) && q.clause.is_none() && q.meta.is_none()).then_some(key)
}

/// The longest non-overlapping `parts` of `word`, left to right, if together they cover at
/// least two thirds of its characters (卷首 of 卷首语, 青年 + 干部 of 青年干部); otherwise none,
/// since a few stray sub-words (天天 of 今天天气) are not what the word means.
fn covering_parts<'a>(word: &str, parts: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut spans: Vec<(usize, usize, &String)> = Vec::new();
    for p in parts {
        for (i, _) in word.match_indices(p.as_str()) {
            spans.push((i, i + p.len(), p));
        }
    }
    spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    let mut chosen: Vec<String> = Vec::new();
    let (mut at, mut covered) = (0usize, 0usize);
    for (a, b, p) in spans {
        if a < at {
            continue;
        }
        covered += word[a..b].chars().count();
        at = b;
        if !chosen.contains(p) {
            chosen.push(p.clone());
        }
    }
    if covered * 3 >= word.chars().count() * 2 {
        chosen
    } else {
        Vec::new()
    }
}

/// The folded lines by which readers name an article: title, printed title, column and
/// source (谢松的文章, 吴紫骊那篇).
fn article_label(a: &Article) -> Box<str> {
    let mut label = String::new();
    for line in [
        Some(&a.title),
        a.body_title.as_ref(),
        Some(&a.column),
        a.source.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        label.push_str(line);
        label.push('\n');
    }
    fold_str(&label).into_boxed_str()
}

/// Character 4-grams of a text (packed, sorted, distinct), for near-duplicate detection.
fn shingles(text: &str) -> Vec<u64> {
    let chars: Vec<u64> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c as u64)
        .collect();
    let mut v: Vec<u64> = chars
        .windows(4)
        .map(|w| (w[0] << 48) ^ (w[1] << 32) ^ (w[2] << 16) ^ w[3] ^ (w[0] >> 16 << 8))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        1.0
    } else {
        inter as f32 / union as f32
    }
}
