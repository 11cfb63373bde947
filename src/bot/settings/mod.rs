//! The bot's settings: the token, who may administer it, and where the Bot API lives.
//!
//! Read from the environment (after `.env` was loaded by `main`), validated once at start-up so
//! that a typo stops the bot with a sentence naming the setting instead of failing later. The
//! token is wrapped in [`Token`], whose `Debug` and `Display` never show it, so it cannot leak
//! into a log line or an error message by accident.

mod deploy;

pub use deploy::{Deploy, Mode, Proxy, Secret, Webhook};

use super::admins::Admins;
use crate::config::Paths;
use std::fmt;
use std::time::Duration;

/// The bot token from BotFather. Printing it in any way shows `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Validate the shape `123456789:AAH…` (digits, a colon, at least 30 URL-safe characters).
    pub fn parse(raw: &str) -> Result<Token, SettingsError> {
        let raw = raw.trim();
        let valid = raw.split_once(':').is_some_and(|(id, secret)| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && secret.len() >= 30
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if valid {
            Ok(Token(raw.to_string()))
        } else {
            Err(SettingsError::Invalid {
                name: "TELOXIDE_TOKEN",
                reason: "不是 BotFather 给出的令牌格式（数字、冒号、至少 30 位字母数字）".into(),
            })
        }
    }

    /// The secret itself, only for handing to the HTTP client.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl Token {
    /// `text` with the bot token `secret` cut out wherever it occurs (teloxide puts it in
    /// request URLs, and so in the errors it reports): what may go to a log or an admin.
    pub(crate) fn scrub(text: &dyn fmt::Display, secret: &str) -> String {
        let text = text.to_string();
        if secret.is_empty() {
            return text;
        }
        text.replace(secret, "<redacted>")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How fast notices of a new issue go out. Telegram allows about 30 messages/s overall and one
/// per second per chat; the defaults stay under both with a margin.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacing {
    /// Messages per second, all chats together.
    pub per_second: f64,
    /// Minimum gap between two notices to the same chat.
    pub per_chat_gap: Duration,
    /// Attempts for failures other than 429/403 before a notice is given up.
    pub max_attempts: u32,
    /// First retry delay for such failures; doubled on each further attempt.
    pub backoff: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            per_second: 25.0,
            per_chat_gap: Duration::from_secs(1),
            max_attempts: 5,
            backoff: Duration::from_secs(2),
        }
    }
}

/// How replies (answers, command replies, admins' reports) are paced and retried; see
/// `bot::deliver`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyPolicy {
    /// Messages per second, all chats together (Telegram allows about 30).
    pub per_second: f64,
    /// Minimum gap between two messages to one private chat (Telegram: about one a second).
    pub private_gap: Duration,
    /// First wait after a transient failure (5xx, network); doubled on each further one.
    pub backoff: Duration,
    /// Longest wait between two attempts after transient failures.
    pub max_backoff: Duration,
    /// A reply not delivered within this time is given up (and logged as an error).
    pub give_up_after: Duration,
    /// How long a stopping bot waits for queued replies.
    pub stop_grace: Duration,
}

impl Default for ReplyPolicy {
    fn default() -> Self {
        ReplyPolicy {
            per_second: 28.0,
            private_gap: Duration::from_secs(1),
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            give_up_after: Duration::from_secs(600),
            stop_grace: Duration::from_secs(20),
        }
    }
}

/// Everything `kuayue bot` needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub token: Token,
    /// Numeric Telegram user ids allowed to run admin commands. Usernames can change hands,
    /// ids cannot, so only ids are trusted.
    pub admins: Admins,
    pub paths: Paths,
    /// A self-hosted Bot API server (or a test server); `None` means api.telegram.org.
    pub api_url: Option<url::Url>,
    pub pacing: Pacing,
    pub replies: ReplyPolicy,
    /// How often the serving index generation's files are checked on disk.
    pub index_check_every: Duration,
    /// Long-polling timeout for getUpdates.
    pub poll_timeout: Duration,
    /// The same kind of trouble is told to the admins at most once per this period.
    pub alert_every: Duration,
    /// Webhook or polling, proxy, metrics, start-up notice, rate limit, private mode.
    pub deploy: Deploy,
}

