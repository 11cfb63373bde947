//! The corpus: the shipped 2019-03 issue parses into what readers rely on, nothing of the
//! raw text is lost, and the importer reproduces the reviewed structure and handles bad input.

use crate::util;
use kuayue::corpus::import::{self, ImportError};
use kuayue::corpus::ledger::Kind;
use kuayue::corpus::raw::RawIssueError;
use kuayue::corpus::structure::Structure;
use kuayue::corpus::{self, Issue};
use std::collections::BTreeMap;

fn seed() -> (Issue, kuayue::corpus::ledger::Ledger, String) {
    let dir = util::seed_issue_dir();
    let (issue, ledger) = corpus::load_issue(&dir).expect("the shipped issue loads");
    let raw = std::fs::read_to_string(dir.join("raw.txt")).expect("raw.txt");
    (issue, ledger, raw)
}

/// Brackets are printed both ways in the raw text; clause labels use one spelling.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

#[test]
fn every_character_of_the_raw_text_is_accounted_for_exactly_once() {
    let (issue, ledger, raw) = seed();
    let lines: Vec<&str> = raw.split('\n').collect();

    // 1. Coverage: the pieces of each line are disjoint and cover every non-space character.
    let mut by_line: BTreeMap<usize, Vec<_>> = BTreeMap::new();
    for p in &ledger.pieces {
        by_line.entry(p.line).or_default().push(p.clone());
    }
    for (n, line) in lines.iter().enumerate() {
        let n = n + 1;
        let mut owner = vec![None; line.len()];
        for p in by_line.get(&n).into_iter().flatten() {
            for slot in &mut owner[p.range.clone()] {
                assert!(slot.is_none(), "line {n}: byte claimed twice");
                *slot = Some(p.kind);
            }
        }
        for (i, c) in line.char_indices() {
            assert!(
                c.is_whitespace() || owner[i].is_some(),
                "line {n}: {c:?} at byte {i} went nowhere: {line}"
            );
        }
    }

    // 2. Kept text really is in a passage whose lines cover it (text, clause or section).
    for p in ledger.pieces.iter().filter(|p| p.kind == Kind::Passage) {
        let piece = fold(&lines[p.line - 1][p.range.clone()]);
        let found = issue.passages.iter().any(|ps| {
            (ps.lines[0]..=ps.lines[1]).contains(&p.line)
                && [Some(&ps.text), ps.clause.as_ref(), ps.section.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|t| fold(t).contains(&piece))
        });
        assert!(found, "line {}: {piece} is in no passage", p.line);
    }
    // ...and nothing is in a passage that the raw text did not hold.
    let kept: String = ledger
        .pieces
        .iter()
        .filter(|p| p.kind == Kind::Passage)
        .map(|p| fold(&lines[p.line - 1][p.range.clone()]))
        .collect();
    let passages: usize = issue
        .passages
        .iter()
        .map(|p| fold(&p.text).chars().count())
        .sum();
    assert!(passages <= kept.chars().count());

    // 3. Every named kind of noise occurs in this issue.
    let counts: BTreeMap<Kind, usize> = ledger.counts(&lines).into_iter().collect();
    for kind in [
        Kind::Passage,
        Kind::Title,
        Kind::Source,
        Kind::Toc,
        Kind::Masthead,
        Kind::RunningHeader,
        Kind::EndMark,
        Kind::SpacedTitle,
        Kind::Markup,
    ] {
        assert!(
            counts.get(&kind).copied().unwrap_or(0) > 0,
            "{kind:?} not seen"
        );
    }
    for (kind, n) in &counts {
        println!("{:>15}: {n} characters", kind.name());
    }
    let total: usize = counts.values().sum();
    let raw_chars = raw.chars().filter(|c| !c.is_whitespace()).count();
    assert_eq!(total, raw_chars);
}

