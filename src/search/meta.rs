//! Questions about the issue itself rather than inside its articles: who wrote an article or
//! where it is reprinted from, which page it is on, which column holds what, what an issue
//! contains and the issue's own identity.
//!
//! They are answered from the structure the corpus already holds (`issue.toml`: titles,
//! bylines, pages, columns), never from the passage text: a byline is not in any passage, and
//! a page number is not a word. The answer is a sentence (the *fact*) plus the articles it is
//! about, so that every renderer can name them with their source line.

use crate::corpus::{Article, Issue};
use crate::index::fold_str;

/// What a question asks about the issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaAsk {
    /// 作者, 谁写的, 供稿, 转自, 来源.
    Source,
    /// 第几页, 哪一页, 页码.
    Page,
    /// 封二, 封三, 封四: what a cover carries.
    Cover,
    /// 栏目: which column an article is in, or what a column holds.
    Column,
    /// 本期有哪些文章, 目录.
    Contents,
    /// 总第几期, 出版日期.
    Identity,
}

impl MetaAsk {
    /// The word shown in the 问：… part of the line that says how a question was read.
    pub fn label(self) -> &'static str {
        match self {
            MetaAsk::Source => "作者/来源",
            MetaAsk::Page => "页码",
            MetaAsk::Cover => "封面",
            MetaAsk::Column => "栏目",
            MetaAsk::Contents => "目录",
            MetaAsk::Identity => "期号",
        }
    }
}

/// Cue words, strongest first: a question that asks a page and names an author's article asks
/// the page.
const CUES: &[(MetaAsk, &[&str])] = &[
    (
        MetaAsk::Page,
        &[
            "第几页",
            "哪一页",
            "哪页",
            "几页",
            "页码",
            "多少页",
            "第几版",
        ],
    ),
    (
        MetaAsk::Source,
        &[
            "作者",
            "谁写",
            "写的",
            "供稿",
            "转自",
            "转载",
            "来源",
            "出处",
            "撰稿",
            "执笔",
            "署名",
            "哪家报",
            "什么报",
            "哪个报",
            "哪份报",
            "报纸",
        ],
    ),
    (MetaAsk::Cover, &["封二", "封三", "封四", "封面", "封底"]),
    (MetaAsk::Column, &["栏目"]),
    (
        MetaAsk::Contents,
        &[
            "有哪些文章",
            "哪些文章",
            "什么文章",
            "目录",
            "哪几篇",
            "多少篇",
            "几篇",
        ],
    ),
    (
        MetaAsk::Identity,
        &[
            "总第几期",
            "总第",
            "出版日期",
            "哪天出版",
            "什么时候出版",
            "出版时间",
            "第几期",
        ],
    ),
];

/// Words that say what is asked about an article, not which article: ignored when matching
/// titles.
const META_WORDS: &[&str] = &[
    "作者",
    "写",
    "谁写",
    "写的",
    "供稿",
    "转自",
    "转载",
    "来源",
    "出处",
    "报纸",
    "报",
    "页",
    "几页",
    "页码",
    "栏目",
    "刊登",
    "刊",
    "登",
    "登在",
    "文章",
    "稿子",
    "稿",
    "篇",
    "那篇",
    "一文",
    "长文",
    "消息",
    "目录",
    "总第",
    "出版",
    "日期",
    "封面",
    "开始",
    "哪天",
    "天",
    "本期",
    "期",
    "撰稿",
    "执笔",
    "署名",
    "哪篇",
    "除了",
    "讲",
    "那",
    "说",
    "登载",
    "内容",
    "刊发",
    "发表",
    "一篇",
    "几位",
    "哪几位",
    "有",
    "版",
];

/// What the (folded, noise-free) question asks about the issue, if anything.
pub(crate) fn intent(q: &str) -> Option<MetaAsk> {
    CUES.iter()
        .find(|(_, cues)| cues.iter().any(|c| q.contains(c)))
        .map(|(ask, _)| *ask)
}

/// Is this question word part of what is asked (作者, 页码) rather than which article?
pub(crate) fn is_meta_word(w: &str) -> bool {
    META_WORDS.contains(&w) || CUES.iter().any(|(_, cues)| cues.contains(&w))
}

/// An answer from the issue's structure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MetaAnswer {
    /// The direct answer, a sentence.
    pub fact: String,
    /// The articles it is about, best first: (issue index, article index).
    pub articles: Vec<(usize, usize)>,
}

/// A question word with its weight (role × rarity), as the engine weighs it.
pub(crate) struct Word<'a> {
    pub text: &'a str,
    pub weight: f32,
}