/// A setting that is missing or malformed. Every message names the setting and never
/// contains the token.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("缺少设置 {0}：请在环境变量或 .env 中填写（参见 .env.example）")]
    Missing(&'static str),
    #[error("设置 {name} 不正确：{reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Settings {
    /// Read the settings from the process environment.
    pub(crate) fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Read the settings through `get`, so that tests can supply their own environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());

        let token =
            Token::parse(&get("TELOXIDE_TOKEN").ok_or(SettingsError::Missing("TELOXIDE_TOKEN"))?)?;
        let admins = parse_admins(&get("ADMIN_IDS").unwrap_or_default())?;
        let api_url = match get("TELOXIDE_API_URL") {
            None => None,
            Some(raw) => Some(parse_api_url(&raw)?),
        };
        if let Some(filter) = get("RUST_LOG") {
            tracing_subscriber::EnvFilter::try_new(&filter).map_err(|e| {
                SettingsError::Invalid {
                    name: "RUST_LOG",
                    reason: format!("不是有效的日志过滤规则（{e}），例如 info 或 kuayue=debug"),
                }
            })?;
        }
        let paths = Paths::from_lookup(|name| get(name).map(Into::into));
        let deploy = Deploy::from_lookup(&get)?;
        Ok(Settings {
            token,
            admins,
            paths,
            api_url,
            pacing: Pacing::default(),
            replies: ReplyPolicy::default(),
            index_check_every: Duration::from_secs(600),
            poll_timeout: Duration::from_secs(10),
            alert_every: Duration::from_secs(600),
            deploy,
        })
    }
}

/// `ADMIN_IDS`: comma-separated numeric ids; empty means no admins.
fn parse_admins(raw: &str) -> Result<Admins, SettingsError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u64>().map_err(|_| SettingsError::Invalid {
                name: "ADMIN_IDS",
                reason: format!("“{s}”不是数字用户 ID（用户名会变，不能用作管理员身份）"),
            })
        })
        .collect::<Result<Vec<u64>, _>>()
        .map(Admins::new)
}

/// `TELOXIDE_API_URL`: an http(s) base URL. teloxide appends `bot<token>/<Method>` without
/// normalising, so a missing trailing slash is added here.
fn parse_api_url(raw: &str) -> Result<url::Url, SettingsError> {
    let mut raw = raw.trim().to_string();
    if !raw.ends_with('/') {
        raw.push('/');
    }
    let url = url::Url::parse(&raw).map_err(|e| SettingsError::Invalid {
        name: "TELOXIDE_API_URL",
        reason: format!("不是有效的网址（{e}）"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SettingsError::Invalid {
            name: "TELOXIDE_API_URL",
            reason: "只支持 http:// 或 https:// 网址".into(),
        });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_cuts_the_token_out_of_urls_teloxide_leaves_alone() {
        let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
        let err =
            format!("error sending request for url (https://proxy.example/tg/bot{token}/getMe)");
        let text = Token::scrub(&err, token);
        assert!(
            !text.contains("AAHdq") && text.contains("<redacted>"),
            "{text}"
        );
    }
    use std::collections::HashMap;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn token_never_printed() {
        let s = Settings::from_lookup(env(&[("TELOXIDE_TOKEN", TOKEN)])).unwrap();
        assert!(!format!("{s:?}").contains("AAHdq"));
        assert_eq!(s.token.to_string(), "<redacted>");
        assert_eq!(s.token.expose(), TOKEN);
    }

    #[test]
    fn missing_token_is_named() {
        let err = Settings::from_lookup(env(&[])).unwrap_err().to_string();
        assert!(err.contains("TELOXIDE_TOKEN"), "{err}");
    }

    #[test]
    fn malformed_token_is_named_not_echoed() {
        let bad = "123:short-secret-that-is-wrong";
        let err = Settings::from_lookup(env(&[("TELOXIDE_TOKEN", bad)]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("TELOXIDE_TOKEN") && !err.contains("short-secret"),
            "{err}"
        );
    }

    #[test]
    fn admin_ids_are_numbers() {
        let s = Settings::from_lookup(env(&[("TELOXIDE_TOKEN", TOKEN), ("ADMIN_IDS", "12, 34")]))
            .unwrap();
        assert!(s.admins.contains(12) && s.admins.contains(34) && !s.admins.contains(56));
        let err =
            Settings::from_lookup(env(&[("TELOXIDE_TOKEN", TOKEN), ("ADMIN_IDS", "12,@boss")]))
                .unwrap_err()
                .to_string();
        assert!(err.contains("ADMIN_IDS") && err.contains("@boss"), "{err}");
    }

    #[test]
    fn api_url_gets_trailing_slash_and_bad_ones_are_named() {
        let s = Settings::from_lookup(env(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("TELOXIDE_API_URL", "http://127.0.0.1:8081"),
        ]))
        .unwrap();
        assert_eq!(s.api_url.unwrap().as_str(), "http://127.0.0.1:8081/");
        let err = Settings::from_lookup(env(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("TELOXIDE_API_URL", "ftp://x"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("TELOXIDE_API_URL"), "{err}");
    }

    #[test]
    fn bad_rust_log_is_named() {
        let err = Settings::from_lookup(env(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("RUST_LOG", "kuayue=loud"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("RUST_LOG"), "{err}");
    }
}
