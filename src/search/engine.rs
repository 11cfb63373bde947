//! The engine: corpus + shared dictionary + one open index generation, and the search itself.
//!
//! `ask` runs in four steps: analyse the question (`query`), fetch candidates with a BM25
//! `BooleanQuery` built term by term (never through tantivy's query parser), re-rank them
//! (`rank`), then cut snippets and best sentences (`snippet`). Everything it needs per passage
//! (folded text, folded labels, clause numbers) is prepared once when the engine opens.

use super::clause::{label_ref, ClauseKind, ClauseRef};
use super::error::SearchError;
use super::query::{analyse, Analysed, Want};
use super::rank::{Features, Matcher, Rarity};
use super::snippet::{snippet, Source};
use super::{Answer, Hit, PassageRef};
use crate::config::Paths;
use crate::corpus::{self, Article, Corpus, IssueMeta, Passage};
use crate::index::build::{build_index, register};
use crate::index::generation::{self, Pointer};
use crate::index::schema::Fields;
use crate::index::verify;
use crate::index::{fold, fold_str, Analyzer, Folded};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{Index, IndexReader, ReloadPolicy};

/// How many BM25 candidates are re-ranked.
const CANDIDATES: usize = 25;
/// Field weights, relative to the passage text.
const HEADING_BOOST: f32 = 1.5;
const TITLE_BOOST: f32 = 1.2;
const COLUMN_BOOST: f32 = 0.5;
/// The top passage answers when it holds at least this share of the question's evidence weight
/// (each word weighted by its rarity, place and time words less: see `rank::SETTING_EVIDENCE`)…
const MIN_COVERAGE: f32 = 0.5;
/// …or when several topical words (at least this much evidence weight) meet in neighbouring
/// sentences. Questions the magazine cannot answer match stray words at best: 广州 of 广州天气,
/// 广州 and 深圳 of 广州到深圳的高铁, 开 and 机 of 电脑开不了机.
const MIN_TOGETHER_WEIGHT: f32 = 4.0;

/// What `rebuild` (and the first build of `open`) did.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildStats {
    pub issues: usize,
    pub articles: usize,
    pub passages: usize,
    pub seconds: f64,
    pub generation: String,
}

/// Weight of the best sentence (its own coverage plus answer-type cue) in the final score.
const BEST_SENTENCE_WEIGHT: f32 = 0.25;

/// Weight of a question word that is neither in the dictionary nor in the index.
const UNKNOWN_WORD_FACTOR: f32 = 0.5;

/// A small preference for an article's first passage, for questions that ask what it is about.
const LEAD_BONUS: f32 = 0.03;

/// A re-ranked candidate.
struct Scored {
    score: f32,
    pid: u32,
    bm25: f32,
    /// Whether this passage matches enough of the question to count as an answer.
    answers: bool,
    feat: Features,
}

/// How many leading candidates of a 谁 question are checked for names.
const PERSON_RECHECK: usize = 6;

/// Per passage, prepared at open: where it is and its folded forms.
struct Entry {
    issue: u32,
    passage: u32,
    /// The folded passage text, when folding changed it.
    folded: Option<Folded>,
    /// Folded article title, body title, column, part and clause label.
    label: String,
    /// Sentence spans of the folded text.
    sentences: Vec<std::ops::Range<usize>>,
    /// Which sentences name a person: tagged on the first 谁 question that needs it, then kept.
    persons: OnceLock<Vec<bool>>,
    /// Hash of the folded text: the same paragraph reprinted is recognised without comparing.
    text_hash: u64,
}

