//! Citations in the style readers use to quote the magazine in official documents:
//!
//! `《跨越》2019年第3期（总第244期）第4–9页，《中共中央关于加强党的政治建设的意见》（十六）永葆清正廉洁的政治本色`
//!
//! - the magazine and issue, with 总第N期 where the issue prints it;
//! - the article's pages (`第4–9页` with an en dash, `第10页` for one page, `封二` for a cover
//!   item);
//! - the article's title in 书名号, as GB/T 15834 marks every title of an article or a
//!   document (篇名、文件名); a 《…》 inside it becomes 〈…〉;
//! - the clause, where the passage has one: a label that opens with its number in brackets
//!   (（十六）…) follows the title directly; any other label (一、…, ●问：…, an unnumbered
//!   heading) follows in quotation marks, its own “…” turned into ‘…’, its list marks dropped.
//!
//! A citation quotes the text as printed (Simplified): it is never converted for display.

use crate::corpus::{Article, IssueMeta, Pages, Passage};
use crate::search::Hit;

/// The citation of a hit.
pub fn citation(hit: &Hit) -> String {
    cite(&Parts {
        magazine: &hit.magazine,
        issue_label: &hit.issue_label,
        total: hit.total,
        pages: &hit.pages,
        title: &hit.article,
        clause: hit.clause.as_deref(),
    })
}

/// The same citation from the corpus values themselves (a passage shown whole).
pub fn citation_of(meta: &IssueMeta, article: &Article, passage: &Passage) -> String {
    cite(&Parts {
        magazine: &meta.magazine,
        issue_label: &meta.label(),
        total: meta.total,
        pages: &article.pages,
        title: &article.title,
        clause: passage.clause.as_deref(),
    })
}

struct Parts<'a> {
    magazine: &'a str,
    issue_label: &'a str,
    total: Option<u32>,
    pages: &'a Pages,
    title: &'a str,
    clause: Option<&'a str>,
}

fn cite(p: &Parts) -> String {
    let mut s = format!("《{}》{}", p.magazine, p.issue_label);
    if let Some(t) = p.total {
        s.push_str(&format!("（总第{t}期）"));
    }
    s.push_str(&p.pages.to_string());
    s.push('，');
    let title = p.title.trim().replace('《', "〈").replace('》', "〉");
    s.push_str(&format!("《{title}》"));
    if let Some(clause) = p.clause.map(clean_label).filter(|c| !c.is_empty()) {
        if clause.starts_with(['（', '(', '〔', '[', '【']) {
            s.push_str(&clause);
        } else {
            let inner = clause.replace('“', "‘").replace('”', "’");
            s.push_str(&format!("“{inner}”"));
        }
    }
    s
}

/// A clause label without its list marks (○, ●) and with its layout spaces gone: runs of
/// spaces become one, and a space after punctuation goes (`○ 四级联动，统一调度` →
/// `四级联动，统一调度`; `省人大常委会机关： 坚决做到“两个维护” 强化党建引领` →
/// `省人大常委会机关：坚决做到“两个维护” 强化党建引领`, the space between its two phrases kept).
fn clean_label(label: &str) -> String {
    let label = label
        .trim()
        .trim_start_matches(['○', '●', '◆', '■', '□', '·', '•'])
        .trim();
    let mut out = String::with_capacity(label.len());
    let mut space = false;
    for c in label.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let after_punct = out
            .chars()
            .last()
            .is_some_and(|l| matches!(l, '：' | '，' | '、' | '；' | '。' | ':' | ',' | '—'));
        if space && !after_punct {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(pages: &'a Pages, title: &'a str, clause: Option<&'a str>) -> String {
        cite(&Parts {
            magazine: "跨越",
            issue_label: "2019年第3期",
            total: Some(244),
            pages,
            title,
            clause,
        })
    }

    #[test]
    fn the_documents_style() {
        assert_eq!(
            parts(
                &Pages::range(4, 9),
                "中共中央关于加强党的政治建设的意见",
                Some("（十六）永葆清正廉洁的政治本色")
            ),
            "《跨越》2019年第3期（总第244期）第4–9页，《中共中央关于加强党的政治建设的意见》（十六）永葆清正廉洁的政治本色"
        );
    }

    #[test]
    fn one_page_covers_and_no_clause() {
        assert_eq!(
            parts(&Pages::range(10, 10), "全省推进粤港澳大湾区建设工作会议在广州召开", None),
            "《跨越》2019年第3期（总第244期）第10页，《全省推进粤港澳大湾区建设工作会议在广州召开》"
        );
        assert_eq!(
            parts(
                &Pages::cover("封三"),
                "省直机关第二届“感动随手拍”手机摄影作品选登",
                None
            ),
            "《跨越》2019年第3期（总第244期）封三，《省直机关第二届“感动随手拍”手机摄影作品选登》"
        );
    }

    #[test]
    fn other_labels_are_quoted_and_nested_marks_changed() {
        assert_eq!(
            parts(&Pages::range(42, 43), "学习《条例》的体会", Some("三、开展“头雁”培育行动")),
            "《跨越》2019年第3期（总第244期）第42–43页，《学习〈条例〉的体会》“三、开展‘头雁’培育行动”"
        );
        assert_eq!(
            parts(&Pages::range(17, 26), "以模范机关创建促进广东税务减税降费惠民利企", Some("○ 四级联动，统一调度")),
            "《跨越》2019年第3期（总第244期）第17–26页，《以模范机关创建促进广东税务减税降费惠民利企》“四级联动，统一调度”"
        );
        assert_eq!(
            clean_label("省人大常委会机关： 坚决做到“两个维护”  强化党建引领"),
            "省人大常委会机关：坚决做到“两个维护” 强化党建引领"
        );
        assert_eq!(
            clean_label("针对“上热下冷”问题—— 以学习促动员"),
            "针对“上热下冷”问题——以学习促动员"
        );
    }

    #[test]
    fn no_total_no_brackets() {
        let s = cite(&Parts {
            magazine: "跨越",
            issue_label: "2019年第4期",
            total: None,
            pages: &Pages::range(1, 3),
            title: "卷首语",
            clause: Some("  "),
        });
        assert_eq!(s, "《跨越》2019年第4期第1–3页，《卷首语》");
    }
}
