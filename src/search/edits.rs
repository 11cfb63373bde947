//! The editors' additions to the two files beside the corpus that steer the search, made from
//! the bot (`/synonym`, `/dict`) or any other tool:
//!
//! - [`add_synonym_group`] appends a group to `corpus/synonyms.txt` (the thesaurus, applied to
//!   the next question with no reindex: [`super::thesaurus::LiveThesaurus`] re-reads it);
//! - [`add_dict_word`] appends a term to `corpus/user.dict` (the segmenter's dictionary: it
//!   takes effect with the next index build, which notices the change).
//!
//! Each addition is one line preceded by a comment naming who added it and when (UTC+8). It is
//! checked before anything is written — the words, that it is new, and that the whole file
//! still parses as the search reads it — and refused with a reason otherwise, leaving the file
//! byte for byte as it was. The new file is written beside the old one, synced and renamed
//! over it, so a reader of the file sees the old or the new version, never half of one.
//! Additions within one process are serialised; editing the same file from two processes at
//! the same instant is not guarded against.

use super::thesaurus::Thesaurus;
use crate::index::analyzer::{is_pos_tag, parse_dict_line};
use crate::index::fold_str;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The thesaurus file inside the corpus directory.
pub(crate) const SYNONYMS_FILE: &str = "synonyms.txt";
/// The user dictionary inside the corpus directory.
pub(crate) const USER_DICT_FILE: &str = "user.dict";
/// The longest word either file takes, in characters.
pub(crate) const MAX_WORD_CHARS: usize = 30;

/// Serialises read-check-write within the process.
static EDITING: Mutex<()> = Mutex::new(());

/// Why an addition was refused; every message is a sentence for the editor.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("词语不能为空")]
    Empty,
    #[error("“{word}”太长了（{chars} 字），每个词最多 {MAX_WORD_CHARS} 字")]
    TooLong { word: String, chars: usize },
    #[error("“{word}”含有“{found}”，这个符号在文件里另有用途，词语中不能使用")]
    Reserved { word: String, found: char },
    #[error("“{word}”不是词语：至少要有一个汉字、字母或数字")]
    NotAWord { word: String },
    #[error("“{word}”含有空格或换行，词典里的词语中不能有空白")]
    Whitespace { word: String },
    #[error("同义词组至少要有两个不同的词，例如：/synonym 十九大 = 党的十九大")]
    TooFew,
    #[error("这组同义词已经在同义词表里了（第 {line} 行）")]
    GroupExists { line: usize },
    #[error("“{word}”已经在用户词典里了（第 {line} 行）")]
    WordExists { word: String, line: usize },
    #[error("“{tag}”不是词性标记，应为 1–4 个小写字母，如 n（名词）、nr（人名）、ns（地名）、nz（其他专名）")]
    BadTag { tag: String },
    #[error("改动后 {path} 将无法读取（第 {line} 行：{why}），没有写入。请先修正该行")]
    WouldNotParse {
        path: PathBuf,
        line: usize,
        why: String,
    },
    #[error("无法读取 {path}：{err}")]
    Read { path: PathBuf, err: std::io::Error },
    #[error("无法写入 {path}：{err}")]
    Write { path: PathBuf, err: std::io::Error },
}

/// What an accepted addition wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The file written.
    pub path: PathBuf,
    /// The comment line and the new line, as appended (without line ends).
    pub comment: String,
    pub line: String,
    /// The new line's number in the file (1-based).
    pub line_no: usize,
    /// The words added, trimmed, in the order given (for re-running the misses that hold them).
    pub words: Vec<String>,
}

/// Append the group `words` (`十九大`, `党的十九大`, …) to `corpus_dir/synonyms.txt` as
/// `十九大 = 党的十九大`, after a comment naming `who` and the time `now` (seconds since the
/// epoch). Refused when a word is empty, longer than [`MAX_WORD_CHARS`], or holds `=` or `#`;
/// when fewer than two distinct words (as folded) remain; when one group of the file already
/// holds them all; or when the file would not parse. A missing file is created.
pub fn add_synonym_group(
    corpus_dir: &Path,
    words: &[String],
    who: &str,
    now: i64,
) -> Result<Edit, EditError> {
    let mut distinct: Vec<String> = Vec::new();
    for w in words {
        let w = check_word(w, &['=', '#'])?;
        if !distinct.iter().any(|d| fold_str(d) == fold_str(&w)) {
            distinct.push(w);
        }
    }
    if distinct.len() < 2 {
        return Err(EditError::TooFew);
    }
    let path = corpus_dir.join(SYNONYMS_FILE);
    let _guard = EDITING.lock().unwrap_or_else(|p| p.into_inner());
    let old = read_or_empty(&path)?;
    if let Some(line) = group_line(&old, &path, &distinct)? {
        return Err(EditError::GroupExists { line });
    }
    let line = distinct.join(" = ");
    let (text, comment, line_no) = appended(&old, who, now, &line);
    Thesaurus::parse(&text, &path).map_err(|e| EditError::WouldNotParse {
        path: path.clone(),
        line: e.line,
        why: "同义词组至少要有两个词".into(),
    })?;
    write_atomically(&path, text.as_bytes())?;
    Ok(Edit {
        path,
        comment,
        line,
        line_no,
        words: distinct,
    })
}

