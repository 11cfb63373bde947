//! Writing an index generation from a corpus.

use super::analyzer::Analyzer;
use super::schema::{build_schema, Fields};
use super::tokenizer::{KuayueTokenizer, TOKENIZER_NAME};
use crate::corpus::Corpus;
use std::path::Path;
use tantivy::{Index, IndexWriter, TantivyDocument};

/// Memory the writer may use before it flushes a segment. Small on purpose: the whole issue fits,
/// and the bot's resident memory stays low while it reindexes.
const WRITER_MEMORY: usize = 20_000_000;

/// Register our tokenizer on an index (created or opened): the schema refers to it by name.
pub(crate) fn register(index: &Index, analyzer: &Analyzer) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, KuayueTokenizer::new(analyzer.clone()));
}

/// The heading text of a passage: its clause label and the part that holds it.
pub(crate) fn heading_of(clause: Option<&str>, section: Option<&str>) -> String {
    [section, clause]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Index every passage of `corpus` into a new index in `dir` (which must exist and be empty).
/// Passages are numbered in corpus order (issues, then passages): that number is `pid`.
pub(crate) fn build_index(
    dir: &Path,
    corpus: &Corpus,
    analyzer: &Analyzer,
) -> tantivy::Result<Index> {
    let (schema, f) = build_schema();
    let index = Index::create_in_dir(dir, schema)?;
    register(&index, analyzer);
    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
    // A generation is written once and never updated: merging its segments in the background
    // would only cost memory and time during the build.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    let mut pid = 0u64;
    for issue in &corpus.issues {
        for p in &issue.passages {
            let doc = passage_doc(&f, issue, p, pid);
            writer.add_document(doc)?;
            pid += 1;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(index)
}

fn passage_doc(
    f: &Fields,
    issue: &crate::corpus::Issue,
    p: &crate::corpus::Passage,
    pid: u64,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.text, &p.text);
    let heading = heading_of(p.clause.as_deref(), p.section.as_deref());
    if !heading.is_empty() {
        doc.add_text(f.heading, &heading);
    }
    if let Some(a) = issue.articles.get(p.article) {
        doc.add_text(f.title, &a.title);
        if let Some(bt) = &a.body_title {
            doc.add_text(f.title, bt);
        }
        doc.add_text(f.column, &a.column);
    }
    doc.add_u64(f.pid, pid);
    doc.add_text(f.issue, &issue.meta.id);
    doc
}
