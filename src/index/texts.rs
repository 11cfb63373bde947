//! The passage texts of a generation, kept on disk and read when a search needs one.
//!
//! The texts are most of what a corpus weighs (about 190 KB an issue): held in memory beside
//! the index, they made a 20-year archive cost 150 MB of RSS before a question was asked.
//! They are written once with the generation, as `texts.bin` (covered by its manifest), and
//! read back with positioned reads:
//!
//! - the page cache holds what is hot, and gives it back when the machine needs it;
//! - every slot carries a checksum of its bytes, so a file damaged while the engine runs is
//!   an error on the next read of the damaged part (the bot then says 请稍后再试 and rebuilds),
//!   never a wrong text, a panic or, as a memory map would give, a SIGBUS.
//!
//! Layout (integers little-endian): the 16-byte [`MAGIC`], the passage count (u64), one
//! [`Slot`] of [`SLOT_BYTES`] per passage, the block count (u64) and one [`Block`] of
//! [`BLOCK_BYTES`] per block, then the texts back to back in passage order, each followed by
//! its folded form where folding changes it (so that a scan never folds).

use super::fold::fold;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The file of a generation that holds its passage texts.
pub(crate) const TEXTS_FILE: &str = "texts.bin";
const MAGIC: &[u8; 16] = b"kuayue-texts 1\n\0";
const SLOT_BYTES: usize = 32;
/// Consecutive passages are grouped into blocks of about this many bytes of text, each with
/// the set of ideographs its folded texts use: a scan for a word skips every block that lacks
/// one of the word's characters, and reads the others one block at a time.
const BLOCK_TEXT: u64 = 64 * 1024;
/// The ideographs a block's set covers (CJK Unified Ideographs); other characters are not
/// recorded, and a word made only of them is looked for everywhere.
const IDEOGRAPHS: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;
const SET_BYTES: usize = (0x9FFF - 0x4E00 + 1usize).div_ceil(8);
const BLOCK_BYTES: usize = 8 + SET_BYTES;

/// Which ideographs a block's folded texts use, one bit each.
#[derive(Clone, PartialEq, Eq)]
struct CharSet(Box<[u8]>);

impl std::fmt::Debug for CharSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n: u32 = self.0.iter().map(|b| b.count_ones()).sum();
        write!(f, "CharSet({n} ideographs)")
    }
}

impl CharSet {
    fn new() -> CharSet {
        CharSet(vec![0u8; SET_BYTES].into_boxed_slice())
    }

    fn insert_all(&mut self, text: &str) {
        for c in text.chars() {
            if let Some(i) = CharSet::bit(c) {
                self.0[i / 8] |= 1 << (i % 8);
            }
        }
    }

    fn bit(c: char) -> Option<usize> {
        let u = c as u32;
        IDEOGRAPHS
            .contains(&u)
            .then(|| (u - IDEOGRAPHS.start()) as usize)
    }

    /// Whether every ideograph of `word` is in the set.
    fn may_hold(&self, word: &str) -> bool {
        word.chars()
            .filter_map(CharSet::bit)
            .all(|i| self.0[i / 8] & (1 << (i % 8)) != 0)
    }
}

/// A run of consecutive passages and the ideographs they use.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    first: u32,
    count: u32,
    chars: CharSet,
}

/// Where one passage's text is, and what it must hash to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    offset: u64,
    len: u32,
    /// Length of the folded form stored after the text; 0 when folding changes nothing.
    folded_len: u32,
    /// Folding changes the text (Traditional characters, full-width letters): a reader of the
    /// folded form must fold it again.
    pub fold_changes: bool,
    /// Checksum of the stored bytes, checked on every read.
    sum: u64,
    /// Hash of the folded text: the same paragraph reprinted is recognised without reading it.
    pub folded_hash: u64,
}

