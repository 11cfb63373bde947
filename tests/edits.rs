//! The editors' additions to `corpus/synonyms.txt` and `corpus/user.dict`: what they write,
//! what they refuse (leaving the file byte for byte as it was), and that a new synonym reaches
//! the next question with no reindex.

use crate::util;
use kuayue::config::Paths;
use kuayue::search::edits::{add_dict_word, add_synonym_group, EditError};
use kuayue::search::thesaurus::Thesaurus;
use kuayue::search::{Engine, Level};
use std::path::Path;

/// 2019-03-01 16:30:00 UTC+8.
const NOW: i64 = 1_551_429_000;

fn words(ws: &[&str]) -> Vec<String> {
    ws.iter().map(|w| w.to_string()).collect()
}

/// Run `edit` and assert it was refused without touching `file`.
fn refused<T: std::fmt::Debug>(
    file: &Path,
    edit: impl FnOnce() -> Result<T, EditError>,
) -> EditError {
    let before = std::fs::read(file).ok();
    let err = edit().expect_err("refused");
    assert_eq!(std::fs::read(file).ok(), before, "{err}: the file changed");
    let dir = file.parent().expect("dir");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".edit-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    err
}

#[test]
fn a_synonym_group_is_appended_with_who_and_when() {
    let (_tmp, corpus) = util::temp_corpus();
    let file = corpus.join("synonyms.txt");
    let before = std::fs::read_to_string(&file).expect("read");
    let edit = add_synonym_group(
        &corpus,
        &words(&[" 肚皮呼吸法 ", "腹式呼吸"]),
        "王编辑",
        NOW,
    )
    .expect("accepted");
    let after = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        after,
        format!("{before}# 2019-03-01 16:30:00 由 王编辑 添加\n肚皮呼吸法 = 腹式呼吸\n")
    );
    assert_eq!(edit.line, "肚皮呼吸法 = 腹式呼吸");
    assert_eq!(edit.line_no, after.lines().count());
    assert_eq!(edit.words, words(&["肚皮呼吸法", "腹式呼吸"]));
    let t = Thesaurus::parse(&after, &file).expect("still parses");
    assert_eq!(t.alternatives("肚皮呼吸法"), vec!["腹式呼吸"]);
}

#[test]
fn bad_synonym_groups_are_refused_and_change_nothing() {
    let (_tmp, corpus) = util::temp_corpus();
    let file = corpus.join("synonyms.txt");
    let add = |ws: &[&str]| add_synonym_group(&corpus, &words(ws), "王编辑", NOW);
    let long = "长".repeat(31);
    for (ws, want) in [
        (vec!["十九大"], "至少要有两个不同的词"),
        (vec!["海外", "海外", " 海外 "], "至少要有两个不同的词"),
        (vec!["國外", "国外"], "至少要有两个不同的词"),
        (vec!["国外", ""], "不能为空"),
        (vec!["国外", "海外 = 境外"], "“=”"),
        (vec!["国外", "境外#注释"], "“#”"),
        (vec!["国外", "境\n外"], "不能使用"),
        (vec!["国外", "？！"], "不是词语"),
        (vec!["国外", long.as_str()], "31 字"),
        // Already a group, or inside one (as folded).
        (vec!["海外", "国外"], "已经在同义词表里了"),
        (vec!["十九大", "黨的十九大"], "已经在同义词表里了"),
    ] {
        let err = refused(&file, || add(&ws));
        assert!(err.to_string().contains(want), "{ws:?}: {err}");
    }
    // The longest word allowed is accepted.
    add(&["国外", &"长".repeat(30)]).expect("30 characters are fine");
}

#[test]
fn a_thesaurus_that_is_already_broken_is_not_made_worse() {
    let (_tmp, corpus) = util::temp_corpus();
    let file = corpus.join("synonyms.txt");
    std::fs::write(&file, "国外 = 海外\n只有一个词\n").expect("write");
    let err = refused(&file, || {
        add_synonym_group(&corpus, &words(&["境外", "国境外"]), "王编辑", NOW)
    });
    assert!(err.to_string().contains("第 2 行"), "{err}");
}