/// The search engine. `Send + Sync`: share it behind an `Arc` and swap it after a rebuild.
pub struct Engine {
    corpus: Corpus,
    analyzer: Analyzer,
    reader: IndexReader,
    fields: Fields,
    entries: Vec<Entry>,
    /// Passage ids by clause number, in corpus order.
    clauses: HashMap<ClauseRef, Vec<u32>>,
    generation: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("generation", &self.generation)
            .field("passages", &self.entries.len())
            .finish()
    }
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
    pub fn open_resilient(
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Engine, Vec<String>), SearchError> {
        let dict_path = paths.corpus_dir.join("user.dict");
        let (analyzer, dict) =
            Analyzer::load(&dict_path).map_err(|err| SearchError::Dictionary {
                path: dict_path.clone(),
                err,
            })?;
        let mut warnings = Vec::new();
        let corpus = match corpus::load_dir(&paths.corpus_dir) {
            Ok(corpus) => corpus,
            Err(broken) => {
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
                    .map_err(|e| e.to_string())
                    .and_then(|index| {
                        Engine::from_index(
                            corpus.clone(),
                            analyzer.clone(),
                            index,
                            p.generation.clone(),
                        )
                        .map_err(|e| e.to_string())
                    });
                match opened {
                    Ok(engine) => return Ok((engine, warnings)),
                    Err(e) => {
                        tracing::warn!("index {} unusable, rebuilding: {e}", dir.display());
                        warnings.push(format!("索引已损坏，已从语料自动重建：{e}"));
                    }
                }
            }
        }
        progress("正在建立索引…");
        let (engine, stats) = Engine::build(corpus, analyzer, &fingerprint, &paths.data_dir)?;
        progress(&format!(
            "索引已建立：{} 期、{} 篇、{} 段，用时 {:.2} 秒",
            stats.issues, stats.articles, stats.passages, stats.seconds
        ));
        Ok((engine, warnings))
    }

    /// The generation `index.current` names, with the corpus it was built from, if it passes
    /// its checks.
    fn open_last_good(paths: &Paths, analyzer: &Analyzer) -> Option<Engine> {
        let p = generation::read_pointer(&paths.data_dir)?;
        let dir = generation::generation_dir(&paths.data_dir, &p.generation);
        let opened = verify::read_snapshot(&dir).and_then(|corpus| {
            let index = verify::open_verified(&dir)?;
            Ok(Engine::from_index(
                corpus,
                analyzer.clone(),
                index,
                p.generation.clone(),
            )?)
        });
        match opened {
            Ok(engine) => Some(engine),
            Err(e) => {
                tracing::warn!("no last good index to fall back on: {e}");
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
        let (analyzer, dict, corpus) = load_inputs(paths)?;
        let fingerprint = generation::fingerprint(&corpus, &dict);
        progress("正在建立索引…");
        Engine::build(corpus, analyzer, &fingerprint, &paths.data_dir)
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
        // Serve from memory, as a later open would: see `index::verify`.
        let index = verify::open_verified(&dir).map_err(|e| SearchError::Io {
            path: dir.clone(),
            err: std::io::Error::other(e.to_string()),
        })?;
        generation::write_pointer(
            data_dir,
            &Pointer {
                generation: gen.clone(),
                fingerprint: fingerprint.to_string(),
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
        let engine = Engine::from_index(corpus, analyzer, index, gen)
            .map_err(|err| SearchError::Index { path: dir, err })?;
        tracing::debug!("engine ready in {:?}", started.elapsed());
        Ok((engine, stats))
    }

    fn from_index(
        corpus: Corpus,
        analyzer: Analyzer,
        index: Index,
        generation: String,
    ) -> tantivy::Result<Engine> {
        register(&index, &analyzer);
        let fields = Fields::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut entries = Vec::with_capacity(corpus.passage_count());
        let mut clauses: HashMap<ClauseRef, Vec<u32>> = HashMap::new();
        for (ii, issue) in corpus.issues.iter().enumerate() {
            for (pi, p) in issue.passages.iter().enumerate() {
                let article = issue.articles.get(p.article);
                let mut label = String::new();
                if let Some(a) = article {
                    label.push_str(&a.title);
                    label.push('\n');
                    if let Some(bt) = &a.body_title {
                        label.push_str(bt);
                        label.push('\n');
                    }
                    label.push_str(&a.column);
                    label.push('\n');
                }
                for h in [&p.section, &p.clause].into_iter().flatten() {
                    label.push_str(h);
                    label.push('\n');
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
                let f = fold(&p.text);
                let text_hash = hash_str(&f.text);
                let sentences = super::rank::sentences(&f.text);
                entries.push(Entry {
                    sentences,
                    persons: OnceLock::new(),
                    text_hash,
                    issue: ii as u32,
                    passage: pi as u32,
                    folded: (f.text != p.text).then_some(f),
                    label: fold_str(&label),
                });
            }
        }
        Ok(Engine {
            corpus,
            analyzer,
            reader,
            fields,
            entries,
            clauses,
            generation,
        })
    }

    pub fn corpus(&self) -> &Corpus {
        &self.corpus
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
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
        let q = analyse(&self.analyzer, question);
        let hits = match self.search(&q, top.clamp(1, 50)) {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!("search failed: {e}");
                Vec::new()
            }
        };
        Answer {
            question: question.to_string(),
            not_found: hits.is_empty(),
            traditional: q.traditional,
            hits,
        }
    }

    /// Like [`Engine::ask`], but a search that fails inside the index is an error instead of
    /// an empty answer, so that the bot can tell a damaged index from a question the
    /// magazine does not answer.
    pub fn try_ask(&self, question: &str, top: usize) -> tantivy::Result<Answer> {
        let q = analyse(&self.analyzer, question);
        let hits = self.search(&q, top.clamp(1, 50))?;
        Ok(Answer {
            question: question.to_string(),
            not_found: hits.is_empty(),
            traditional: q.traditional,
            hits,
        })
    }

    fn text_of<'a>(&'a self, e: &'a Entry) -> (&'a Passage, &'a str) {
        let p = &self.corpus.issues[e.issue as usize].passages[e.passage as usize];
        let folded = e
            .folded
            .as_ref()
            .map(|f| f.text.as_str())
            .unwrap_or(&p.text);
        (p, folded)
    }

    fn search(&self, q: &Analysed, top: usize) -> tantivy::Result<Vec<Hit>> {
        if q.concepts.is_empty() && q.clause.is_none() && q.required.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let n_docs = searcher.num_docs().max(1) as f32;
        let mut idf_cache: HashMap<&str, Rarity> = HashMap::new();
        let f = self.fields;
        let jieba = self.analyzer.jieba();
        let idf_of = |w: &str| -> Rarity {
            let df = [f.text, f.heading, f.title]
                .iter()
                .map(|&field| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, w))
                        .unwrap_or(0)
                })
                .max()
                .unwrap_or(0) as f32;
            let idf = (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln();
            // A Chinese "word" that neither the dictionary nor the magazine knows was guessed
            // by jieba's HMM, often by gluing a function character to a content one (要花,
            // 来评): it counts half, so that a guess cannot outweigh the words of the question
            // that are real.
            let idf =
                if df == 0.0 && w.chars().all(crate::index::fold::is_cjk) && !jieba.has_word(w) {
                    idf * UNKNOWN_WORD_FACTOR
                } else {
                    idf
                };
            Rarity {
                idf,
                indexed: df > 0.0,
            }
        };
        for c in &q.concepts {
            idf_cache.insert(c.word.as_str(), idf_of(&c.word));
        }
        let matcher = Matcher::new(q, |w| {
            idf_cache.get(w).copied().unwrap_or(Rarity {
                idf: 1.0,
                indexed: true,
            })
        });

        // Candidates: BM25 over text, heading, title and column, term by term.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Sub-words are looked up in the text and title only: the heading and
        // column are short, and each extra clause costs time on every question.
        let add_term =
            |clauses: &mut Vec<(Occur, Box<dyn Query>)>, word: &str, weight: f32, sub: bool| {
                let fields: &[(tantivy::schema::Field, f32)] = if sub {
                    &[(f.text, 1.0), (f.title, TITLE_BOOST)]
                } else {
                    &[
                        (f.text, 1.0),
                        (f.heading, HEADING_BOOST),
                        (f.title, TITLE_BOOST),
                        (f.column, COLUMN_BOOST),
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
        }
        for p in q.required.iter().chain(&q.quoted) {
            if p.words.len() >= 2 {
                let terms = p
                    .words
                    .iter()
                    .map(|w| Term::from_field_text(f.text, w))
                    .collect();
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), 2.0)),
                ));
            } else if let Some(w) = p.words.first() {
                add_term(&mut clauses, w, 1.0, false);
            }
        }
        let mut candidates: Vec<(u32, f32)> = Vec::new();
        if !clauses.is_empty() {
            let query = BooleanQuery::new(clauses);
            let top_docs =
                searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
            for (score, addr) in top_docs {
                let seg = searcher.segment_reader(addr.segment_ord);
                let col = seg.fast_fields().u64("pid")?;
                if let Some(pid) = col.first(addr.doc_id) {
                    candidates.push((pid as u32, score));
                }
            }
        }
        // The clause a reader names is a candidate whatever its words.
        let clause_pids = self.clause_candidates(q, &matcher);
        for &pid in &clause_pids {
            if !candidates.iter().any(|c| c.0 == pid) {
                candidates.push((pid, 0.0));
            }
        }
        let max_bm25 = candidates
            .iter()
            .map(|c| c.1)
            .fold(0f32, f32::max)
            .max(1e-6);

        // Re-rank. Recognising names costs a jieba tagging pass per sentence, so a question
        // asking 谁 is first ranked without that cue, then its leading candidates again with it.
        let rank_one = |pid: u32, bm25: f32, with_person: bool| -> Option<Scored> {
            let e = self.entries.get(pid as usize)?;
            let (p, text) = self.text_of(e);
            let feat = if with_person {
                let persons = e.persons.get_or_init(|| {
                    e.sentences
                        .iter()
                        .map(|r| text.get(r.clone()).is_some_and(|s| self.has_person(s)))
                        .collect()
                });
                matcher.features(text, &e.sentences, &e.label, |i| {
                    persons.get(i).copied().unwrap_or(false)
                })
            } else {
                matcher.features(text, &e.sentences, &e.label, |_| false)
            };
            if !feat.required_ok {
                return None;
            }
            let mut score = 0.3 * bm25 / max_bm25
                + 1.0 * feat.coverage
                + 1.0 * feat.proximity
                + BEST_SENTENCE_WEIGHT * feat.best_score
                + 0.5 * feat.quoted
                + if feat.title { 0.3 } else { 0.0 }
                // The opening passage of an article says what it is about: it wins ties.
                + if p.seq == 1 { LEAD_BONUS } else { 0.0 };
            if clause_pids.contains(&pid) {
                // That clause first; its first passage before its continuations.
                score += 3.0;
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
                    score += 0.2;
                }
            }
            let answers = feat.evidence_share >= MIN_COVERAGE
                || (feat.together >= 2 && feat.evidence >= MIN_TOGETHER_WEIGHT);
            Some(Scored {
                score,
                pid,
                bm25,
                answers,
                feat,
            })
        };
        let mut scored: Vec<Scored> = candidates
            .iter()
            .filter_map(|&(pid, bm25)| rank_one(pid, bm25, false))
            .collect();
        if q.want == Want::Person {
            scored.sort_by(|a, b| b.score.total_cmp(&a.score));
            for s in scored.iter_mut().take(PERSON_RECHECK) {
                if let Some(again) = rank_one(s.pid, s.bm25, true) {
                    *s = again;
                }
            }
        }
        scored.sort_by(|a, b| b.score.total_cmp(&a.score));
        if tracing::enabled!(tracing::Level::DEBUG) {
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
            for Scored {
                score,
                pid,
                bm25,
                feat,
                ..
            } in scored.iter().take(5)
            {
                let e = &self.entries[*pid as usize];
                let (p, _) = self.text_of(e);
                tracing::debug!(
                    "{score:.3} cov {:.2} ev {:.2} evs {:.2} tog {} prox {:.2} cue {} bm25 {:.2} | {}",
                    feat.coverage,
                    feat.evidence,
                    feat.evidence_share,
                    feat.together,
                    feat.proximity,
                    feat.cue,
                    bm25 / max_bm25,
                    p.text.chars().take(40).collect::<String>()
                );
            }
        }
        let Some(best) = scored.first() else {
            return Ok(Vec::new());
        };
        let clause_hit = clause_pids.contains(&best.pid);
        if !clause_hit && q.required.is_empty() && !best.answers {
            return Ok(Vec::new());
        }

        // Near-duplicates (the same paragraph reprinted) are listed once.
        let mut hits = Vec::new();
        let mut kept: Vec<(u64, Vec<u64>)> = Vec::new();
        for Scored {
            score, pid, feat, ..
        } in scored
        {
            if hits.len() >= top {
                break;
            }
            let e = &self.entries[pid as usize];
            if kept.iter().any(|k| k.0 == e.text_hash) {
                continue;
            }
            let (_, text) = self.text_of(e);
            let sh = shingles(text);
            if kept.iter().any(|k| jaccard(&k.1, &sh) > 0.8) {
                continue;
            }
            kept.push((e.text_hash, sh));
            if let Some(h) = self.hit(hits.len() + 1, pid, score, &feat) {
                hits.push(h);
            }
        }
        Ok(hits)
    }

    fn hit(&self, rank: usize, pid: u32, score: f32, feat: &Features) -> Option<Hit> {
        let e = self.entries.get(pid as usize)?;
        let issue = self.corpus.issues.get(e.issue as usize)?;
        let p = issue.passages.get(e.passage as usize)?;
        let a = issue.articles.get(p.article)?;
        let (_, folded_text) = self.text_of(e);
        let src = Source {
            orig: &p.text,
            folded: e.folded.as_ref(),
        };
        let best_range = feat.sentences.get(feat.best).cloned().unwrap_or(0..0);
        Some(Hit {
            rank,
            passage: PassageRef {
                issue: issue.meta.id.clone(),
                index: e.passage as usize,
            },
            issue: issue.meta.id.clone(),
            issue_label: issue.meta.label(),
            article: a.title.clone(),
            column: a.column.clone(),
            pages: a.pages.clone(),
            clause: p.clause.clone(),
            text: p.text.clone(),
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
    fn clause_candidates(&self, q: &Analysed, matcher: &Matcher) -> HashSet<u32> {
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
                let label: f32 = matcher
                    .label_credit(&e.label)
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

fn hash_str(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
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