/// An article's titles as [`answer`] compares them: the folded title, a line break, the folded
/// title printed above the body (or nothing). The engine folds them once, when it opens:
/// a question about bylines weighs every article of the archive.
pub(crate) fn printed_titles(a: &Article) -> Box<str> {
    fold_str(&format!(
        "{}\n{}",
        a.title,
        a.body_title.as_deref().unwrap_or("")
    ))
    .into_boxed_str()
}

/// How much of the question's `relevant` words (by weight, `total` in all) an article's
/// `printed` titles (see [`printed_titles`]) hold; 1 when a title in 《…》 matches.
fn title_share(printed: &str, relevant: &[&Word], total: f32, titles: &[String]) -> f32 {
    let title = printed.split('\n').next().unwrap_or("");
    if titles
        .iter()
        .any(|t| !t.is_empty() && (printed.contains(t.as_str()) || t.contains(title)))
    {
        return 1.0;
    }
    if total <= 0.0 {
        return 0.0;
    }
    relevant
        .iter()
        .filter(|w| printed.contains(w.text))
        .map(|w| w.weight)
        .sum::<f32>()
        / total
}

/// An article must hold at least this share of the question's words in its title to be the one
/// a question about bylines or pages means; below it, the question is searched as text.
const MIN_TITLE_SHARE: f32 = 0.6;

/// Answer a question about the issue from `issues` (those in the question's scope, as
/// (index, issue)); `printed` holds every article's [`printed_titles`] by the same index. `None` when the question is not of that kind or names no article, column or
/// cover the scope holds: it is then searched as text.
pub(crate) fn answer(
    ask: MetaAsk,
    q: &str,
    words: &[Word],
    titles: &[String],
    issues: &[(usize, &Issue)],
    printed: &[Vec<Box<str>>],
) -> Option<MetaAnswer> {
    let named = || named_article(words, titles, issues, printed);
    match ask {
        MetaAsk::Source | MetaAsk::Page => about(named()?, ask),
        MetaAsk::Cover => cover(q, issues),
        MetaAsk::Column => match named_column(q, issues) {
            Some(col) => Some(column_listing(q, words, issues, &col)),
            None => about(named()?, ask),
        },
        MetaAsk::Contents => match named_column(q, issues) {
            Some(col) => Some(column_listing(q, words, issues, &col)),
            None => contents(issues),
        },
        MetaAsk::Identity => identity(issues),
    }
}

/// An article of the scope, with where it is.
struct Named<'a> {
    at: (usize, usize),
    issue: &'a Issue,
    article: &'a Article,
}

