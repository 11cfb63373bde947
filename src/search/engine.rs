//! The engine: corpus + shared dictionary + one open index generation, and the search itself.
//!
//! `ask` runs in four steps: analyse the question (`query`), fetch candidates with a BM25
//! `BooleanQuery` built term by term (never through tantivy's query parser), re-rank them
//! (`rank`), then cut snippets and best sentences (`snippet`). Everything it needs per passage
//! (folded text, folded labels, clause numbers) is prepared once when the engine opens.

use super::clause::{label_ref, ClauseRef};
use super::error::SearchError;
use super::query::{analyse, Analysed};
use super::rank::{Features, Matcher};
use super::snippet::{snippet, Source};
use super::{Answer, Hit, PassageRef};
use crate::config::Paths;
use crate::corpus::{self, Article, Corpus, IssueMeta, Passage};
use crate::index::build::{build_index, register};
use crate::index::generation::{self, Pointer};
use crate::index::schema::Fields;
use crate::index::{fold, fold_str, Analyzer, Folded};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{Index, IndexReader, ReloadPolicy};

/// How many BM25 candidates are re-ranked.
const CANDIDATES: usize = 40;
/// Field weights, relative to the passage text.
const HEADING_BOOST: f32 = 1.5;
const TITLE_BOOST: f32 = 1.2;
const COLUMN_BOOST: f32 = 0.5;
/// The top passage answers when it covers at least this share of the question's content…
const MIN_COVERAGE: f32 = 0.5;
/// …or when several content words (at least this much weight) meet in neighbouring sentences.
/// Questions the magazine cannot answer match one stray word at best (广州 of 广州天气).
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

/// Per passage, prepared at open: where it is and its folded forms.
struct Entry {
    issue: u32,
    passage: u32,
    /// The folded passage text, when folding changed it.
    folded: Option<Folded>,
    /// Folded article title, body title, column, part and clause label.
    label: String,
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
    let (analyzer, dict) =
        Analyzer::load(&dict_path).map_err(|source| SearchError::Dictionary {
            path: dict_path.clone(),
            source,
        })?;
    let corpus = corpus::load_dir(&paths.corpus_dir)?;
    if corpus.passage_count() == 0 {
        return Err(SearchError::NothingToIndex);
    }
    Ok((analyzer, dict, corpus))
}