#[test]
fn articles_pages_and_clauses_match_the_printed_issue() {
    let (issue, _, _) = seed();
    assert_eq!(issue.meta.id, "2019-03");
    assert_eq!(issue.meta.label(), "2019年第3期");
    assert_eq!(issue.meta.total, Some(244));
    assert_eq!(issue.meta.date, "2019-03-01");

    let toc: Vec<_> = issue
        .articles
        .iter()
        .filter(|a| a.in_toc && a.pages.cover.is_none())
        .collect();
    assert_eq!(toc.len(), 22, "table-of-contents articles");
    let covers: Vec<_> = issue
        .articles
        .iter()
        .filter(|a| a.pages.cover.is_some())
        .collect();
    assert_eq!(covers.len(), 3);

    let pages = |title: &str| {
        let a = issue
            .articles
            .iter()
            .find(|a| a.title == title)
            .unwrap_or_else(|| panic!("no article {title}"));
        a.pages.pair()
    };
    assert_eq!(pages("把党的政治建设摆在首位"), [1, 3]);
    assert_eq!(pages("中共中央关于加强党的政治建设的意见"), [4, 9]);
    assert_eq!(pages("着力打造中国特色社会主义新海关"), [13, 14]);
    assert_eq!(
        pages("以模范机关创建促进广东税务减税降费惠民利企"),
        [17, 26]
    );
    assert_eq!(pages("12371 党员咨询服务热线"), [44, 44]);
    assert_eq!(pages("有压力？试试这五个妙招"), [46, 47]);
    assert_eq!(pages("省直机关工委动态"), [48, 48]);

    // An item printed without a table-of-contents line is its own unit.
    let notice = issue
        .articles
        .iter()
        .find(|a| a.title.contains("主题诗词创作邀请赛"))
        .expect("the poetry notice");
    assert!(!notice.in_toc);
    assert_eq!(notice.pages.pair(), [46, 47]);

    let customs = issue
        .articles
        .iter()
        .find(|a| a.title == "着力打造中国特色社会主义新海关")
        .expect("customs article");
    assert_eq!(customs.source.as_deref(), Some("广州海关关长 谢松"));
    assert_eq!(customs.column, "学习贯彻重要讲话精神");

    // The 意见 has twenty clauses, each addressable by number and title.
    let opinion = issue
        .articles
        .iter()
        .position(|a| a.title == "中共中央关于加强党的政治建设的意见")
        .expect("意见");
    let mut clauses: Vec<&str> = issue
        .passages
        .iter()
        .filter(|p| p.article == opinion)
        .filter_map(|p| p.clause.as_deref())
        .filter(|c| c.starts_with('（'))
        .collect();
    clauses.dedup();
    assert_eq!(clauses.len(), 20);
    assert_eq!(clauses[15], "（十六）永葆清正廉洁的政治本色");
    let sixteen = issue
        .passages
        .iter()
        .find(|p| p.clause.as_deref() == Some("（十六）永葆清正廉洁的政治本色"))
        .expect("clause 16");
    assert_eq!(sixteen.section.as_deref(), Some("五、净化政治生态"));
    assert!(sixteen.text.contains("坚持反腐败无禁区、全覆盖、零容忍"));
}

#[test]
fn broken_words_are_joined_and_noise_is_gone() {
    let (issue, _, _) = seed();
    let all: String = issue
        .passages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for joined in [
        "要坚持用习近平新时代中国特色社会主义思想武装全党",
        "坚决维护习近平总书记党中央的核心",
        "落实好李克强总理提出的“六个一”要求，就是企业开办时间再减少一半",
        "确保减税降费工作落细落小落具体",
        "为全国法院提供示范经验",
    ] {
        assert!(all.contains(joined), "not joined: {joined}");
    }
    for noise in [
        "²",
        "³",
        "**",
        "着力 打造",
        "广东省直单位第六届工作技能大赛",
        "（转自",
    ] {
        assert!(!all.contains(noise), "noise left in passages: {noise}");
    }
    assert!(!all.lines().any(|l| l == "模范机关创建在行动"));
    // Headings are labels, not text, and every passage knows its position.
    for (i, p) in issue.passages.iter().enumerate() {
        assert!(!p.text.trim().is_empty(), "empty passage {i}");
        assert!(p.seq >= 1);
    }
}

