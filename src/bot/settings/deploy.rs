//! The settings an operator deploys with: how updates arrive (polling or a webhook), the
//! proxy to Telegram, the metrics listener, the start-up notice, the per-reader rate limit
//! and private mode. Each is parsed here with a sentence naming the setting when it is wrong,
//! and secrets (the webhook secret, a proxy's password) never print.

use super::SettingsError;
use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;

/// Where the webhook listens when `WEBHOOK_LISTEN` is unset: loopback, behind the operator's
/// TLS proxy.
pub(crate) const DEFAULT_WEBHOOK_LISTEN: &str = "127.0.0.1:8443";
/// `MAX_QUESTIONS_PER_MINUTE` when unset.
pub(crate) const DEFAULT_QUESTIONS_PER_MINUTE: u32 = 20;

/// How updates reach the bot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// getUpdates long polling (the default: works anywhere, needs no public address).
    #[default]
    Polling,
    Webhook(Webhook),
}

impl Mode {
    /// `polling` or `webhook`, as `BOT_MODE` spells it and the start-up notice shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Polling => "polling",
            Mode::Webhook(_) => "webhook",
        }
    }
}

/// `WEBHOOK_URL`, `WEBHOOK_LISTEN`, `WEBHOOK_SECRET`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The public https URL Telegram posts to; its path is the route served.
    pub url: url::Url,
    /// The local address the listener binds.
    pub listen: SocketAddr,
    pub secret: Secret,
}

impl Webhook {
    /// The route served: the URL's path.
    pub fn path(&self) -> &str {
        self.url.path()
    }
}

/// The webhook's shared secret; printing it shows `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` (the request's header) is the secret, compared in constant time so
    /// that the time taken tells nothing about how much of a guess was right.
    pub(crate) fn matches(&self, given: &[u8]) -> bool {
        let want = self.0.as_bytes();
        if given.len() != want.len() {
            return false;
        }
        given
            .iter()
            .zip(want)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// `TELEGRAM_PROXY`: the URL as given, and the same with its password cut out for logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    url: url::Url,
}

impl Proxy {
    /// `TELEGRAM_PROXY`'s value. The error never repeats it: it may hold a password.
    pub fn parse(raw: &str) -> Result<Proxy, SettingsError> {
        parse_proxy(raw)
    }

    pub(crate) fn url(&self) -> &url::Url {
        &self.url
    }

    /// The URL without its password: what may be logged or shown.
    pub fn shown(&self) -> String {
        let mut shown = self.url.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        shown.to_string()
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({})", self.shown())
    }
}

/// The deployment settings, from the same lookup as the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deploy {
    pub mode: Mode,
    pub proxy: Option<Proxy>,
    pub metrics_listen: Option<SocketAddr>,
    pub startup_notice: bool,
    /// Questions a reader may ask per minute; 0 means no limit. Admins are exempt.
    pub questions_per_minute: u32,
    /// When set, the only chats the bot answers in.
    pub allowed_chats: Option<BTreeSet<i64>>,
}

impl Default for Deploy {
    fn default() -> Self {
        Deploy {
            mode: Mode::Polling,
            proxy: None,
            metrics_listen: None,
            startup_notice: true,
            questions_per_minute: DEFAULT_QUESTIONS_PER_MINUTE,
            allowed_chats: None,
        }
    }
}

impl Deploy {
    /// Read through `get`, which yields only non-blank values.
    pub(crate) fn from_lookup(
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Deploy, SettingsError> {
        let defaults = Deploy::default();
        Ok(Deploy {
            mode: parse_mode(get)?,
            proxy: get("TELEGRAM_PROXY").map(|p| parse_proxy(&p)).transpose()?,
            metrics_listen: get("METRICS_LISTEN")
                .map(|a| parse_addr("METRICS_LISTEN", &a))
                .transpose()?,
            startup_notice: get("STARTUP_NOTICE")
                .map(|v| parse_bool("STARTUP_NOTICE", &v))
                .transpose()?
                .unwrap_or(defaults.startup_notice),
            questions_per_minute: get("MAX_QUESTIONS_PER_MINUTE")
                .map(|v| {
                    v.trim().parse::<u32>().map_err(|_| SettingsError::Invalid {
                        name: "MAX_QUESTIONS_PER_MINUTE",
                        reason: format!("“{v}”不是非负整数（0 表示不限制）"),
                    })
                })
                .transpose()?
                .unwrap_or(defaults.questions_per_minute),
            allowed_chats: get("ALLOWED_CHATS").map(|v| parse_chats(&v)).transpose()?,
        })
    }
}

fn invalid(name: &'static str, reason: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        name,
        reason: reason.into(),
    }
}