impl Engine {
    /// Open the index generation that matches the corpus and dictionary, or build one.
    pub fn open(paths: &Paths, progress: &mut dyn FnMut(&str)) -> Result<Engine, SearchError> {
        let (analyzer, dict, corpus) = load_inputs(paths)?;
        let fingerprint = generation::fingerprint(&corpus, &dict);
        if let Some(p) = generation::read_pointer(&paths.data_dir) {
            let dir = generation::generation_dir(&paths.data_dir, &p.generation);
            if p.fingerprint == fingerprint && generation::is_ready(&dir) {
                match Index::open_in_dir(&dir) {
                    Ok(index) => {
                        return Engine::from_index(corpus, analyzer, index, p.generation.clone())
                            .map_err(|source| SearchError::Index { path: dir, source });
                    }
                    Err(e) => tracing::warn!("index {} unusable, rebuilding: {e}", dir.display()),
                }
            }
        }
        progress("正在建立索引…");
        let (engine, stats) = Engine::build(corpus, analyzer, &fingerprint, &paths.data_dir)?;
        progress(&format!(
            "索引已建立：{} 期、{} 篇、{} 段，用时 {:.2} 秒",
            stats.issues, stats.articles, stats.passages, stats.seconds
        ));
        Ok(engine)
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
        std::fs::create_dir_all(data_dir).map_err(|source| SearchError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let gen = generation::new_generation(fingerprint);
        let dir = generation::generation_dir(data_dir, &gen);
        std::fs::create_dir_all(&dir).map_err(|source| SearchError::DataDir {
            path: dir.clone(),
            source,
        })?;
        let index = build_index(&dir, &corpus, &analyzer).map_err(|source| SearchError::Index {
            path: dir.clone(),
            source,
        })?;
        let io = |source| SearchError::Io {
            path: dir.clone(),
            source,
        };
        generation::mark_ready(&dir).map_err(io)?;
        generation::write_pointer(
            data_dir,
            &Pointer {
                generation: gen.clone(),
                fingerprint: fingerprint.to_string(),
            },
        )
        .map_err(|source| SearchError::Io {
            path: data_dir.join(generation::POINTER_FILE),
            source,
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
            .map_err(|source| SearchError::Index { path: dir, source })?;
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
                entries.push(Entry {
                    text_hash,
                    issue: ii as u32,
                    passage: pi as u32,
                    folded: (!f.is_identity()).then_some(f),
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
        let mut idf_cache: HashMap<&str, f32> = HashMap::new();
        let f = self.fields;
        let idf_of = |w: &str| -> f32 {
            let df = [f.text, f.heading, f.title]
                .iter()
                .map(|&field| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, w))
                        .unwrap_or(0)
                })
                .max()
                .unwrap_or(0) as f32;
            (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln()
        };
        for c in &q.concepts {
            idf_cache.insert(c.word.as_str(), idf_of(&c.word));
        }
        let matcher = Matcher::new(q, |w| idf_cache.get(w).copied().unwrap_or(1.0));

        // Candidates: BM25 over text, heading, title and column, term by term.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let add_term = |clauses: &mut Vec<(Occur, Box<dyn Query>)>, word: &str, weight: f32| {
            for (field, boost) in [
                (f.text, 1.0),
                (f.heading, HEADING_BOOST),
                (f.title, TITLE_BOOST),
                (f.column, COLUMN_BOOST),
            ] {
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
            add_term(&mut clauses, &c.word, c.weight);
            for s in &c.subs {
                add_term(&mut clauses, s, c.weight * 0.5);
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
                add_term(&mut clauses, w, 1.0);
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
        let clause_pids: HashSet<u32> = q
            .clause
            .and_then(|r| self.clauses.get(&r))
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
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

        // Re-rank.
        let mut scored: Vec<(f32, u32, bool, Features)> = Vec::with_capacity(candidates.len());
        let person = |s: &str| self.has_person(s);
        for &(pid, bm25) in &candidates {
            let Some(e) = self.entries.get(pid as usize) else {
                continue;
            };
            let (_, text) = self.text_of(e);
            let feat = matcher.features(text, &e.label, person);
            if !feat.required_ok {
                continue;
            }
            let mut score = 0.3 * bm25 / max_bm25
                + 1.0 * feat.coverage
                + 1.0 * feat.proximity
                + if feat.cue { 0.2 } else { 0.0 }
                + 0.5 * feat.quoted
                + if feat.title { 0.3 } else { 0.0 };
            if clause_pids.contains(&pid) {
                // That clause first; its first passage before its continuations.
                score += 3.0;
                let p = &self.corpus.issues[e.issue as usize].passages[e.passage as usize];
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
            let answers = feat.coverage >= MIN_COVERAGE
                || (feat.together >= 2 && feat.matched >= MIN_TOGETHER_WEIGHT);
            scored.push((score, pid, answers, feat));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        if tracing::enabled!(tracing::Level::DEBUG) {
            let words: Vec<String> = q
                .concepts
                .iter()
                .zip(&matcher.concepts)
                .map(|(c, m)| format!("{}:{:.2}", c.word, m.weight))
                .collect();
            tracing::debug!(
                "concepts {:?} want {:?} clause {:?}",
                words,
                q.want,
                q.clause
            );
            for (score, pid, _, feat) in scored.iter().take(5) {
                let e = &self.entries[*pid as usize];
                let (p, _) = self.text_of(e);
                let bm25 = candidates
                    .iter()
                    .find(|c| c.0 == *pid)
                    .map(|c| c.1)
                    .unwrap_or(0.0);
                tracing::debug!(
                    "{score:.3} cov {:.2} abs {:.2} tog {} prox {:.2} cue {} bm25 {:.2} | {}",
                    feat.coverage,
                    feat.matched,
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
        let clause_hit = clause_pids.contains(&best.1);
        if !clause_hit && q.required.is_empty() && !best.2 {
            return Ok(Vec::new());
        }

        // Near-duplicates (the same paragraph reprinted) are listed once.
        let mut hits = Vec::new();
        let mut kept: Vec<(u64, HashSet<u64>)> = Vec::new();
        for (score, pid, _, feat) in scored {
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

    /// Does a sentence name a person (a dictionary name, or a name jieba recognises)?
    fn has_person(&self, s: &str) -> bool {
        self.analyzer
            .jieba()
            .tag(s, true)
            .iter()
            .any(|t| t.tag == "nr" && t.word.chars().count() >= 2)
            || s.contains("同志")
    }
}

fn hash_str(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Character 4-gram hashes of a text, for near-duplicate detection.
fn shingles(text: &str) -> HashSet<u64> {
    use std::hash::{Hash, Hasher};
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .windows(4)
        .map(|w| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect()
}

fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f32 {
    let inter = a.intersection(b).count() as f32;
    let union = (a.len() + b.len()) as f32 - inter;
    if union <= 0.0 {
        1.0
    } else {
        inter / union
    }
}