#[test]
fn a_missing_thesaurus_is_created() {
    let tmp = tempfile::tempdir().expect("tempdir");
    add_synonym_group(tmp.path(), &words(&["甲", "乙"]), "", NOW).expect("accepted");
    let text = std::fs::read_to_string(tmp.path().join("synonyms.txt")).expect("read");
    assert_eq!(text, "# 2019-03-01 16:30:00 由 未署名 添加\n甲 = 乙\n");
}

#[test]
fn a_dictionary_word_is_appended_and_loads() {
    let (_tmp, corpus) = util::temp_corpus();
    let file = corpus.join("user.dict");
    let before = std::fs::read_to_string(&file).expect("read");
    let edit = add_dict_word(&corpus, "直联直办", Some("nz"), "王编辑\n管理员", NOW).expect("ok");
    let after = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        after,
        format!("{before}# 2019-03-01 16:30:00 由 王编辑 管理员 添加\n直联直办 nz\n")
    );
    assert_eq!(edit.words, words(&["直联直办"]));
    add_dict_word(&corpus, "一网通办", None, "王编辑", NOW).expect("no tag is fine");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.ends_with("\n一网通办\n"), "{text}");
    let analyzer = kuayue::index::Analyzer::with_user_dict(&text);
    let terms: Vec<String> = analyzer
        .terms("推行直联直办")
        .into_iter()
        .filter(|t| !t.sub)
        .map(|t| t.text)
        .collect();
    assert!(terms.contains(&"直联直办".to_string()), "{terms:?}");
}

#[test]
fn bad_dictionary_words_are_refused_and_change_nothing() {
    let (_tmp, corpus) = util::temp_corpus();
    let file = corpus.join("user.dict");
    let long = "长".repeat(31);
    for (word, pos, want) in [
        ("", None, "不能为空"),
        ("两个 维护", None, "空格"),
        ("两个\t维护", None, "空格"),
        ("新词#", None, "“#”"),
        (long.as_str(), None, "31 字"),
        ("新词", Some("NR"), "不是词性标记"),
        ("新词", Some("n r"), "不是词性标记"),
        ("新词", Some("nrfgx"), "不是词性标记"),
        ("两个维护", None, "已经在用户词典里了"),
        ("兩個維護", Some("nz"), "已经在用户词典里了"),
        ("李希", Some("nr"), "已经在用户词典里了"),
    ] {
        let err = refused(&file, || add_dict_word(&corpus, word, pos, "王编辑", NOW));
        assert!(err.to_string().contains(want), "{word:?} {pos:?}: {err}");
    }
    // A line of the file that would not load is named, and nothing is added after it.
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str("坏行 nr 5\n");
    std::fs::write(&file, &text).expect("write");
    let err = refused(&file, || {
        add_dict_word(&corpus, "新词", None, "王编辑", NOW)
    });
    let line = text.lines().count();
    assert!(err.to_string().contains(&format!("第 {line} 行")), "{err}");
}

#[test]
fn a_synonym_added_reaches_the_next_question_without_a_reindex() {
    let (_tmp, paths) = util::temp_paths();
    let corpus_dir = paths.corpus_dir.clone();
    let engine = Engine::open(&paths, &mut |_| {}).expect("open");
    let before = engine.ask("肚皮呼吸法", 3);
    assert!(
        before.level != Level::Confident || !before.hits[0].text.contains("腹式呼吸"),
        "{:?}",
        before.hits.first().map(|h| &h.text)
    );
    add_synonym_group(
        &corpus_dir,
        &words(&["肚皮呼吸法", "腹式呼吸"]),
        "王编辑",
        NOW,
    )
    .expect("accepted");
    let after = engine.ask("肚皮呼吸法", 3);
    assert_eq!(after.level, Level::Confident);
    assert!(after.hits[0].text.contains("腹式呼吸"));
    assert_eq!(engine.generation(), before_generation(&paths));
}

/// The generation a fresh open serves: the same as before, since nothing was reindexed.
fn before_generation(paths: &Paths) -> String {
    Engine::open(paths, &mut |_| {})
        .expect("reopen")
        .generation()
        .to_string()
}
