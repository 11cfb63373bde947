//! The raw text of an issue as it is handed in: a file given to `kuayue import`, or a document
//! sent to the bot. [`RawIssue::parse`] is the one check both make before anything is read.

/// Raw texts larger than this are refused: an issue is about 200 KB.
pub(crate) const MAX_RAW_BYTES: usize = 5 * 1024 * 1024;

/// Why bytes are not a raw issue text. The messages are the importer's; the bot words its own
/// replies from the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RawIssueError {
    #[error("文件是空的")]
    Empty,
    #[error("文件太大（{0} 字节，上限 5 MB），不像一期杂志的文字稿")]
    TooLarge(usize),
    #[error("这不是文本文件（含有二进制内容）")]
    Binary,
    #[error("文件不是 UTF-8 编码的文本（第 {0} 字节处无法解码），请先转换为 UTF-8")]
    NotUtf8(usize),
}

/// A plausible raw issue text, decoded: at most [`MAX_RAW_BYTES`], no binary content, UTF-8,
/// not blank. A byte-order mark is not part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawIssue<'a> {
    text: &'a str,
}

impl<'a> RawIssue<'a> {
    /// Check that `bytes` are a plausible raw issue text and decode them. The checks run in
    /// this order, and the first that fails is the error: size, binary content, UTF-8, blank.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, RawIssueError> {
        if bytes.len() > MAX_RAW_BYTES {
            return Err(RawIssueError::TooLarge(bytes.len()));
        }
        if bytes.iter().any(|&b| is_binary_byte(b)) {
            return Err(RawIssueError::Binary);
        }
        let text =
            std::str::from_utf8(bytes).map_err(|e| RawIssueError::NotUtf8(e.valid_up_to()))?;
        // A byte-order mark is an encoding marker some editors add, not text of the issue.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(RawIssueError::Empty);
        }
        Ok(RawIssue { text })
    }

    /// The decoded text, without a byte-order mark.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }
}

/// A byte no text file holds: NUL, or a control character other than line breaks, tab and
/// form feed.
fn is_binary_byte(b: u8) -> bool {
    b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_decoded() {
        let raw = RawIssue::parse("跨越\n2019年 第3期\r\n".as_bytes()).expect("a text");
        assert_eq!(raw.text(), "跨越\n2019年 第3期\r\n");
        let tabbed = RawIssue::parse(b"a\tb\x0cc").expect("tab and form feed are text");
        assert_eq!(tabbed.text(), "a\tb\x0cc");
    }

    #[test]
    fn a_byte_order_mark_is_stripped() {
        let raw = RawIssue::parse("\u{feff}跨越".as_bytes()).expect("a text");
        assert_eq!(raw.text(), "跨越");
        assert_eq!(
            RawIssue::parse("\u{feff} \n".as_bytes()),
            Err(RawIssueError::Empty)
        );
    }

    #[test]
    fn too_big_is_refused() {
        let at_limit = vec![b'a'; MAX_RAW_BYTES];
        assert!(RawIssue::parse(&at_limit).is_ok());
        let over = vec![b'a'; MAX_RAW_BYTES + 1];
        let err = RawIssue::parse(&over).expect_err("too big");
        assert_eq!(err, RawIssueError::TooLarge(MAX_RAW_BYTES + 1));
        assert!(err.to_string().contains("上限 5 MB"), "{err}");
    }

    #[test]
    fn binary_content_is_refused() {
        for bytes in [&b"\x7fELF\x00\x00\x01\x02"[..], b"text\x00more", b"a\x1bb"] {
            let err = RawIssue::parse(bytes).expect_err("binary");
            assert_eq!(err, RawIssueError::Binary);
            assert!(err.to_string().contains("二进制"), "{err}");
        }
    }

    #[test]
    fn invalid_utf8_is_refused_with_where_it_breaks() {
        let gbk = [0xb5, 0xb3, 0xb5, 0xc4];
        assert_eq!(RawIssue::parse(&gbk), Err(RawIssueError::NotUtf8(0)));
        let mut late = "跨越".as_bytes().to_vec();
        late.push(0xff);
        let err = RawIssue::parse(&late).expect_err("not UTF-8");
        assert_eq!(err, RawIssueError::NotUtf8(6));
        assert!(err.to_string().contains("第 6 字节"), "{err}");
    }

    #[test]
    fn blank_is_refused() {
        for bytes in [&b""[..], b"  \n\n", b"\r\n\t"] {
            let err = RawIssue::parse(bytes).expect_err("blank");
            assert_eq!(err, RawIssueError::Empty);
            assert!(err.to_string().contains("空"), "{err}");
        }
    }
}
