//! The importer's layout thresholds: how long a line of each kind can be, how alike two titles
//! must be, how far to look. Each value was read off printed issues of the magazine; they are
//! named here, with the reason for each, so that a new layout is tuned in one place.
//!
//! Lengths are in characters (`char`s), not bytes.

/// Titles at least this similar (bigram Dice) are taken to be the same title: a printed
/// title may differ from its table-of-contents line by a word or a quotation mark style,
/// while two different titles of one issue share far fewer bigrams.
pub(crate) const TITLE_MATCH: f64 = 0.75;

/// A spaced-out title (`着力 打造 中国 …`) must match its entry almost exactly: its short
/// pieces make a loose match with some other entry too likely.
pub(crate) const SPACED_TITLE_MATCH: f64 = 0.9;

/// Longest masthead line holding the magazine's name or the identity (`2019年`,
/// `第3期`, `(总第244期)`, `2019年3月1日编印`): longer lines with them are already text.
pub(crate) const MASTHEAD_LINE_MAX_CHARS: usize = 16;

/// Longest ASCII masthead line (the romanised name, `KUAYUE`): a longer one is an English
/// sentence or an address.
pub(crate) const MASTHEAD_ASCII_MAX_CHARS: usize = 24;

/// How many lines after the table of contents may still hold the identity, when the
/// masthead before it does not: the imprint block is never longer.
pub(crate) const IDENTITY_LOOKAHEAD_LINES: usize = 60;

/// Longest imprint line of the form `key：value` (`主办：…`, `地址：…`): a longer one is a
/// sentence of the first article that happens to hold a colon.
pub(crate) const IMPRINT_KEY_VALUE_MAX_CHARS: usize = 60;

/// Longest value listed on its own line under an imprint `key：` line (a name, a phone
/// number): longer lines are the body again.
pub(crate) const IMPRINT_LISTED_MAX_CHARS: usize = 24;

/// Printed pages come in sheets of four, so the last page is the last page of the
/// table of contents rounded up to a multiple of this.
pub(crate) const PAGES_PER_SHEET: u32 = 4;

/// A line longer than this is running text, never a title: the longest printed titles
/// (with a subtitle) stay well under it.
pub(crate) const TITLE_MAX_CHARS: usize = 80;

/// A line holding a sentence end before its last character and longer than this is running
/// text; shorter ones may be a title with a question or an exclamation in it.
pub(crate) const TITLE_WITH_SENTENCE_MAX_CHARS: usize = 40;

/// Longest half of a title printed on two lines: a printed title line is short.
pub(crate) const TITLE_HALF_MAX_CHARS: usize = 40;

/// How many characters of a two-line title's first half must be found in the entry's title:
/// enough to tell a title's first half from a kicker line printed above it.
pub(crate) const TITLE_HEAD_CHARS: usize = 4;

/// Longest title of an item printed after an article's end mark without a table-of-contents
/// line; the line after it must be longer than this (running text), or it is no item.
pub(crate) const UNLISTED_TITLE_MAX_CHARS: usize = 50;

/// Shortest first paragraph of an article whose title is not printed: shorter lines after a
/// boundary are captions, datelines or sign-offs.
pub(crate) const UNTITLED_START_MIN_CHARS: usize = 20;

/// Raw lines between two paragraphs (blank lines, running headers) that mark a page break,
/// a likely article boundary: within a page, paragraphs are one blank line apart.
pub(crate) const PAGE_GAP_MIN_LINES: usize = 4;

/// Longest running header (a page banner, a column's name): longer repeated lines are text.
pub(crate) const RUNNING_HEADER_MAX_CHARS: usize = 40;

/// A banner is printed on many pages: a short line seen this often is one.
pub(crate) const RUNNING_HEADER_MIN_REPEATS: usize = 3;

/// A column's name may be printed on only two pages: a repeated line that names a column is a
/// banner from this many times on. Any other line seen this rarely may be a sub-heading that
/// two articles happen to share.
pub(crate) const COLUMN_BANNER_MIN_REPEATS: usize = 2;