/// Hash of a text, stable within one build of the program (both sides of every comparison
/// come from the same file or the same process).
pub(crate) fn hash_str(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Write `texts` (every passage of the corpus, in passage order) into `dir`.
pub(crate) fn write<'a>(
    dir: &Path,
    texts: impl Iterator<Item = &'a str> + Clone,
) -> io::Result<()> {
    let long = |n: usize| u32::try_from(n).map_err(|_| io::Error::other("passage over 4 GB"));
    // First the tables, with offsets counted from the start of the texts.
    let mut slots: Vec<[u8; SLOT_BYTES]> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut block_text = 0u64;
    // The folded forms that differ (a few in a hundred), kept for writing the texts.
    let mut changed: Vec<Option<String>> = Vec::new();
    let mut offset = 0u64;
    for (pid, text) in texts.clone().enumerate() {
        let len = long(text.len())?;
        let folded = fold(text);
        let folded_len = if folded.text != text {
            long(folded.text.len())?
        } else {
            0
        };
        let mut slot = [0u8; SLOT_BYTES];
        slot[0..8].copy_from_slice(&offset.to_le_bytes());
        slot[8..12].copy_from_slice(&len.to_le_bytes());
        slot[12..16].copy_from_slice(&folded_len.to_le_bytes());
        slot[16..24].copy_from_slice(&hash_str(text).to_le_bytes());
        slot[24..32].copy_from_slice(&hash_str(&folded.text).to_le_bytes());
        slots.push(slot);
        let bytes = u64::from(len) + u64::from(folded_len);
        offset += bytes;
        match blocks.last_mut() {
            Some(b) if block_text + bytes <= BLOCK_TEXT => {
                b.count += 1;
                b.chars.insert_all(&folded.text);
                block_text += bytes;
            }
            _ => {
                let mut chars = CharSet::new();
                chars.insert_all(&folded.text);
                blocks.push(Block {
                    first: long(pid)?,
                    count: 1,
                    chars,
                });
                block_text = bytes;
            }
        }
        changed.push((folded_len != 0).then_some(folded.text));
    }
    let count = slots.len();
    let texts_start =
        (MAGIC.len() + 8 + count * SLOT_BYTES + 8 + blocks.len() * BLOCK_BYTES) as u64;
    let mut out = BufWriter::new(File::create(dir.join(TEXTS_FILE))?);
    out.write_all(MAGIC)?;
    out.write_all(&(count as u64).to_le_bytes())?;
    for mut slot in slots {
        let at = u64_at(&slot, 0) + texts_start;
        slot[0..8].copy_from_slice(&at.to_le_bytes());
        out.write_all(&slot)?;
    }
    out.write_all(&(blocks.len() as u64).to_le_bytes())?;
    for b in &blocks {
        out.write_all(&b.first.to_le_bytes())?;
        out.write_all(&b.count.to_le_bytes())?;
        out.write_all(&b.chars.0)?;
    }
    for (text, folded) in texts.zip(&changed) {
        out.write_all(text.as_bytes())?;
        if let Some(f) = folded {
            out.write_all(f.as_bytes())?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// An open `texts.bin`: its slots in memory, its texts on disk.
#[derive(Debug)]
pub(crate) struct TextStore {
    file: File,
    path: PathBuf,
    slots: Vec<Slot>,
    blocks: Vec<Block>,
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

impl TextStore {
    /// Open the texts of the generation in `dir`, checking that the table fits the file.
    pub(crate) fn open(dir: &Path) -> io::Result<TextStore> {
        let path = dir.join(TEXTS_FILE);
        let file = File::open(&path)?;
        let size = file.metadata()?.len();
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let mut head = [0u8; 24];
        file.read_exact_at(&mut head, 0)
            .map_err(|_| bad("文件头不完整"))?;
        if &head[..16] != MAGIC {
            return Err(bad("不是段落文本文件"));
        }
        let count = usize::try_from(u64_at(&head, 16)).map_err(|_| bad("段落数不对"))?;
        let table_len = count
            .checked_mul(SLOT_BYTES)
            .filter(|&n| (24 + n) as u64 <= size)
            .ok_or_else(|| bad("段落表超出文件"))?;
        let mut table = vec![0u8; table_len];
        file.read_exact_at(&mut table, 24)?;
        let blocks_at = (24 + table_len) as u64;
        let mut n = [0u8; 8];
        file.read_exact_at(&mut n, blocks_at)
            .map_err(|_| bad("块表不完整"))?;
        let n_blocks = usize::try_from(u64::from_le_bytes(n)).map_err(|_| bad("块数不对"))?;
        let blocks_len = n_blocks
            .checked_mul(BLOCK_BYTES)
            .filter(|&len| blocks_at + 8 + len as u64 <= size)
            .ok_or_else(|| bad("块表超出文件"))?;
        let mut raw_blocks = vec![0u8; blocks_len];
        file.read_exact_at(&mut raw_blocks, blocks_at + 8)?;
        let mut blocks: Vec<Block> = Vec::with_capacity(n_blocks);
        for raw in raw_blocks.chunks_exact(BLOCK_BYTES) {
            let b = Block {
                first: u32_at(raw, 0),
                count: u32_at(raw, 4),
                chars: CharSet(raw[8..].to_vec().into_boxed_slice()),
            };
            // Blocks cover the passages in order, each once.
            let next = blocks.last().map_or(0, |l| l.first + l.count);
            if b.first != next || b.count == 0 {
                return Err(bad("块表与段落表不符"));
            }
            blocks.push(b);
        }
        if blocks.last().map_or(0, |l| (l.first + l.count) as usize) != count {
            return Err(bad("块表与段落表不符"));
        }
        let mut slots = Vec::with_capacity(count);
        let mut expected = blocks_at + 8 + blocks_len as u64;
        for raw in table.chunks_exact(SLOT_BYTES) {
            let folded_len = u32_at(raw, 12);
            let slot = Slot {
                offset: u64_at(raw, 0),
                len: u32_at(raw, 8),
                folded_len,
                fold_changes: folded_len != 0,
                sum: u64_at(raw, 16),
                folded_hash: u64_at(raw, 24),
            };
            if slot.offset != expected {
                return Err(bad("段落表与文本不符"));
            }
            expected += u64::from(slot.len) + u64::from(folded_len);
            slots.push(slot);
        }
        if expected != size {
            return Err(bad("文件长度与段落表不符"));
        }
        Ok(TextStore {
            file,
            path,
            slots,
            blocks,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn slot(&self, i: usize) -> Option<&Slot> {
        self.slots.get(i)
    }

    fn damaged(&self, i: usize, what: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} 第 {} 段{what}", self.path.display(), i + 1),
        )
    }

    /// Check the bytes of slot `i` and make them a text.
    fn checked(&self, i: usize, slot: &Slot, bytes: Vec<u8>) -> io::Result<String> {
        let text = String::from_utf8(bytes).map_err(|_| self.damaged(i, "不是有效的 UTF-8"))?;
        if hash_str(&text) != slot.sum {
            return Err(self.damaged(i, "校验和不符"));
        }
        Ok(text)
    }

    /// The text of passage `i`.
    pub(crate) fn read(&self, i: usize) -> io::Result<String> {
        let slot = *self.slots.get(i).ok_or_else(|| self.damaged(i, "不存在"))?;
        let mut bytes = vec![0u8; slot.len as usize];
        self.file
            .read_exact_at(&mut bytes, slot.offset)
            .map_err(|e| self.damaged(i, &format!("读取失败：{e}")))?;
        self.checked(i, &slot, bytes)
    }

    /// The passages among `pids` whose folded text holds one of `needles` (folded words), in
    /// passage order, each given once to `hit` until it returns false.
    ///
    /// Blocks that lack a character of every needle are skipped unread. The others are read a
    /// block at a time and their bytes searched as they lie on disk, not checked: a scan of a
    /// whole archive must cost little more than reading it, and every passage found is read
    /// (and checked) again by the caller anyway. Where folding changes a text, its stored
    /// folded form is what is searched.
    pub(crate) fn find_any(
        &self,
        pids: std::ops::Range<usize>,
        needles: &[memchr::memmem::Finder<'_>],
        mut hit: impl FnMut(usize) -> bool,
    ) -> io::Result<()> {
        let words: Vec<&str> = needles
            .iter()
            .filter_map(|f| std::str::from_utf8(f.needle()).ok())
            .collect();
        let last_pid = pids.end.min(self.slots.len());
        let mut buf = Vec::new();
        for b in &self.blocks {
            let (first, end) = (b.first as usize, (b.first + b.count) as usize);
            if end <= pids.start || first >= last_pid {
                continue;
            }
            // A needle that is not text (never made by the engine) is looked for everywhere.
            if words.len() == needles.len() && !words.iter().any(|w| b.chars.may_hold(w)) {
                continue;
            }
            let i = first.max(pids.start);
            let end = end.min(last_pid);
            let start = self.slots[i].offset;
            let end_of = |s: &Slot| s.offset + u64::from(s.len) + u64::from(s.folded_len);
            let chunk = &self.slots[i..end];
            buf.resize((end_of(&chunk[chunk.len() - 1]) - start) as usize, 0);
            self.file
                .read_exact_at(&mut buf, start)
                .map_err(|e| self.damaged(i, &format!("读取失败：{e}")))?;
            let mut found = Vec::new();
            for f in needles {
                let mut pos = 0;
                while let Some(at) = f.find(&buf[pos..]) {
                    let abs = start + (pos + at) as u64;
                    let j = chunk.partition_point(|s| end_of(s) <= abs);
                    let Some(s) = chunk.get(j) else { break };
                    // Where a folded form follows the text, only it counts.
                    let from = s.offset + if s.fold_changes { u64::from(s.len) } else { 0 };
                    if abs < from {
                        // In the printed form: its folded form comes next.
                        pos = (from - start) as usize;
                        continue;
                    }
                    if abs + f.needle().len() as u64 <= end_of(s) {
                        found.push(i + j);
                    }
                    // The next match that counts starts in a later passage.
                    pos = (end_of(s) - start) as usize;
                }
            }
            found.sort_unstable();
            found.dedup();
            for pid in found {
                if !hit(pid) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> Vec<String> {
        vec![
            "党的政治建设是党的根本性建设".into(),
            String::new(),
            "廣東省直屬機關".into(),
            "第三段".repeat(50_000),
        ]
    }

    /// [`texts`] written into a temporary directory, and the store opened on them.
    fn stored() -> (tempfile::TempDir, Vec<String>, TextStore) {
        let dir = tempfile::tempdir().unwrap();
        let t = texts();
        write(dir.path(), t.iter().map(String::as_str)).unwrap();
        let store = TextStore::open(dir.path()).unwrap();
        (dir, t, store)
    }

    #[test]
    fn texts_read_back_one_by_one_and_in_a_scan() {
        let (_dir, t, store) = stored();
        assert_eq!(store.len(), 4);
        for (i, text) in t.iter().enumerate() {
            assert_eq!(&store.read(i).unwrap(), text);
        }
        assert!(store.slot(2).unwrap().fold_changes);
        assert!(!store.slot(0).unwrap().fold_changes);
        assert_eq!(
            store.slot(2).unwrap().folded_hash,
            hash_str(&fold(&t[2]).text)
        );
        let finders = |words: &[&str]| -> Vec<memchr::memmem::Finder<'static>> {
            words
                .iter()
                .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
                .collect()
        };
        let found = |range: std::ops::Range<usize>, words: &[&str]| {
            let mut out = Vec::new();
            store
                .find_any(range, &finders(words), |pid| {
                    out.push(pid);
                    true
                })
                .unwrap();
            out
        };
        assert_eq!(found(0..4, &["政治"]), vec![0]);
        // Folded forms are searched where folding changes the text.
        assert_eq!(found(0..4, &["广东"]), vec![2]);
        assert_eq!(
            found(0..4, &["廣東"]),
            Vec::<usize>::new(),
            "only the folded form"
        );
        assert_eq!(found(0..4, &["三段", "根本"]), vec![0, 3]);
        assert_eq!(
            found(1..4, &["根本"]),
            Vec::<usize>::new(),
            "only the range"
        );
        // A match across two passages is none: 建设 + 廣 is not a text.
        assert_eq!(found(0..4, &["建设廣"]), Vec::<usize>::new());
        let mut first = Vec::new();
        store
            .find_any(0..4, &finders(&["段", "党"]), |pid| {
                first.push(pid);
                false
            })
            .unwrap();
        assert_eq!(first, vec![0], "the search stops when asked");
        // The long passage has a block of its own, whose characters rule out 政治.
        assert_eq!(store.blocks.len(), 2);
        assert!(store.blocks[0].chars.may_hold("政治广东"));
        assert!(!store.blocks[1].chars.may_hold("政治"));
        assert!(
            store.blocks[1].chars.may_hold("段abc"),
            "only ideographs count"
        );
        assert!(store.read(4).is_err());
    }

    #[test]
    fn damage_after_opening_is_an_error_on_the_next_read() {
        let (dir, t, store) = stored();
        let path = dir.path().join(TEXTS_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let n = bytes.len();
        // Same length, one character changed into another valid one: only the checksum tells.
        let at = n - "第三段".len();
        bytes[at..].copy_from_slice("第四段".as_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let err = store.read(3).unwrap_err().to_string();
        assert!(err.contains("校验和不符"), "{err}");
        assert_eq!(store.read(0).unwrap(), t[0], "the rest still reads");
        let words = [memchr::memmem::Finder::new("廣東")];
        assert!(
            store.find_any(0..4, &words, |_| true).is_ok(),
            "a scan does not check"
        );
        std::fs::write(&path, &bytes[..n / 2]).unwrap();
        assert!(store.read(3).is_err());
        assert!(
            TextStore::open(dir.path()).is_err(),
            "a short file fails at open"
        );
        std::fs::write(&path, b"garbage").unwrap();
        assert!(TextStore::open(dir.path()).is_err());
    }
}
