//! The key of an issue, `YYYY-NN` (`2019-03`): its directory name under `corpus/`, and how a
//! reader names it on the command line.

use std::fmt;
use std::str::FromStr;

/// Issue numbers run from 1 to this: one issue a month (第3期 is printed in March).
const ISSUES_PER_YEAR: u16 = 12;

/// An issue key, `YYYY-NN`: four digits of year, a hyphen, two digits of issue number from
/// `01` to `12`. Checked once, where the key comes in; afterwards it is known to be well
/// formed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssueId(String);

/// Why a text is not an issue key. The messages are sentences for the user: the command line
/// prints them as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueIdError {
    #[error("“{0}”不是期号，期号写作 YYYY-NN，如 2019-03")]
    Shape(String),
    #[error("“{0}”不是期号，期数 NN 应在 01 到 12 之间")]
    Number(String),
}

impl IssueId {
    /// The key of issue `number` of `year`: `(2019, 3)` → `2019-03`.
    pub(crate) fn new(year: u16, number: u16) -> Result<IssueId, IssueIdError> {
        format!("{year:04}-{number:02}").parse()
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for IssueId {
    type Err = IssueIdError;

    fn from_str(s: &str) -> Result<IssueId, IssueIdError> {
        let shape = || IssueIdError::Shape(s.to_string());
        let (year, number) = s.split_once('-').ok_or_else(shape)?;
        let digits =
            |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(number, 2) {
            return Err(shape());
        }
        let n: u16 = number.parse().map_err(|_| shape())?;
        if !(1..=ISSUES_PER_YEAR).contains(&n) {
            return Err(IssueIdError::Number(s.to_string()));
        }
        Ok(IssueId(s.to_string()))
    }
}

impl TryFrom<&str> for IssueId {
    type Error = IssueIdError;

    fn try_from(s: &str) -> Result<IssueId, IssueIdError> {
        s.parse()
    }
}

impl fmt::Display for IssueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for IssueId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<IssueId> for String {
    fn from(id: IssueId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_ids() {
        for s in ["2019-03", "2019-01", "2019-12", "2020-10", "1999-07"] {
            let id: IssueId = s.parse().expect(s);
            assert_eq!(id.as_str(), s);
            assert_eq!(id.to_string(), s);
            assert_eq!(IssueId::try_from(s), Ok(id));
        }
        assert_eq!(
            IssueId::new(2019, 3).map(String::from),
            Ok("2019-03".into())
        );
        assert_eq!(
            IssueId::new(2019, 12).map(String::from),
            Ok("2019-12".into())
        );
    }

    #[test]
    fn the_number_is_01_to_12() {
        for s in ["2019-00", "2019-13", "2019-99"] {
            assert_eq!(
                s.parse::<IssueId>(),
                Err(IssueIdError::Number(s.into())),
                "{s}"
            );
        }
        assert_eq!(
            IssueId::new(2019, 13),
            Err(IssueIdError::Number("2019-13".into()))
        );
        assert_eq!(
            IssueId::new(2019, 0),
            Err(IssueIdError::Number("2019-00".into()))
        );
        let err = "2019-13".parse::<IssueId>().expect_err("bad number");
        assert!(err.to_string().contains("01 到 12"), "{err}");
    }

    #[test]
    fn wrong_shapes_are_refused() {
        for s in [
            "",
            "2019",
            "2019-3",
            "2019-003",
            "19-03",
            "02019-03",
            "2019_03",
            "2019-03-01",
            "2019年第3期",
            "abcd-ef",
            "2019-0a",
            "２０１９-０３",
            " 2019-03",
            "2019-03 ",
            "+201-03",
        ] {
            assert_eq!(
                s.parse::<IssueId>(),
                Err(IssueIdError::Shape(s.into())),
                "{s}"
            );
        }
        assert_eq!(
            IssueId::new(12019, 3),
            Err(IssueIdError::Shape("12019-03".into()))
        );
        let err = "2019-3".parse::<IssueId>().expect_err("bad shape");
        assert_eq!(
            err.to_string(),
            "“2019-3”不是期号，期号写作 YYYY-NN，如 2019-03"
        );
    }
}
