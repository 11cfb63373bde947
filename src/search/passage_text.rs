//! A passage's text as the ranking reads it, and the few the engine keeps at hand.
//!
//! Texts live on disk (see [`crate::index::texts`]); a question reads its candidates' texts,
//! often several times over (scoring, the article around a candidate, de-duplication, the
//! snippet), and the next question often reads the same ones. A small cache of decoded texts
//! serves those repeats without holding the corpus in memory.

use super::rank::sentences;
use crate::index::{fold, Folded};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// One passage's text, folded and cut into sentences.
#[derive(Debug)]
pub(crate) struct PassageText {
    /// The text as printed.
    pub orig: String,
    /// The folded text, when folding changed it.
    pub folded: Option<Folded>,
    /// Sentence spans of the folded text.
    pub sentences: Vec<Range<usize>>,
}

impl PassageText {
    /// `fold_changes` is what the text store recorded: when false, folding is skipped.
    pub(crate) fn new(orig: String, fold_changes: bool) -> PassageText {
        let folded = if fold_changes {
            Some(fold(&orig)).filter(|f| f.text != orig)
        } else {
            None
        };
        let sentences = sentences(folded.as_ref().map(|f| f.text.as_str()).unwrap_or(&orig));
        PassageText {
            orig,
            folded,
            sentences,
        }
    }

    /// The folded text: what questions are compared with.
    pub(crate) fn folded_text(&self) -> &str {
        self.folded
            .as_ref()
            .map(|f| f.text.as_str())
            .unwrap_or(&self.orig)
    }
}

/// How many decoded texts each of the cache's two generations holds: a question reads a few
/// hundred at most, so the last question or two stay at hand (about 1 MB).
const GENERATION: usize = 512;

/// The recently read texts: a new generation starts when the current one is full, and the one
/// before it is dropped, so that what was read lately stays and memory stays bounded.
#[derive(Debug, Default)]
pub(crate) struct TextCache {
    inner: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    hot: HashMap<u32, Arc<PassageText>>,
    cold: HashMap<u32, Arc<PassageText>>,
}

impl TextCache {
    /// Passage `pid`'s text, from the cache or from `load`.
    pub(crate) fn get<E>(
        &self,
        pid: u32,
        load: impl FnOnce() -> Result<PassageText, E>,
    ) -> Result<Arc<PassageText>, E> {
        if let Some(t) = self.lookup(pid) {
            return Ok(t);
        }
        // Read outside the lock: another question may read another text meanwhile.
        let text = Arc::new(load()?);
        self.insert(pid, Arc::clone(&text));
        Ok(text)
    }

    fn lookup(&self, pid: u32) -> Option<Arc<PassageText>> {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = g.hot.get(&pid) {
            return Some(Arc::clone(t));
        }
        let t = g.cold.remove(&pid)?;
        g.put(pid, Arc::clone(&t));
        Some(t)
    }

    fn insert(&self, pid: u32, text: Arc<PassageText>) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.put(pid, text);
    }
}

impl Generations {
    fn put(&mut self, pid: u32, text: Arc<PassageText>) {
        if self.hot.len() >= GENERATION {
            self.cold = std::mem::take(&mut self.hot);
        }
        self.hot.insert(pid, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_is_kept_only_where_it_changes_the_text() {
        let t = PassageText::new("廣東。第二句".into(), true);
        assert_eq!(t.folded_text(), "广东。第二句");
        assert_eq!(t.sentences.len(), 2);
        let plain = PassageText::new("广东".into(), true);
        assert!(plain.folded.is_none());
        assert_eq!(plain.folded_text(), "广东");
    }

    #[test]
    fn the_cache_keeps_recent_texts_and_stays_bounded() {
        let cache = TextCache::default();
        let mut loads = 0;
        for round in 0..2 {
            for pid in 0..10u32 {
                let t = cache
                    .get::<()>(pid, || {
                        loads += 1;
                        Ok(PassageText::new(format!("第{pid}段"), false))
                    })
                    .unwrap();
                assert_eq!(t.orig, format!("第{pid}段"), "round {round}");
            }
        }
        assert_eq!(loads, 10, "the second round came from the cache");
        for pid in 100..100 + 3 * GENERATION as u32 {
            cache
                .get::<()>(pid, || Ok(PassageText::new(String::new(), false)))
                .unwrap();
        }
        let g = cache.inner.lock().unwrap();
        assert!(g.hot.len() + g.cold.len() <= 2 * GENERATION);
        assert!(!g.hot.contains_key(&0) && !g.cold.contains_key(&0));
    }
}
