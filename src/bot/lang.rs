//! The bot's own words in Simplified or Traditional Chinese.
//!
//! Replies are written in Simplified Chinese; a reader who asked in Traditional characters (a
//! Hong Kong or Macau reader) reads the whole reply in Traditional: the bot's headers, hints
//! and buttons, and the passages, titles and source lines too, converted for display with
//! `render::to_traditional` (OpenCC's Hong Kong tables). What is copied to quote the magazine (a citation) stays in the
//! Simplified text as printed.

/// Which script the reader wrote in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    Simplified,
    Traditional,
}

impl Lang {
    pub(crate) fn from_traditional(traditional: bool) -> Lang {
        if traditional {
            Lang::Traditional
        } else {
            Lang::Simplified
        }
    }

    /// The bot's own text `s` (Simplified) in this script.
    pub(crate) fn t(self, s: &str) -> String {
        match self {
            Lang::Simplified => s.to_string(),
            Lang::Traditional => crate::render::to_traditional(s),
        }
    }
}
