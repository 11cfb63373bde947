//! Query analysis: what a reader's question asks for, built without any query language.
//!
//! The raw text is never parsed as tantivy query syntax: `:` `(` `AND` `-` `*` are just
//! characters here. A question becomes
//! - *concepts*: its content words (jieba words of the folded text), each with the dictionary
//!   sub-words of a long word, so that 粤港澳大湾区 still meets 大湾区;
//! - filler and question words (请问, 一下, 那个, 什么, 怎么, 吗, …) dropped or down-weighted;
//! - straight-quoted text (`"两个维护"`): an exact phrase every result must contain;
//! - typographic quotes (“…” 「…」): a phrase the reader quotes from the text, boosted;
//! - 《…》: a title the reader names;
//! - a clause reference (第十六条, （十六）) and the kind of answer wanted (多少 → a number,
//!   谁 → a name, 什么时候 → a date, 哪些 → a list).

use super::clause::{find_ref_span, ClauseKind, ClauseRef};
use super::lexicon::{ANSWER_KIND, MEASURES, QUESTION_PREFIXES, STOP, WEAK};
use super::meta::MetaAsk;
use super::scope::IssueRef;
use crate::index::fold::{fold_str, is_cjk, looks_traditional};
use crate::index::Analyzer;

/// The kind of answer a question word asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Any,
    Number,
    Person,
    Date,
    List,
}

/// What a question asks about its topic beyond the kind of answer: its benefit (好处, 作用),
/// its reason (为什么, 原因) or the way to do it (怎么办, 办法).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aspect {
    None,
    Benefit,
    Reason,
    Method,
}

fn aspect_of(q: &str) -> Aspect {
    let has = |xs: &[&str]| xs.iter().any(|x| q.contains(x));
    if has(&[
        "好处",
        "作用",
        "意义",
        "效果",
        "用处",
        "有什么用",
        "有啥用",
        "益处",
    ]) {
        Aspect::Benefit
    } else if has(&["为什么", "为何", "为啥", "原因", "目的", "干嘛要"]) {
        Aspect::Reason
    } else if has(&[
        "怎么办",
        "咋办",
        "咋整",
        "办法",
        "措施",
        "做法",
        "方法",
        "怎么做",
        "如何做",
    ]) {
        Aspect::Method
    } else {
        Aspect::None
    }
}

/// A content word of the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// Folded word.
    pub word: String,
    /// Dictionary sub-words of a long word (folded).
    pub subs: Vec<String>,
    /// Terms the editors' thesaurus holds equivalent (folded): matched as the word itself.
    pub alts: Vec<String>,
    /// Weight from the word's role in the question (1 content, less for weak words); the engine
    /// multiplies it by the word's rarity in the corpus.
    pub weight: f32,
    /// A place or time word (广州, 香港, 今天, 周末): it says where or when, not what about.
    pub setting: bool,
    /// A word that only says which kind of answer is wanted (好处, 措施: see
    /// [`crate::search::lexicon::ANSWER_KIND`]): never missing evidence.
    pub kind: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analysed {
    pub concepts: Vec<Concept>,
    /// Straight-quoted phrases, folded: every result must contain each of them.
    pub required: Vec<Phrase>,
    /// Typographically quoted phrases, folded: a strong hint, not a filter.
    pub quoted: Vec<Phrase>,
    /// Titles named in 《…》, folded.
    pub titles: Vec<String>,
    pub clause: Option<ClauseRef>,
    pub want: Want,
    /// The measure word a 多少/几 question asks about (多少家 → 家, 几年 → 年).
    pub unit: Option<char>,
    pub traditional: bool,
    /// The issue the question names (2019年第3期, 本期), if any.
    pub issue: Option<IssueRef>,
    /// What the question asks about the issue itself (作者, 页码, 栏目, 目录), if anything.
    pub meta: Option<MetaAsk>,
    /// The folded question without its noise: what the search read.
    pub text: String,
    /// The longest run of adjacent topical words, as written: what 按原文查找 looks up.
    pub span: Option<String>,
    pub aspect: Aspect,
    /// The question points at an article as a whole (那篇说…, 文章里…).
    pub refers_to_article: bool,
}

/// A phrase as text and as the sequence of its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub text: String,
    pub words: Vec<String>,
}