fn parse_mode(get: &dyn Fn(&str) -> Option<String>) -> Result<Mode, SettingsError> {
    let mode = get("BOT_MODE").unwrap_or_else(|| "polling".into());
    match mode.trim().to_ascii_lowercase().as_str() {
        "polling" => Ok(Mode::Polling),
        "webhook" => {
            let url = get("WEBHOOK_URL").ok_or(SettingsError::Missing("WEBHOOK_URL"))?;
            let url = url::Url::parse(url.trim())
                .map_err(|e| invalid("WEBHOOK_URL", format!("不是有效的网址（{e}）")))?;
            if url.scheme() != "https" {
                return Err(invalid(
                    "WEBHOOK_URL",
                    "Telegram 只向 https:// 网址推送更新",
                ));
            }
            let listen = parse_addr(
                "WEBHOOK_LISTEN",
                &get("WEBHOOK_LISTEN").unwrap_or_else(|| DEFAULT_WEBHOOK_LISTEN.into()),
            )?;
            let secret = get("WEBHOOK_SECRET").ok_or(SettingsError::Missing("WEBHOOK_SECRET"))?;
            let secret = secret.trim();
            let well_formed = (1..=256).contains(&secret.len())
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !well_formed {
                return Err(invalid(
                    "WEBHOOK_SECRET",
                    "应为 1–256 个字母、数字、“_”或“-”",
                ));
            }
            Ok(Mode::Webhook(Webhook {
                url,
                listen,
                secret: Secret(secret.to_string()),
            }))
        }
        _ => Err(invalid(
            "BOT_MODE",
            format!("“{mode}”不是 polling 或 webhook"),
        )),
    }
}

fn parse_addr(name: &'static str, raw: &str) -> Result<SocketAddr, SettingsError> {
    raw.trim().parse().map_err(|_| {
        invalid(
            name,
            format!("“{raw}”不是“地址:端口”形式，例如 127.0.0.1:9184"),
        )
    })
}

fn parse_bool(name: &'static str, raw: &str) -> Result<bool, SettingsError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(invalid(name, format!("“{raw}”应为 true 或 false"))),
    }
}

fn parse_proxy(raw: &str) -> Result<Proxy, SettingsError> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| invalid("TELEGRAM_PROXY", format!("不是有效的网址（{e}）")))?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(invalid(
            "TELEGRAM_PROXY",
            "只支持 http://、https:// 或 socks5:// 代理",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("TELEGRAM_PROXY", "缺少代理服务器的地址"));
    }
    Ok(Proxy { url })
}

