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

/// A content word of the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// Folded word.
    pub word: String,
    /// Dictionary sub-words of a long word (folded).
    pub subs: Vec<String>,
    /// Weight from the word's role in the question (1 content, less for weak words); the engine
    /// multiplies it by the word's rarity in the corpus.
    pub weight: f32,
    /// A place or time word (广州, 香港, 今天, 周末): it says where or when, not what about.
    pub setting: bool,
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
}

/// A phrase as text and as the sequence of its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub text: String,
    pub words: Vec<String>,
}

/// Words that carry no content in a question: dropped.
const STOP: &[&str] = &[
    "请问",
    "问下",
    "问问",
    "想问",
    "想",
    "问",
    "一下",
    "那个",
    "这个",
    "那",
    "这",
    "什么",
    "啥",
    "怎么",
    "怎样",
    "怎么样",
    "如何",
    "哪些",
    "哪个",
    "哪位",
    "哪里",
    "哪儿",
    "哪",
    "吗",
    "呀",
    "啊",
    "呢",
    "吧",
    "嘛",
    "哦",
    "么",
    "谁",
    "多少",
    "几",
    "是",
    "的",
    "了",
    "着",
    "过",
    "在",
    "有",
    "和",
    "与",
    "及",
    "或",
    "都",
    "也",
    "还",
    "就",
    "又",
    "把",
    "被",
    "给",
    "对",
    "向",
    "从",
    "为",
    "让",
    "我",
    "你",
    "您",
    "他",
    "她",
    "它",
    "我们",
    "你们",
    "他们",
    "请",
    "知道",
    "告诉",
    "一个",
    "个",
    "讲",
    "说",
    "谈",
    "里",
    "中",
    "上",
    "下",
    "之",
    "其",
    "该",
    "能",
    "会",
    "可以",
    "要",
    "得",
    "地",
    "后面",
    "还有",
    "多",
    "些",
    "时",
    "时候",
    "主要",
    "内容",
    "具体",
    "到底",
    "究竟",
    "一般",
    "干嘛",
    "干啥",
    "干什么",
    "做什么",
    "来",
    "去",
    "讲的是",
    "的话",
    "要不要",
    "还是",
    "为了",
    "这些",
    "那些",
    "这样",
    "那样",
    "那块",
    "这块",
    "这方面",
    "是不是",
    "有没有",
    "哪一",
    "哪一类",
    "哪一种",
    "哪几",
    "几个",
    "多大",
    "多长",
    "多久",
    "多高",
    "怎么办",
    "为什么",
    "啥子",
    "咋",
    "咋样",
    "么样",
    // English function words
    "how",
    "do",
    "does",
    "did",
    "i",
    "my",
    "me",
    "you",
    "your",
    "the",
    "a",
    "an",
    "is",
    "are",
    "was",
    "what",
    "who",
    "when",
    "where",
    "which",
    "why",
    "to",
    "of",
    "in",
    "on",
    "for",
    "and",
    "or",
    "it",
    "can",
    "could",
    "should",
    "would",
    "will",
    "be",
    "this",
    "that",
    "with",
    "about",
    "please",
];

/// Question words that jieba may glue to the following noun.
const QUESTION_PREFIXES: &[&str] = &[
    "哪些", "哪个", "哪位", "哪几", "哪一", "什么", "多少", "怎么", "怎样", "如何", "哪",
];

/// Words that say little on their own: kept at a lower weight.
const WEAK: &[&str] = &[
    "需要",
    "必须",
    "通常",
    "所有",
    "如果",
    "要求",
    "问题",
    "工作",
    "情况",
    "方面",
    "提出",
    "认为",
    "进行",
    "开展",
    "做",
    "搞",
    "用",
    "评",
    "参加",
    "当",
    "怎么说",
    "讲话",
    "强调",
    "意思",
    "相关",
    "有关",
    "方式",
    "办法",
    "一些",
    "现在",
    "今天",
    "最后",
    "以后",
    "以前",
    "去年",
    "今年",
    "当时",
    "这次",
    "那次",
    "重点",
    "通过",
    "作数",
];

/// Analyse a question. Never fails: an empty or meaningless question yields no concepts.
pub fn analyse(analyzer: &Analyzer, question: &str) -> Analysed {
    // Very long input is cut: no question needs more than this, and latency stays bounded.
    let question = truncate_chars(question, 200);
    let folded = fold_str(question);
    let traditional = looks_traditional(question);
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

    let mut concepts: Vec<Concept> = Vec::new();
    let terms = analyzer.terms(&folded);
    for t in terms.iter().filter(|t| !t.sub) {
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
        // The words of the clause reference itself (第, 16, 条) are for the clause lookup.
        let in_ref = clause_span
            .as_ref()
            .is_some_and(|(_, span)| t.from >= span.start && t.to <= span.end);
        if in_ref {
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
        let single = w.chars().count() == 1 && w.chars().all(is_cjk);
        let weight = if WEAK.contains(&w) {
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
            weight,
            setting: is_setting(analyzer, w),
        });
    }
    Analysed {
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

/// Is `w` a place or time word? jieba's dictionary tags them `ns` (广州, 香港, 澳门, 北京) and `t`
/// (今天, 周末, 晚上); a word the dictionary does not know as one word is not. The tags are the
/// dictionary's general knowledge of Chinese, not a list of ours, and they are not perfect (海关
/// is tagged `ns` too): so they only lower a word's say in whether a question is answered,
/// never its ranking.
fn is_setting(analyzer: &Analyzer, w: &str) -> bool {
    match analyzer.jieba().tag(w, false).as_slice() {
        [t] => t.word == w && matches!(t.tag, "ns" | "t"),
        _ => false,
    }
}

/// The measure word right after 多少 or 几 (几个, 多少家, 多少首), if any.
fn unit_of(q: &str) -> Option<char> {
    for key in ["多少", "几"] {
        for (i, _) in q.match_indices(key) {
            let c = q[i + key.len()..].chars().next()?;
            if super::rank::MEASURES.contains(c) {
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
    n.is_empty() || super::clause::parse_number(n).is_some()
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

pub fn truncate_chars(s: &str, n: usize) -> &str {
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
