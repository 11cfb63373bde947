//! The editors' fixes from the chat: `/synonym 词 = 同义词 [= …]` adds a group to
//! `corpus/synonyms.txt` (in effect at once, no reindex) and `/dict 新词 [词性]` a term to
//! `corpus/user.dict` (then the index is rebuilt, as `/reindex` does). The files are written
//! by `search::edits`: atomically, with a comment naming who added the line and when, and
//! refused with a reason when the result would not parse.
//!
//! After each fix the open misses that hold the new words are asked again and shown before
//! and after (命中测试), so the editor sees at once what the fix changed.

use super::core::Core;
use crate::render::html::{escape, truncate_chars};
use crate::render::SourceLine;
use crate::search::{edits, Answer, Level};
use std::path::Path;

/// Misses re-run after a fix.
const HIT_TEST: usize = 5;

/// The misses that hold some of the new words, with what they are answered now.
#[derive(Debug, Clone, Default)]
pub(crate) struct HitTest {
    words: Vec<String>,
    before: Vec<(String, String)>,
}

impl HitTest {
    /// Before the fix: the questions to try again and their answers now.
    pub(crate) fn before(core: &Core, words: &[String]) -> HitTest {
        let misses = core
            .store()
            .misses_containing(words, HIT_TEST)
            .unwrap_or_else(|e| {
                tracing::error!("reading the misses failed: {e}");
                Vec::new()
            });
        HitTest {
            words: words.to_vec(),
            before: misses
                .into_iter()
                .map(|m| {
                    let v = verdict(core.answer_for(&m.question).as_ref());
                    (m.question, v)
                })
                .collect(),
        }
    }

    /// After the fix: each question, before → after, as HTML.
    pub(crate) fn after(&self, core: &Core) -> String {
        if self.before.is_empty() {
            return format!(
                "\n\n命中测试：待处理的未答到问题里没有含“{}”的。",
                escape(&self.words.join("”“"))
            );
        }
        let mut html = String::from("\n\n<b>命中测试</b>（含这些词的未答到问题）：");
        for (q, was) in &self.before {
            let now = verdict(core.answer_for(q).as_ref());
            html.push_str(&format!(
                "\n• {}\n   之前：{}\n   现在：{}",
                escape(&truncate_chars(q, 80)),
                escape(was),
                escape(&now)
            ));
        }
        html
    }
}

/// What a question gets, in one line: the level and the first passage's source.
fn verdict(answer: Option<&Answer>) -> String {
    let Some(a) = answer else {
        return "搜索出错".into();
    };
    let first = a
        .hits
        .first()
        .map(|h| SourceLine::of_hit(h).to_string())
        .unwrap_or_default();
    match a.level {
        Level::NotFound => "没有找到".into(),
        Level::Hedged => format!("可能相关：{first}"),
        Level::Confident => format!("✅ {first}"),
    }
}

/// Who the comment in the file names.
fn who(user: u64) -> String {
    format!("管理员 {user}")
}

/// `/synonym 词 = 同义词 [= …]`.
pub(crate) fn synonym(core: &Core, corpus_dir: &Path, user: u64, arg: &str) -> String {
    let words: Vec<String> = arg
        .split(['=', '＝'])
        .map(|w| w.trim().to_string())
        .collect();
    if arg.trim().is_empty() || words.len() < 2 {
        return "用法：/synonym 词 = 同义词 [= 更多同义词]，例如 /synonym 十九大 = 党的十九大"
            .into();
    }
    let test = HitTest::before(core, &words);
    match edits::add_synonym_group(corpus_dir, &words, &who(user), crate::store::now()) {
        Ok(edit) => format!(
            "✅ 已加入同义词组（{} 第 {} 行），立即生效：\n{}{}",
            escape(&edit.path.display().to_string()),
            edit.line_no,
            escape(&edit.line),
            test.after(core)
        ),
        Err(e) => format!("❌ 没有修改：{}", escape(&e.to_string())),
    }
}

/// `/dict 新词 [词性]`: the word added, and the hit test to finish once the index has been
/// rebuilt; or the refusal.
pub(crate) fn dict(
    core: &Core,
    corpus_dir: &Path,
    user: u64,
    arg: &str,
) -> Result<(String, HitTest), String> {
    let parts: Vec<&str> = arg.split_whitespace().collect();
    let (word, pos) = match parts.as_slice() {
        [w] => (*w, None),
        [w, p] => (*w, Some(*p)),
        _ => {
            return Err(
                "用法：/dict 新词 [词性]，例如 /dict 粤港澳大湾区，或人名 /dict 谢松 nr".into(),
            )
        }
    };
    let test = HitTest::before(core, &[word.to_string()]);
    match edits::add_dict_word(corpus_dir, word, pos, &who(user), crate::store::now()) {
        Ok(edit) => Ok((
            format!(
                "✅ 已加入词典（{} 第 {} 行）：{}\n⏳ 正在重建索引，旧索引在此期间照常服务…",
                escape(&edit.path.display().to_string()),
                edit.line_no,
                escape(&edit.line)
            ),
            test,
        )),
        Err(e) => Err(format!("❌ 没有修改：{}", escape(&e.to_string()))),
    }
}