#[test]
fn the_importer_reproduces_the_reviewed_structure() {
    let dir = util::seed_issue_dir();
    let raw = std::fs::read_to_string(dir.join("raw.txt")).expect("raw");
    let reviewed = std::fs::read_to_string(dir.join("issue.toml")).expect("issue.toml");
    let (structure, warnings) = import::analyse(&raw).expect("the seed imports");
    assert_eq!(structure.to_toml().expect("serialises"), reviewed);
    assert_eq!(Structure::parse(&reviewed).expect("parses"), structure);
    // The articles without a printed title are reported for review, with their lines.
    let lines: Vec<usize> = warnings.iter().map(|w| w.line).collect();
    for expected in [363, 808, 950, 992, 1188] {
        assert!(
            lines.contains(&expected),
            "no warning at line {expected}: {warnings:?}"
        );
    }
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let (_tmp, dir) = util::temp_corpus();
    let before = util::tree(&dir);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", b"  \n\n".to_vec()),
        ("gbk", vec![0xb5, 0xb3, 0xb5, 0xc4, 0xd5, 0xfe, 0xd6, 0xce]),
        ("binary", vec![0x7f, b'E', b'L', b'F', 0, 0, 1, 2]),
        (
            "no toc",
            "一篇文章。\n\n没有目录的文字。\n".as_bytes().to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        let err = import::import_bytes(&bytes, &dir, false).expect_err(name);
        let expected = match name {
            "empty" => matches!(err, ImportError::Raw(RawIssueError::Empty)),
            "gbk" => matches!(err, ImportError::Raw(RawIssueError::NotUtf8(_))),
            "binary" => matches!(err, ImportError::Raw(RawIssueError::Binary)),
            _ => matches!(err, ImportError::NoToc),
        };
        assert!(expected, "{name}: {err}");
        // The message names the problem in words an editor acts on.
        let says = match name {
            "empty" => "空",
            "gbk" => "UTF-8",
            "binary" => "二进制",
            _ => "目录",
        };
        assert!(err.to_string().contains(says), "{name}: {err}");
    }
    // The seed is already there: refused unless asked to replace.
    let raw = std::fs::read(util::seed_issue_dir().join("raw.txt")).expect("raw");
    let err = import::import_bytes(&raw, &dir, false).expect_err("exists");
    assert!(matches!(err, ImportError::Exists(..)), "{err}");
    assert!(err.to_string().contains("--replace"));
    assert_eq!(util::tree(&dir), before);

    let report = import::import_bytes(&raw, &dir, true).expect("replace");
    assert!(report.replaced);
    assert_eq!(
        util::tree(&dir),
        before,
        "replacing with the same text changes nothing"
    );
}

