//! The tantivy side of the analyzer: a `Tokenizer` registered as [`TOKENIZER_NAME`].
//!
//! tantivy clones a tokenizer for each use; this one holds only an `Arc` to the shared jieba
//! dictionary, so a clone costs a reference count (the `tantivy_jieba` crate keeps the dictionary
//! by value, which makes every query copy it).

use super::analyzer::Analyzer;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the schema uses for the text fields.
pub(crate) const TOKENIZER_NAME: &str = "kuayue";

#[derive(Clone, Debug)]
pub(crate) struct KuayueTokenizer {
    analyzer: Analyzer,
}

impl KuayueTokenizer {
    pub(crate) fn new(analyzer: Analyzer) -> Self {
        KuayueTokenizer { analyzer }
    }
}

/// The terms of one text, handed out one by one.
pub(crate) struct KuayueTokenStream {
    tokens: Vec<Token>,
    next: usize,
    /// Returned by `token()` before the first `advance()`, so that no call can index out of range.
    empty: Token,
}

impl Tokenizer for KuayueTokenizer {
    type TokenStream<'a> = KuayueTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KuayueTokenStream {
        let tokens = self
            .analyzer
            .terms(text)
            .into_iter()
            .map(|t| Token {
                offset_from: t.from,
                offset_to: t.to,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        KuayueTokenStream {
            tokens,
            next: 0,
            empty: Token::default(),
        }
    }
}

impl TokenStream for KuayueTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.next.checked_sub(1) {
            Some(i) => self.tokens.get(i).unwrap_or(&self.empty),
            None => &self.empty,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => &mut self.empty,
        }
    }
}