fn parse_chats(raw: &str) -> Result<BTreeSet<i64>, SettingsError> {
    let chats = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>().map_err(|_| {
                invalid(
                    "ALLOWED_CHATS",
                    format!("“{s}”不是数字会话 ID（群组的 ID 以 -100 开头）"),
                )
            })
        })
        .collect::<Result<BTreeSet<i64>, _>>()?;
    if chats.is_empty() {
        return Err(invalid("ALLOWED_CHATS", "至少要列出一个会话 ID"));
    }
    Ok(chats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<Deploy, SettingsError> {
        let map: HashMap<&str, String> = pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
        Deploy::from_lookup(&|k| map.get(k).cloned().filter(|v| !v.trim().is_empty()))
    }

    fn named(pairs: &[(&str, &str)], name: &str) -> String {
        let err = read(pairs).expect_err("refused").to_string();
        assert!(err.contains(name), "{err}");
        err
    }

    #[test]
    fn defaults_poll_notify_and_limit() {
        let d = read(&[]).unwrap();
        assert_eq!(d, Deploy::default());
        assert_eq!(d.questions_per_minute, 20);
        assert!(d.startup_notice && d.allowed_chats.is_none());
    }

    #[test]
    fn webhook_needs_an_https_url_and_a_well_formed_secret() {
        let ok = read(&[
            ("BOT_MODE", "Webhook"),
            ("WEBHOOK_URL", "https://bot.example.gov.cn/tg/hook"),
            ("WEBHOOK_SECRET", "s3cret_-X"),
        ])
        .unwrap();
        let Mode::Webhook(w) = ok.mode else {
            panic!("webhook mode")
        };
        assert_eq!(w.path(), "/tg/hook");
        assert_eq!(w.listen.to_string(), DEFAULT_WEBHOOK_LISTEN);
        assert!(w.secret.matches(b"s3cret_-X") && !w.secret.matches(b"s3cret_-Y"));
        assert!(!format!("{w:?}").contains("s3cret"));

        named(&[("BOT_MODE", "webhook")], "WEBHOOK_URL");
        named(
            &[
                ("BOT_MODE", "webhook"),
                ("WEBHOOK_URL", "https://x.example/h"),
            ],
            "WEBHOOK_SECRET",
        );
        named(
            &[
                ("BOT_MODE", "webhook"),
                ("WEBHOOK_URL", "http://x.example/h"),
                ("WEBHOOK_SECRET", "a"),
            ],
            "WEBHOOK_URL",
        );
        let long = "a".repeat(257);
        for bad in ["has space", "é", long.as_str()] {
            named(
                &[
                    ("BOT_MODE", "webhook"),
                    ("WEBHOOK_URL", "https://x.example/h"),
                    ("WEBHOOK_SECRET", bad),
                ],
                "WEBHOOK_SECRET",
            );
        }
        named(
            &[
                ("BOT_MODE", "webhook"),
                ("WEBHOOK_URL", "https://x.example/h"),
                ("WEBHOOK_SECRET", "a"),
                ("WEBHOOK_LISTEN", "localhost"),
            ],
            "WEBHOOK_LISTEN",
        );
        named(&[("BOT_MODE", "push")], "BOT_MODE");
    }

    #[test]
    fn a_proxy_password_never_shows() {
        let d = read(&[("TELEGRAM_PROXY", "socks5://user:hunter2@10.0.0.1:1080")]).unwrap();
        let proxy = d.proxy.expect("proxy");
        assert!(!format!("{proxy:?}").contains("hunter2"));
        assert!(
            proxy.shown().contains("user:***@10.0.0.1"),
            "{}",
            proxy.shown()
        );
        let err = named(
            &[("TELEGRAM_PROXY", "ftp://user:hunter2@x")],
            "TELEGRAM_PROXY",
        );
        assert!(!err.contains("hunter2"), "{err}");
        named(&[("TELEGRAM_PROXY", "not a url hunter2")], "TELEGRAM_PROXY");
    }

    #[test]
    fn the_small_settings_are_checked() {
        named(&[("METRICS_LISTEN", "9184")], "METRICS_LISTEN");
        assert_eq!(
            read(&[("METRICS_LISTEN", "127.0.0.1:9184")])
                .unwrap()
                .metrics_listen
                .map(|a| a.port()),
            Some(9184)
        );
        named(&[("STARTUP_NOTICE", "maybe")], "STARTUP_NOTICE");
        assert!(!read(&[("STARTUP_NOTICE", "false")]).unwrap().startup_notice);
        named(
            &[("MAX_QUESTIONS_PER_MINUTE", "-1")],
            "MAX_QUESTIONS_PER_MINUTE",
        );
        assert_eq!(
            read(&[("MAX_QUESTIONS_PER_MINUTE", "0")])
                .unwrap()
                .questions_per_minute,
            0
        );
        named(&[("ALLOWED_CHATS", "12,@group")], "ALLOWED_CHATS");
        named(&[("ALLOWED_CHATS", " , ")], "ALLOWED_CHATS");
        let chats = read(&[("ALLOWED_CHATS", "12, -1001234567890")])
            .unwrap()
            .allowed_chats
            .expect("private mode");
        assert!(chats.contains(&12) && chats.contains(&-1001234567890));
    }
}