#[test]
fn a_new_issue_with_another_layout_imports_without_code_changes() {
    let (_tmp, dir) = util::temp_corpus();
    let report = import::import_file(&util::test_data("sample-2019-04.txt"), &dir, false)
        .expect("the sample issue imports");
    assert_eq!(report.issue_id, "2019-04");
    assert!(!report.replaced);

    let corpus = corpus::load_dir(&dir).expect("both issues load");
    assert_eq!(corpus.issues.len(), 2);
    let issue = corpus.latest().expect("latest");
    assert_eq!(issue.meta.id, "2019-04");
    assert_eq!(issue.meta.total, Some(245));
    assert_eq!(issue.meta.date, "2019-04-01");

    let find = |t: &str| {
        issue
            .articles
            .iter()
            .find(|a| a.title == t)
            .unwrap_or_else(|| panic!("no article {t} in {:?}", issue.articles))
    };
    assert_eq!(find("坚定不移推进全面从严治党").pages.pair(), [1, 2]);
    assert_eq!(find("省直机关召开党风廉政建设工作会议").column, "专题报道");
    let spaced = find("深化“放管服”改革 提升政务服务效能");
    assert_eq!(spaced.source.as_deref(), Some("省政务服务数据管理局 张明"));
    assert_eq!(spaced.pages.pair(), [6, 7]);
    // A title wrapped onto the next table-of-contents line, with its author after '/'.
    let wrapped = find("以标准化建设提升党支部组织力");
    assert_eq!(wrapped.column, "基层风采·支部建设");
    assert_eq!(wrapped.pages.pair(), [8, 9]);
    assert_eq!(find("打造“智慧党建”平台").pages.pair(), [10, 12]);
    let extra = find("全省机关党建知识竞赛启动");
    assert!(!extra.in_toc);

    let text_of = |title: &str| -> String {
        let idx = issue
            .articles
            .iter()
            .position(|a| a.title == title)
            .expect("article");
        issue
            .passages
            .iter()
            .filter(|p| p.article == idx)
            .map(|p| p.text.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let body = text_of("深化“放管服”改革 提升政务服务效能");
    assert!(body.contains("群众办事少跑腿"), "{body}");
    assert!(!body.contains("深化 “放管服”"));
    assert!(text_of("以标准化建设提升党支部组织力").starts_with("省交通运输厅机关党委坚持"));
    assert!(!text_of("打造“智慧党建”平台").contains("专题报道"));
    assert!(report
        .warnings
        .iter()
        .any(|w| w.message.contains("以标准化建设提升党支部组织力")));

    // Importing it again is refused.
    let again = import::import_file(&util::test_data("sample-2019-04.txt"), &dir, false);
    assert!(matches!(again, Err(ImportError::Exists(..))));
}

#[test]
fn toc_and_dump_print_the_documented_json() {
    let exe = env!("CARGO_BIN_EXE_kuayue");
    let out = std::process::Command::new(exe)
        .args(["toc", "--json"])
        .env("CORPUS_DIR", util::corpus_dir())
        .output()
        .expect("run kuayue toc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let issue = &v["issues"][0];
    assert_eq!(issue["issue"], "2019-03");
    assert_eq!(issue["label"], "2019年第3期");
    assert_eq!(issue["total"], 244);
    assert_eq!(issue["date"], "2019-03-01");
    let first = &issue["articles"][1];
    assert_eq!(first["title"], "中共中央关于加强党的政治建设的意见");
    assert_eq!(first["column"], "特稿");
    assert_eq!(first["pages"], serde_json::json!([4, 9]));
    assert_eq!(first["in_toc"], true);
    assert!(first["source"].is_string());

    let out = std::process::Command::new(exe)
        .args(["dump", "--json"])
        .env("CORPUS_DIR", util::corpus_dir())
        .output()
        .expect("run kuayue dump");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut n = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one object a line");
        for key in [
            "issue", "article", "column", "pages", "clause", "seq", "text",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        let line = v["source_line"].as_str().expect("source_line");
        assert!(
            line.starts_with("《跨越》2019年第3期 · ")
                && line.contains(v["article"].as_str().unwrap_or("?")),
            "{line}"
        );
        n += 1;
    }
    assert!(n > 200, "{n} passages");

    let out = std::process::Command::new(exe)
        .args(["toc"])
        .env("CORPUS_DIR", "/nonexistent/corpus")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CORPUS_DIR"));
}

#[test]
fn an_issue_key_that_is_not_yyyy_nn_is_refused_with_a_sentence() {
    let exe = env!("CARGO_BIN_EXE_kuayue");
    for (args, says) in [
        (&["toc", "2019-3"][..], "期号写作 YYYY-NN"),
        (&["toc", "2019-13"][..], "01 到 12"),
        (
            &["ask", "--issue", "2019年3期", "意见"][..],
            "期号写作 YYYY-NN",
        ),
    ] {
        let out = std::process::Command::new(exe)
            .args(args)
            .env("CORPUS_DIR", util::corpus_dir())
            .env("DATA_DIR", "/nonexistent/data")
            .output()
            .expect("run kuayue");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("不是期号") && err.contains(says),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn a_malformed_structure_is_reported_with_file_and_line() {
    let (_tmp, dir) = util::temp_corpus();
    let toml = dir.join("2019-03").join("issue.toml");
    let good = std::fs::read_to_string(&toml).expect("read");

    std::fs::write(&toml, good.replace("start = 161", "start = 162")).expect("write");
    let err = corpus::load_dir(&dir)
        .expect_err("shifted start")
        .to_string();
    assert!(err.contains("raw.txt:162"), "{err}");
    assert!(err.contains("中共中央关于加强党的政治"), "{err}");

    std::fs::write(&toml, good.replace("year = 2019", "year = \"二〇一九\"")).expect("write");
    let err = corpus::load_dir(&dir).expect_err("bad type").to_string();
    assert!(err.contains("issue.toml:6"), "{err}");
}

#[test]
fn windows_line_ends_and_a_byte_order_mark_import_the_same() {
    let (_tmp, dir) = util::temp_corpus();
    let text = std::fs::read_to_string(util::test_data("sample-2019-04.txt")).expect("sample");
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let report = import::import_bytes(windows.as_bytes(), &dir, false).expect("imports");
    let corpus = corpus::load_dir(&dir).expect("loads");
    let issue = corpus.issue(&report.issue_id).expect("the new issue");
    assert_eq!(issue.articles.len(), 7);
    assert!(issue.passages.iter().all(|p| !p.text.contains('\r')));
    assert!(issue.articles.iter().all(|a| !a.title.contains('\u{feff}')));

    let no_identity = text
        .replace("2019年\n第4期", "")
        .replace("2019年4月1日编印", "");
    let err = import::import_bytes(no_identity.as_bytes(), &dir, true).expect_err("no identity");
    assert!(matches!(err, ImportError::NoIdentity), "{err}");
}

#[test]
fn table_of_contents_variants_and_edge_cases_of_the_body() {
    let (_tmp, dir) = util::temp_corpus();
    let report = import::import_file(&util::test_data("sample-2019-05.txt"), &dir, false)
        .expect("the sample imports");
    // An importer crash left a hidden work directory behind: it is not an issue.
    let leftover = dir.join(".import-2019-06-1");
    util::copy_dir(&dir.join("2019-03"), &leftover);

    let corpus = corpus::load_dir(&dir).expect("loads, ignoring the leftover");
    assert_eq!(corpus.issues.len(), 2);
    let issue = corpus.issue(&report.issue_id).expect("2019-05");
    let find = |t: &str| {
        issue
            .articles
            .iter()
            .find(|a| a.title == t)
            .unwrap_or_else(|| panic!("no {t} in {:?}", issue.articles))
    };
    // Full-width brackets, entries on consecutive lines, two articles on one page.
    assert_eq!(find("奋力开创新局面").pages.pair(), [1, 2]);
    assert_eq!(find("省直机关举办党务干部培训班").pages.pair(), [3, 3]);
    let second = find("省直机关开展主题党日活动");
    assert_eq!(second.pages.pair(), [3, 4]);
    assert_eq!(second.source.as_deref(), Some("工委宣传部"));
    assert_eq!(
        find("持续深化“放管服”改革").source.as_deref(),
        Some("省发展改革委")
    );
    // A title wrapped over three lines, under a column header printed on two.
    let wrapped = find("以党建引领业务发展新格局");
    assert_eq!(wrapped.column, "基层风采·经验交流");
    assert_eq!(wrapped.pages.pair(), [7, 8]);

    let text: String = issue
        .passages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    // A superscript inside a sentence is not an end mark.
    assert!(text.contains("3000m²，全部投入使用"), "{text}");
    // A sub-heading two articles share is not a page banner.
    assert_eq!(text.matches("下一步工作").count(), 2, "{text}");
    // An article that ends on headings keeps them.
    assert!(text.contains("●问：企业开办还要多久？"), "{text}");

    // Two articles starting on one line is an error naming both.
    let toml = dir.join("2019-05").join("issue.toml");
    let good = std::fs::read_to_string(&toml).expect("read");
    let (s, _) = import::analyse(
        &std::fs::read_to_string(dir.join("2019-05").join("raw.txt")).expect("raw"),
    )
    .expect("analyse");
    let first = s.articles[1].start.expect("start");
    let second = s.articles[2].start.expect("start");
    let broken = good.replacen(
        &format!("start = {second}\n"),
        &format!("start = {first}\n"),
        1,
    );
    let broken = broken.replacen(
        &format!(
            "anchor = \"{}\"",
            s.articles[2].anchor.clone().unwrap_or_default()
        ),
        &format!(
            "anchor = \"{}\"",
            s.articles[1].anchor.clone().unwrap_or_default()
        ),
        1,
    );
    std::fs::write(&toml, broken).expect("write");
    let err = corpus::load_dir(&dir).expect_err("same start").to_string();
    assert!(err.contains("同一行"), "{err}");
}