/// Analyse a question. Never fails: an empty or meaningless question yields no concepts.
pub fn analyse(analyzer: &Analyzer, question: &str) -> Analysed {
    // Very long input is cut: no question needs more than this, and latency stays bounded.
    let question = truncate_chars(question, 200);
    let traditional = looks_traditional(question);
    let folded = fold_str(&super::noise::strip(question));
    let issue_span = super::scope::find(&folded);
    let meta = super::meta::intent(&folded);
    let clause_span = find_ref_span(&folded);
    let clause = clause_span.as_ref().map(|(r, _)| *r);
    let want = want_of(&folded);
    let unit = unit_of(&folded);

    let phrase = |text: &str| Phrase {
        text: text.to_string(),
        words: analyzer
            .terms(text)
            .into_iter()
            .filter(|t| !t.sub)
            .map(|t| t.text)
            .collect(),
    };
    let required: Vec<Phrase> = delimited(&folded.replace('＂', "\""), '"', '"')
        .into_iter()
        .map(|t| phrase(&t))
        .filter(|p| !p.words.is_empty())
        .collect();
    let mut quoted = Vec::new();
    for (open, close) in [('“', '”'), ('「', '」'), ('『', '』'), ('‘', '’')] {
        quoted.extend(
            delimited(&folded, open, close)
                .into_iter()
                .map(|t| phrase(&t))
                .filter(|p| !p.words.is_empty()),
        );
    }
    let titles = delimited(&folded, '《', '》');

    // The spans of the question that are not content: the clause and issue references.
    let skip: Vec<std::ops::Range<usize>> = [
        clause_span.as_ref().map(|(_, span)| span.clone()),
        issue_span.as_ref().map(|(_, span)| span.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (concepts, runs) = concepts_of(analyzer, &folded, &skip, clause, unit);
    Analysed {
        aspect: aspect_of(&folded),
        refers_to_article: super::lexicon::ARTICLE_POINTERS
            .iter()
            .any(|p| folded.contains(p)),
        issue: issue_span.map(|(r, _)| r),
        meta,
        span: runs
            .iter()
            .filter(|r| folded[r.start..r.end].chars().count() >= 2)
            .max_by_key(|r| (r.len(), std::cmp::Reverse(r.start)))
            .map(|r| folded[r.start..r.end].to_string()),
        text: folded.clone(),
        concepts,
        required,
        quoted,
        titles,
        clause,
        want,
        unit,
        traditional,
    }
}

/// The content words of a (folded) question, and the byte ranges of its runs of adjacent
/// content words. Words inside `skip` belong to a clause or issue reference.
fn concepts_of(
    analyzer: &Analyzer,
    folded: &str,
    skip: &[std::ops::Range<usize>],
    clause: Option<ClauseRef>,
    unit: Option<char>,
) -> (Vec<Concept>, Vec<std::ops::Range<usize>>) {
    let mut concepts: Vec<Concept> = Vec::new();
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let terms = analyzer.terms(folded);
    for t in &merge_dates(folded, terms.iter().filter(|t| !t.sub).cloned().collect()) {
        // jieba sometimes glues a question word to the noun it asks about (哪些项目, 什么问题).
        if STOP.contains(&t.text.as_str()) || asks_quantity(&t.text) {
            continue;
        }
        let w = QUESTION_PREFIXES
            .iter()
            .find_map(|p| {
                t.text
                    .strip_prefix(p)
                    .filter(|rest| rest.chars().count() >= 2)
            })
            .unwrap_or(t.text.as_str());
        // The words of a clause or issue reference (第, 16, 条) are for that lookup.
        if skip
            .iter()
            .any(|span| t.from < span.end && t.to > span.start)
        {
            continue;
        }
        let part_word = w == "部分" && clause.is_some_and(|c| c.kind == ClauseKind::Part);
        // The unit of a 多少/几 question (多少年 → 年) is what the answer's number carries.
        let unit_word = unit.is_some_and(|u| w.chars().eq(std::iter::once(u)));
        if STOP.contains(&w) || is_clause_word(w) || part_word || unit_word {
            continue;
        }
        if concepts.iter().any(|c| c.word == w) {
            continue;
        }
        match runs.last_mut() {
            Some(r) if r.end == t.from => r.end = t.to,
            _ => runs.push(t.from..t.to),
        }
        let single = w.chars().count() == 1 && w.chars().all(is_cjk);
        let kind = ANSWER_KIND.contains(&w);
        let weight = if WEAK.contains(&w) || kind {
            0.35
        } else if single {
            0.5
        } else {
            1.0
        };
        let subs = terms
            .iter()
            .filter(|s| s.sub && s.from >= t.from && s.to <= t.to && s.position == t.position)
            .filter(|s| s.text != w && w.contains(&s.text) && !STOP.contains(&s.text.as_str()))
            .map(|s| s.text.clone())
            .collect();
        concepts.push(Concept {
            word: w.to_string(),
            subs,
            alts: Vec::new(),
            weight,
            setting: is_setting(analyzer, w),
            kind,
        });
    }
    (concepts, runs)
}

/// Is `w` a place or time word? jieba's dictionary tags them `ns` (广州, 香港, 澳门, 北京) and `t`
/// (今天, 周末, 晚上); a word the dictionary does not know as one word is not. The tags are the
/// dictionary's general knowledge of Chinese, not a list of ours, and they are not perfect (海关
/// is tagged `ns` too): so they only lower a word's say in whether a question is answered,
/// never its ranking.
pub(crate) fn is_setting(analyzer: &Analyzer, w: &str) -> bool {
    // A number is never the setting: 2020年 or 12366 is the very fact asked about.
    if w.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    match analyzer.jieba().tag(w, false).as_slice() {
        [t] => t.word == w && matches!(t.tag, "ns" | "t"),
        _ => false,
    }
}

/// A number and the date unit after it (`12` `月` → `12月`, `2020` `年` → `2020年`) are one
/// word: 12 alone would match 12日 or 12个, and a question about 2018年12月 is not answered by a
/// passage that only holds 12.
fn merge_dates(text: &str, terms: Vec<crate::index::Term>) -> Vec<crate::index::Term> {
    let mut out: Vec<crate::index::Term> = Vec::with_capacity(terms.len());
    for t in terms {
        if let Some(last) = out.last_mut() {
            let digits = last.text.chars().all(|c| c.is_ascii_digit());
            if digits && last.to == t.from && matches!(t.text.as_str(), "年" | "月" | "日" | "号")
            {
                last.to = t.to;
                last.text = text
                    .get(last.from..last.to)
                    .unwrap_or(&last.text)
                    .to_string();
                continue;
            }
        }
        out.push(t);
    }
    out
}

/// The measure word right after 多少 or 几 (几个, 多少家, 多少首), if any.
fn unit_of(q: &str) -> Option<char> {
    for key in ["多少", "几"] {
        for (i, _) in q.match_indices(key) {
            let c = q[i + key.len()..].chars().next()?;
            if MEASURES.contains(c) {
                return Some(c);
            }
        }
    }
    None
}

/// A question word with the unit it asks for (多长时间, 多少年, 几次): no content of its own.
fn asks_quantity(w: &str) -> bool {
    ["多少", "多长", "多久", "多大", "多高", "多远", "几"]
        .iter()
        .any(|p| w.starts_with(p))
        && w.chars().count() <= 4
}

/// The words of a clause reference (第十六条, 第16条) are not content: the clause lookup uses them.
fn is_clause_word(w: &str) -> bool {
    if matches!(w, "第" | "条" | "项" | "款") {
        return true;
    }
    let Some(rest) = w.strip_prefix('第') else {
        return false;
    };
    let n = rest.trim_end_matches(['条', '项', '款']);
    n.is_empty() || crate::corpus::numeral::parse_numeral(n).is_some()
}

fn want_of(q: &str) -> Want {
    let has = |xs: &[&str]| xs.iter().any(|x| q.contains(x));
    if has(&[
        "什么时候",
        "何时",
        "哪一天",
        "哪天",
        "哪年",
        "几月",
        "几号",
        "什么日子",
        "日期",
    ]) {
        Want::Date
    } else if has(&[
        "谁",
        "哪位",
        "哪些人",
        "什么人",
        "哪几位",
        "哪些领导",
        "姓名",
        "名字",
    ]) {
        Want::Person
    } else if has(&[
        "多少",
        "几个",
        "几年",
        "几家",
        "几首",
        "几次",
        "几项",
        "几天",
        "几名",
        "几条",
        "几种",
        "多大",
        "多长",
        "多久",
        "多高",
        "多远",
        "比例",
        "幅度",
        "几成",
        "百分之",
    ]) || q.contains('几')
    {
        Want::Number
    } else if has(&["哪些", "哪几", "有哪", "几方面", "包括"]) {
        Want::List
    } else {
        Want::Any
    }
}

/// The non-empty texts between `open` and `close` (for straight quotes, between pairs).
fn delimited(s: &str, open: char, close: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(a) = rest.find(open) {
        let after = &rest[a + open.len_utf8()..];
        let Some(b) = after.find(close) else { break };
        let inner = after[..b].trim();
        if !inner.is_empty() {
            out.push(inner.to_string());
        }
        rest = &after[b + close.len_utf8()..];
    }
    out
}

pub(crate) fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(delimited("a\"b c\"d\"e", '"', '"'), vec!["b c"]);
        assert_eq!(
            delimited("《意见》和《准则》", '《', '》'),
            vec!["意见", "准则"]
        );
        assert!(delimited("“未闭合", '“', '”').is_empty());
    }

    #[test]
    fn wants() {
        assert_eq!(want_of("建成了多少个服务区"), Want::Number);
        assert_eq!(want_of("是谁在主持"), Want::Person);
        assert_eq!(want_of("什么时候召开"), Want::Date);
        assert_eq!(want_of("有哪些要求"), Want::List);
        assert_eq!(want_of("首要任务是什么"), Want::Any);
    }
}
