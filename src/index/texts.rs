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
//! [`Slot`] of [`SLOT_BYTES`] per passage, then the texts back to back in passage order, each
//! followed by its folded form where folding changes it (so that a scan never folds).

use super::fold::fold;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The file of a generation that holds its passage texts.
pub(crate) const TEXTS_FILE: &str = "texts.bin";
const MAGIC: &[u8; 16] = b"kuayue-texts 1\n\0";
const SLOT_BYTES: usize = 32;
/// The scan reads this much at a time: big enough that a scan costs few reads, small enough
/// that it adds nothing one notices to the process's memory.
const SCAN_CHUNK: usize = 1 << 20;

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
    let count = texts.clone().count();
    let mut out = BufWriter::new(File::create(dir.join(TEXTS_FILE))?);
    out.write_all(MAGIC)?;
    out.write_all(&(count as u64).to_le_bytes())?;
    let mut offset = (MAGIC.len() + 8 + count * SLOT_BYTES) as u64;
    let long = |n: usize| u32::try_from(n).map_err(|_| io::Error::other("passage over 4 GB"));
    // The folded forms that differ (a few in a hundred), kept for the second pass.
    let mut changed: Vec<Option<String>> = Vec::with_capacity(count);
    for text in texts.clone() {
        let len = long(text.len())?;
        let folded = fold(text);
        let folded_len = if folded.text != text {
            long(folded.text.len())?
        } else {
            0
        };
        out.write_all(&offset.to_le_bytes())?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(&folded_len.to_le_bytes())?;
        out.write_all(&hash_str(text).to_le_bytes())?;
        out.write_all(&hash_str(&folded.text).to_le_bytes())?;
        offset += u64::from(len) + u64::from(folded_len);
        changed.push((folded_len != 0).then_some(folded.text));
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
        let mut slots = Vec::with_capacity(count);
        let mut expected = (24 + table_len) as u64;
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
        Ok(TextStore { file, path, slots })
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
    /// The bytes are searched as they lie on disk, a large read at a time, and not checked:
    /// a scan of a whole archive must cost little more than reading it, and every passage
    /// found is read (and checked) again by the caller anyway. Where folding changes a text,
    /// its stored folded form is what is searched.
    pub(crate) fn find_any(
        &self,
        pids: std::ops::Range<usize>,
        needles: &[memchr::memmem::Finder<'_>],
        mut hit: impl FnMut(usize) -> bool,
    ) -> io::Result<()> {
        let last_pid = pids.end.min(self.slots.len());
        let mut buf = Vec::new();
        let mut i = pids.start;
        while i < last_pid {
            let start = self.slots[i].offset;
            let end_of = |s: &Slot| s.offset + u64::from(s.len) + u64::from(s.folded_len);
            let mut end = i + 1;
            while end < last_pid && end_of(&self.slots[end]) - start <= SCAN_CHUNK as u64 {
                end += 1;
            }
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
            i = end;
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
