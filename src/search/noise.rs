//! Typing noise made inert before a question is read: markup pasted from elsewhere (HTML tags,
//! Markdown emphasis, links), field-like prefixes (`title:`), emoji, and runs of punctuation.
//!
//! Nothing here changes the words a reader typed; it only removes what is not words, so that
//! `<b>两个维护</b>`, `**两个维护**`, `q:两个维护` and `两个维护？？？🙏` are read alike.

/// The question with its noise removed (or replaced by a space where it separated words).
pub(crate) fn strip(question: &str) -> String {
    let without_tags = strip_tags(question);
    let mut out = String::with_capacity(without_tags.len());
    let mut last: Option<char> = None;
    for c in without_tags.chars() {
        let c = if is_markup(c) || is_symbol(c) { ' ' } else { c };
        // Repeated punctuation (？？？, ！！, ……) counts once.
        if let Some(l) = last {
            if c == l && (c.is_ascii_punctuation() || is_cjk_punct(c) || c == ' ') {
                continue;
            }
        }
        out.push(c);
        last = Some(c);
    }
    strip_field_prefixes(&out)
}

/// `<b>`, `</p>`, `<br/>`, `<a href=…>`: ASCII tags only, so that 《…》 and `<` in a formula
/// such as `a<b` (no tag name after it) stay.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let tag_like = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match after.find('>') {
            Some(j) if tag_like && j <= 200 && after[..j].is_ascii() => {
                out.push(' ');
                rest = &after[j + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    // Markdown links: keep the text, drop the address.
    let mut linked = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find("](") {
        linked.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) if after[..j].is_ascii() => rest = &after[j + 1..],
            _ => {
                linked.push_str("](");
                rest = after;
            }
        }
    }
    linked.push_str(rest);
    linked
}

/// Markdown's emphasis and code marks, headings and quotes: never part of a question's words.
fn is_markup(c: char) -> bool {
    matches!(
        c,
        '*' | '_' | '`' | '#' | '~' | '[' | ']' | '|' | '\\' | '^' | '=' | '+'
    )
}

/// Emoji, pictographs and other symbols outside the writing system.
fn is_symbol(c: char) -> bool {
    let u = c as u32;
    (0x1F000..=0x1FAFF).contains(&u)
        || (0x2600..=0x27BF).contains(&u)
        || (0x2190..=0x21FF).contains(&u)
        || (0x2B00..=0x2BFF).contains(&u)
        || (0xFE00..=0xFE0F).contains(&u)
        || u == 0x200D
        || (0xE000..=0xF8FF).contains(&u)
}

fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '？' | '！' | '。' | '，' | '、' | '；' | '：' | '…' | '—' | '～' | '·'
    )
}

/// `title:两个维护`, `q: 首要任务`, `site:gov.cn`: an ASCII word glued to a colon is a field
/// name of some search syntax, not a word of the question. Digits before a colon (`12:30`) stay.
fn strip_field_prefixes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let at_word_start = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if at_word_start && chars[i].is_ascii_alphabetic() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '-') {
                j += 1;
            }
            if j < chars.len() && matches!(chars[j], ':' | '：') && j - i <= 12 {
                out.push(' ');
                i = j + 1;
                continue;
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip;

    fn words(s: &str) -> String {
        strip(s).split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn markup_and_prefixes_are_inert() {
        assert_eq!(words("<b>两个维护</b>"), "两个维护");
        assert_eq!(words("**两个维护**"), "两个维护");
        assert_eq!(words("title:两个维护"), "两个维护");
        assert_eq!(words("q：首要任务"), "首要任务");
        assert_eq!(words("[两个维护](http://example.com)"), "两个维护");
        assert_eq!(words("两个维护？？？🙏🙏"), "两个维护？");
    }

    #[test]
    fn words_and_titles_stay() {
        assert_eq!(words("《意见》第十六条"), "《意见》第十六条");
        assert_eq!(words("12:30 开会"), "12:30 开会");
        assert_eq!(words("a<b 的时候"), "a<b 的时候");
        assert_eq!(words("AEO认证"), "AEO认证");
    }
}