/// The line of the first group of the thesaurus text `old` that holds every one of `words`
/// (as folded), if any. A malformed file is refused here already.
fn group_line(old: &str, path: &Path, words: &[String]) -> Result<Option<usize>, EditError> {
    let folded: Vec<String> = words.iter().map(|w| fold_str(w)).collect();
    for (i, raw) in old.lines().enumerate() {
        let t = Thesaurus::parse(raw, path).map_err(|_| EditError::WouldNotParse {
            path: path.to_path_buf(),
            line: i + 1,
            why: "同义词组至少要有两个词".into(),
        })?;
        if t.groups()
            .iter()
            .any(|g| folded.iter().all(|w| g.contains(w)))
        {
            return Ok(Some(i + 1));
        }
    }
    Ok(None)
}

/// Append `word` (with its part of speech `pos`, e.g. `nr` for a person's name) to
/// `corpus_dir/user.dict` as `word` or `word pos`, after a comment naming `who` and the time
/// `now`. No frequency is written: the loader gives the word one that keeps it whole. Refused
/// when the word is empty, longer than [`MAX_WORD_CHARS`], holds white space or `#`; when `pos`
/// is not a tag's shape; when the dictionary already holds the word (as folded); or when a line
/// of the file would not load. A missing file is created.
pub fn add_dict_word(
    corpus_dir: &Path,
    word: &str,
    pos: Option<&str>,
    who: &str,
    now: i64,
) -> Result<Edit, EditError> {
    let trimmed = word.trim();
    if trimmed.chars().any(char::is_whitespace) {
        return Err(EditError::Whitespace {
            word: trimmed.to_string(),
        });
    }
    let word = check_word(trimmed, &['#'])?;
    let pos = pos.map(str::trim).filter(|p| !p.is_empty());
    if let Some(tag) = pos.filter(|t| !is_pos_tag(t)) {
        return Err(EditError::BadTag {
            tag: tag.chars().take(MAX_WORD_CHARS).collect(),
        });
    }
    let path = corpus_dir.join(USER_DICT_FILE);
    let _guard = EDITING.lock().unwrap_or_else(|p| p.into_inner());
    let old = read_or_empty(&path)?;
    let line = match pos {
        Some(tag) => format!("{word} {tag}"),
        None => word.clone(),
    };
    let (text, comment, line_no) = appended(&old, who, now, &line);
    let folded = fold_str(&word);
    for (i, raw) in text.lines().enumerate() {
        let entry = parse_dict_line(raw).map_err(|why| EditError::WouldNotParse {
            path: path.clone(),
            line: i + 1,
            why,
        })?;
        if i + 1 != line_no && entry.is_some_and(|e| fold_str(&e.word) == folded) {
            return Err(EditError::WordExists { word, line: i + 1 });
        }
    }
    write_atomically(&path, text.as_bytes())?;
    Ok(Edit {
        path,
        comment,
        line,
        line_no,
        words: vec![word],
    })
}

/// A word trimmed, or why it is refused: empty, too long, without a letter, digit or
/// ideograph, holding a control character or one of `reserved`.
fn check_word(word: &str, reserved: &[char]) -> Result<String, EditError> {
    let w = word.trim();
    if w.is_empty() {
        return Err(EditError::Empty);
    }
    let chars = w.chars().count();
    if chars > MAX_WORD_CHARS {
        return Err(EditError::TooLong {
            word: w.chars().take(MAX_WORD_CHARS).chain(['…']).collect(),
            chars,
        });
    }
    if !w.chars().any(char::is_alphanumeric) {
        return Err(EditError::NotAWord {
            word: w.to_string(),
        });
    }
    if let Some(found) = w.chars().find(|c| reserved.contains(c) || c.is_control()) {
        return Err(EditError::Reserved {
            word: w.chars().filter(|c| !c.is_control()).collect(),
            found: if found.is_control() { '␤' } else { found },
        });
    }
    Ok(w.to_string())
}

/// The file's text, or nothing when there is no file yet.
fn read_or_empty(path: &Path) -> Result<String, EditError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| EditError::WouldNotParse {
            path: path.to_path_buf(),
            line: 0,
            why: "文件不是 UTF-8 文本".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => Err(EditError::Read {
            path: path.to_path_buf(),
            err,
        }),
    }
}

/// `old` with the comment and `line` appended (on a line of their own), the comment, and the
/// new line's number.
fn appended(old: &str, who: &str, now: i64, line: &str) -> (String, String, usize) {
    let who: String = who
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let who = match who.trim() {
        "" => "未署名",
        w => w,
    };
    let comment = format!("# {} 由 {who} 添加", crate::clock::local_time(now));
    let mut text = old.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&comment);
    text.push('\n');
    text.push_str(line);
    text.push('\n');
    let line_no = text.lines().count();
    (text, comment, line_no)
}

/// Replace `path` by `bytes`: write a temporary file in the same directory, sync it, rename it
/// over `path`, and sync the directory so that the rename survives a power cut.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), EditError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.edit-{}", std::process::id()));
    let write_err = |err| EditError::Write {
        path: path.to_path_buf(),
        err,
    };
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        if let Ok(meta) = std::fs::metadata(path) {
            // Keep the file's permissions (an editor's group-writable file stays so).
            let _ = f.set_permissions(meta.permissions());
        }
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(e));
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