/// The article the question names by its title, if one holds enough of its words.
fn named_article<'a>(
    words: &[Word],
    titles: &[String],
    issues: &[(usize, &'a Issue)],
    printed: &[Vec<Box<str>>],
) -> Option<Named<'a>> {
    let relevant: Vec<&Word> = words.iter().filter(|w| !is_meta_word(w.text)).collect();
    let total: f32 = relevant.iter().map(|w| w.weight).sum();
    let mut best: Option<(f32, Named<'a>)> = None;
    for &(ii, issue) in issues {
        for (ai, a) in issue.articles.iter().enumerate() {
            let p = printed.get(ii).and_then(|t| t.get(ai)).map_or("", |p| &**p);
            let s = title_share(p, &relevant, total, titles);
            if best.as_ref().is_none_or(|b| s > b.0 + 1e-6) {
                let named = Named {
                    at: (ii, ai),
                    issue,
                    article: a,
                };
                best = Some((s, named));
            }
        }
    }
    best.filter(|b| b.0 >= MIN_TITLE_SHARE).map(|b| b.1)
}

/// What a question asks about the article it names: its byline, its page or its column.
fn about(n: Named, ask: MetaAsk) -> Option<MetaAnswer> {
    let a = n.article;
    let issue = n.issue.meta.label();
    let fact = match (ask, &a.source) {
        (MetaAsk::Source, Some(s)) => format!("《{}》（{issue}，{}）：{s}", a.title, a.pages),
        (MetaAsk::Source, None) => format!("《{}》没有署名作者或来源。", a.title),
        (MetaAsk::Page, _) => format!(
            "《{}》刊登在{issue}{}，“{}”栏目。",
            a.title, a.pages, a.column
        ),
        _ => format!(
            "《{}》刊登在{issue}“{}”栏目，{}。",
            a.title, a.column, a.pages
        ),
    };
    Some(MetaAnswer {
        fact,
        articles: vec![n.at],
    })
}

/// What the cover the question names (封二, 封三, 封四) carries, newest issue first.
fn cover(q: &str, issues: &[(usize, &Issue)]) -> Option<MetaAnswer> {
    for &(ii, issue) in issues.iter().rev() {
        for (ai, a) in issue.articles.iter().enumerate() {
            let Some(cover) = &a.pages.cover else {
                continue;
            };
            if q.contains(cover.as_str()) {
                return Some(MetaAnswer {
                    fact: format!("{}{}：《{}》", issue.meta.label(), cover, a.title),
                    articles: vec![(ii, ai)],
                });
            }
        }
    }
    None
}

/// The newest issue's table of contents, column by column.
fn contents(issues: &[(usize, &Issue)]) -> Option<MetaAnswer> {
    let &(ii, issue) = issues.last()?;
    let mut fact = format!("{}目录：", issue.meta.display());
    for (column, list) in issue.articles_by_column() {
        let titles: Vec<String> = list.iter().map(|a| format!("《{}》", a.title)).collect();
        fact.push_str(&format!("\n{column}：{}", titles.join("、")));
    }
    Some(MetaAnswer {
        fact,
        articles: (0..issue.articles.len()).map(|ai| (ii, ai)).collect(),
    })
}

/// The newest issue's number, total number and date.
fn identity(issues: &[(usize, &Issue)]) -> Option<MetaAnswer> {
    let &(ii, issue) = issues.last()?;
    let m = &issue.meta;
    let total = m
        .total
        .map(|t| format!("（总第{t}期）"))
        .unwrap_or_default();
    Some(MetaAnswer {
        fact: format!("{}{total}，出版日期 {}。", m.display(), m.date),
        articles: vec![(ii, 0)],
    })
}

/// The column a question names (它山之石, 文摘), longest name first.
fn named_column(q: &str, issues: &[(usize, &Issue)]) -> Option<String> {
    let mut names: Vec<String> = issues
        .iter()
        .flat_map(|(_, i)| i.articles.iter().map(|a| fold_str(&a.column)))
        .filter(|c| c.chars().count() >= 2)
        .collect();
    names.sort_by_key(|c| std::cmp::Reverse(c.len()));
    names.into_iter().find(|c| q.contains(c.as_str()))
}

/// What a column holds. Articles the question sets aside (除了讲减压的, 除了…以外) come last.
fn column_listing(q: &str, words: &[Word], issues: &[(usize, &Issue)], column: &str) -> MetaAnswer {
    let except = q.find("除了").map(|i| {
        let rest = &q[i + "除了".len()..];
        let end = rest
            .find(['，', ',', '。', '？', '?', '还'])
            .unwrap_or(rest.len());
        rest[..end].to_string()
    });
    let set_aside = |a: &Article| {
        except.as_deref().is_some_and(|e| {
            let title = fold_str(&a.title);
            words
                .iter()
                .filter(|w| !is_meta_word(w.text) && e.contains(w.text))
                .any(|w| title.contains(w.text))
        })
    };
    let mut found: Vec<(bool, usize, usize, String)> = Vec::new();
    let mut label = String::new();
    for &(ii, issue) in issues.iter().rev() {
        for (ai, a) in issue.articles.iter().enumerate() {
            if fold_str(&a.column) == column {
                if label.is_empty() {
                    label = format!("{}“{}”栏目", issue.meta.label(), a.column);
                }
                found.push((
                    set_aside(a),
                    ii,
                    ai,
                    format!("《{}》（{}）", a.title, a.pages),
                ));
            }
        }
        if !found.is_empty() {
            break;
        }
    }
    found.sort_by_key(|f| f.0);
    let list: Vec<&str> = found.iter().map(|f| f.3.as_str()).collect();
    MetaAnswer {
        fact: format!("{label}刊登：{}", list.join("、")),
        articles: found.iter().map(|f| (f.1, f.2)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents() {
        assert_eq!(intent("《着力打造新海关》是谁写的"), Some(MetaAsk::Source));
        assert_eq!(intent("那篇稿子转自哪天的报纸"), Some(MetaAsk::Source));
        assert_eq!(intent("减压妙招登在第几页"), Some(MetaAsk::Page));
        assert_eq!(intent("本期封三刊登的是什么内容"), Some(MetaAsk::Cover));
        assert_eq!(
            intent("它山之石栏目刊登的是哪篇文章"),
            Some(MetaAsk::Column)
        );
        assert_eq!(intent("本期有哪些文章"), Some(MetaAsk::Contents));
        assert_eq!(intent("这一期是总第几期"), Some(MetaAsk::Identity));
        assert_eq!(intent("党的政治建设的首要任务是什么"), None);
    }
}
