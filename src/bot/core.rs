//! What the bot says: the reader-facing logic shared by Telegram and `kuayue chat`.
//!
//! Inputs are plain values (chat id, user id, text, a button's data); outputs are [`Reply`]s in
//! Telegram HTML with buttons. Nothing here touches the network, so a reply is computed in
//! well under a millisecond plus one SQLite insert for the button state.

use super::admins::Admins;
use super::callback::{Callback, MissAct};
use super::commands::{AdminCommand, Command};
pub use super::inbound::Inbound;
use super::lang::Lang;
use super::reply::{button, copy_button};
pub use super::reply::{Button, InlineItem, Press, Reply};
pub use super::view::notice;
use super::view::{
    circled, group_end, group_start, next_group, not_found, parse_issue_id, previous_group,
    render_answer, split_html_lines,
};
use super::Library;
use crate::corpus::{Issue, MAGAZINE};

mod watch_notice;
use crate::render::html::{self, escape, MAX_MESSAGE};
use crate::search::{Answer, Hit, Level};
use crate::store::{ChatKind, MissState, Store};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};
use teloxide::utils::command::BotCommands;

/// Passages per page of an answer.
pub(crate) const PAGE: usize = 3;
/// Answers page through at most this many passages.
pub(crate) const MAX_RESULTS: usize = 15;
/// Inline mode lists at most this many passages.
pub(crate) const INLINE_RESULTS: usize = 10;
/// Longer questions are refused politely: nobody asks a question of this length, and the
/// search should not chew on a pasted article.
pub(crate) const MAX_QUESTION_CHARS: usize = 500;

/// Questions offered by `/start` as buttons.
pub(crate) const EXAMPLES: [&str; 3] = [
    "党的政治建设的首要任务是什么",
    "什么是“两个维护”",
    "模范机关创建有哪些要求",
];

/// The answer when a search fails (a damaged index, an internal error): the reader is asked
/// to come back, the admins are told, the index is rebuilt.
pub(crate) const SORRY: &str = "暂时无法回答，请稍后再试。";

/// Messages that carry no text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    Sticker,
    Photo,
    Voice,
    Other,
}

/// Which way a passage button moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Full,
    Previous,
    Next,
}

/// The vote row of an answer as its message shows it: the last vote cast under it (in a
/// group, by whoever tapped last) and whether the reasons of a 👎 are offered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Voting {
    #[serde(default)]
    up: Option<bool>,
    #[serde(default)]
    reasons: bool,
}

/// Server-side state of a message's buttons, stored as JSON behind a short key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "k")]
enum State {
    /// A page of an answer: the question and the passages shown.
    #[serde(rename = "a")]
    Answer {
        q: String,
        at: usize,
        refs: Vec<(String, usize)>,
        #[serde(default)]
        tr: bool,
        /// Absent in the state of answers sent before votes existed.
        #[serde(default)]
        v: Voting,
    },
    /// A passage shown whole (全文, 上一条, 下一条).
    #[serde(rename = "p")]
    Passage {
        r: (String, usize),
        #[serde(default)]
        tr: bool,
    },
    /// A watcher's notice of a new issue (`bot::watches`): its text, the
    /// passages it lists in their numbered order with their citations and what a vote records
    /// of them, and whether its per-passage buttons are open.
    #[serde(rename = "n")]
    Notice {
        html: String,
        q: String,
        refs: Vec<(String, usize)>,
        cites: Vec<String>,
        shown: Vec<crate::store::Shown>,
        #[serde(default)]
        v: Voting,
        #[serde(default)]
        open: bool,
    },
}

/// The bot's reader-facing behaviour.
pub struct Core {
    library: RwLock<Arc<dyn Library>>,
    store: Arc<Store>,
    admins: Admins,
    username: RwLock<String>,
    /// The last search failure not yet taken by [`Core::take_trouble`].
    trouble: std::sync::Mutex<Option<String>>,
    metrics: Arc<super::metrics::Metrics>,
}

impl Core {
    pub(crate) fn new(library: Arc<dyn Library>, store: Arc<Store>, admins: Admins) -> Core {
        Core {
            library: RwLock::new(library),
            store,
            admins,
            username: RwLock::new("kuayue_bot".into()),
            trouble: std::sync::Mutex::new(None),
            metrics: Arc::default(),
        }
    }

    /// What `/metrics` reports.
    pub(crate) fn metrics(&self) -> &Arc<super::metrics::Metrics> {
        &self.metrics
    }

    /// The bot's @username (from getMe), used to spot mentions in groups.
    pub(crate) fn set_username(&self, name: &str) {
        *self.username.write().unwrap_or_else(|p| p.into_inner()) = name.to_string();
    }

    pub(crate) fn username(&self) -> String {
        self.username
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The index now serving. Cloning the `Arc` lets a reply finish on the old generation
    /// while a swap happens.
    pub(crate) fn library(&self) -> Arc<dyn Library> {
        self.library
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Serve a new index generation from now on.
    pub(crate) fn swap(&self, library: Arc<dyn Library>) {
        *self.library.write().unwrap_or_else(|p| p.into_inner()) = library;
    }

    pub(crate) fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub(crate) fn is_admin(&self, user: u64) -> bool {
        self.admins.contains(user)
    }

    /// Search the serving index. A failure (an error or a panic inside the index) is kept
    /// for [`Core::take_trouble`] and returned as `None`.
    fn ask(&self, question: &str, top: usize) -> Option<crate::search::Answer> {
        let lib = self.library();
        let run = std::panic::AssertUnwindSafe(|| lib.ask(question, top));
        let failure = match std::panic::catch_unwind(run) {
            Ok(Ok(answer)) => return Some(answer),
            Ok(Err(e)) => e.0,
            Err(panic) => format!("搜索时出现内部错误：{}", super::panic_text(panic)),
        };
        tracing::error!("search failed: {failure}");
        *self.trouble.lock().unwrap_or_else(|p| p.into_inner()) = Some(failure);
        None
    }

    /// The answer to a question, for the editors' hit test: not shown, not counted.
    pub(crate) fn answer_for(&self, question: &str) -> Option<Answer> {
        self.ask(question, 1)
    }

    /// The last search failure since this was last asked, if any.
    pub(crate) fn take_trouble(&self) -> Option<String> {
        self.trouble
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// A text message that is not one of our commands. `None`: stay silent (group chatter).
    pub(crate) fn text(&self, m: &Inbound) -> Option<Vec<Reply>> {
        let text = m.text.trim();
        if m.kind != ChatKind::Private && !m.addressed {
            return None;
        }
        if text.starts_with('/') {
            // A command we do not know (or one addressed to another bot in a group).
            if m.kind != ChatKind::Private && !self.mentions_me(text) {
                return None;
            }
            return Some(vec![Reply::text(
                "抱歉，我不认识这个命令。发送 /help 查看可用命令，或直接提问。".into(),
            )]);
        }
        let question = self.strip_mention(text);
        Some(vec![self.question(&question)])
    }

    /// A command from [`Command`].
    pub(crate) fn command(&self, cmd: Command, m: &Inbound) -> Vec<Reply> {
        match cmd {
            Command::Start(payload) => self.start(payload.trim(), m),
            Command::Help => vec![self.help(m.user)],
            Command::Ask(q) if q.trim().is_empty() => vec![Reply::text(
                "请在 /ask 后面写上问题，例如：/ask 党的政治建设的首要任务是什么".into(),
            )],
            Command::Ask(q) => vec![self.question(&self.strip_mention(q.trim()))],
            Command::Toc(arg) => self.toc(arg.trim()),
            Command::Issues => vec![self.issues()],
            Command::Subscribe => vec![self.subscribe(m)],
            Command::Unsubscribe => vec![self.unsubscribe(m)],
            Command::Watch(word) => vec![super::watches::watch(
                &self.store,
                self.library().as_ref(),
                m,
                &word,
            )],
            Command::Watches => vec![super::watches::list(&self.store, m)],
            Command::Unwatch(word) => vec![super::watches::unwatch(&self.store, m, &word)],
        }
    }

    /// `/stats` for admins; everyone else gets a polite refusal. (`/reindex` and `/import`
    /// are run by [`super::admin`].)
    pub(crate) fn stats(&self, user: u64) -> Reply {
        if !self.is_admin(user) {
            return refusal();
        }
        let lib = self.library();
        let corpus = lib.corpus();
        let store = &self.store;
        let outbox = store.outbox_counts().unwrap_or_default();
        let fb = store
            .feedback_counts(crate::store::now())
            .unwrap_or_default();
        Reply::text(format!(
            "<b>统计</b>\n期数：{}\n文章：{}\n段落：{}\n订阅者：{}\n今日回答问题：{}\n通知：待发 {}，已发 {}，失败 {}，对方已屏蔽 {}\n今日反馈：👍 {}，👎 {}；可能相关 {}，没有找到 {}\n待处理的未答到问题：{}（/misses）",
            corpus.issues.len(),
            corpus.article_count(),
            corpus.passage_count(),
            store.subscriber_count().unwrap_or(0),
            store.counted_today("answered").unwrap_or(0),
            outbox.pending,
            outbox.sent,
            outbox.failed,
            outbox.dropped,
            fb.votes_up,
            fb.votes_down,
            fb.hedged,
            fb.refused,
            fb.open_misses,
        ))
    }

    /// A message without text (sticker, photo, voice, …). Silent in groups unless addressed.
    pub(crate) fn unreadable(&self, what: Unreadable, private: bool) -> Option<Reply> {
        if !private {
            return None;
        }
        let thing = match what {
            Unreadable::Sticker => "贴纸很可爱",
            Unreadable::Photo => "收到图片",
            Unreadable::Voice => "收到语音",
            Unreadable::Other => "收到",
        };
        Some(Reply::text(format!(
            "{thing}，不过我只能读文字。请用文字提问，例如：{}",
            EXAMPLES[0]
        )))
    }

    /// Answer a question: the first page of passages, with buttons.
    pub(crate) fn question(&self, question: &str) -> Reply {
        let question = question.trim();
        if question.is_empty() {
            return Reply::text(format!("请直接发送问题，例如：{}", EXAMPLES[0]));
        }
        if question.chars().count() > MAX_QUESTION_CHARS {
            // Too long to search, but not to tell which script the reader writes in.
            let sample: String = question.chars().take(200).collect();
            let lang = Lang::from_traditional(hanconv::t2s(&sample) != sample);
            return Reply::text(lang.t(&format!(
                "问题太长了（超过 {MAX_QUESTION_CHARS} 字）。请用一两句话或几个关键词提问。"
            )));
        }
        let _ = self.store.count("answered");
        let Some(answer) = self.ask(question, page_top(0)) else {
            return Reply::text(SORRY.into());
        };
        super::feedback::record_miss(&self.store, &answer);
        self.metrics.answered(answer.level);
        self.page_of(&answer, question, 0, None, Voting::default())
    }

    /// A question asked again by an editor (试一试 of `/misses`): answered as a reader would
    /// be, without counting it as asked once more.
    pub(crate) fn try_again(&self, question: &str) -> Reply {
        self.answer_page(question, 0, None, Voting::default())
    }

    /// One page of an answer starting at `at`. `key` is the state key to reuse (更多结果).
    fn answer_page(&self, question: &str, at: usize, key: Option<&str>, v: Voting) -> Reply {
        let Some(answer) = self.ask(question, page_top(at)) else {
            return Reply::text(SORRY.into());
        };
        self.page_of(&answer, question, at, key, v)
    }

    /// The page of `answer` starting at `at`, with its buttons.
    fn page_of(
        &self,
        answer: &Answer,
        question: &str,
        at: usize,
        key: Option<&str>,
        v: Voting,
    ) -> Reply {
        let lang = Lang::from_traditional(answer.traditional);
        if answer.not_found() || answer.hits.is_empty() {
            let mut reply = not_found(answer, lang);
            reply.buttons = self.retry_buttons(question, answer, lang, None);
            return reply;
        }
        let page: Vec<&Hit> = answer.hits.iter().skip(at).take(PAGE).collect();
        if page.is_empty() {
            return Reply::text(lang.t("没有更多结果了。换个说法或关键词试试？"));
        }
        let more = answer.hits.len() > at + PAGE && at + PAGE < MAX_RESULTS;
        let state = State::Answer {
            q: question.to_string(),
            at,
            refs: page
                .iter()
                .map(|h| (h.passage.issue.clone(), h.passage.index))
                .collect(),
            tr: answer.traditional,
            v,
        };
        let key = self.keep(&state, key);
        let mut buttons = Vec::new();
        if let Some(key) = &key {
            let cites: Vec<String> = page
                .iter()
                .map(|h| crate::render::cite::citation(h))
                .collect();
            buttons.extend(passage_rows(key, &cites, at, lang));
            let mut paging = Vec::new();
            if at > 0 {
                paging.push(button(lang.t("‹ 上一页"), Callback::Back(key.clone())));
            }
            if more {
                paging.push(button(lang.t("更多结果 ›"), Callback::More(key.clone())));
            }
            if !paging.is_empty() {
                buttons.push(paging);
            }
            buttons.extend(super::feedback::vote_rows(key, v.up, v.reasons, lang));
        }
        if at == 0 {
            buttons.extend(self.retry_buttons(question, answer, lang, key.as_deref()));
        }
        Reply {
            html: render_answer(answer, &page, at, lang),
            buttons,
        }
    }

    /// 您是不是要找：… (a pinyin slip) and 按原文查找 (the question's longest topical span as
    /// an exact phrase), under answers that were not confident.
    fn retry_buttons(
        &self,
        question: &str,
        answer: &Answer,
        lang: Lang,
        key: Option<&str>,
    ) -> Vec<Vec<Button>> {
        let span =
            answer.understood.span.as_ref().filter(|_| {
                answer.level != Level::Confident && answer.understood.phrases.is_empty()
            });
        if answer.suggestion.is_none() && span.is_none() {
            return Vec::new();
        }
        let key = match key {
            Some(k) => k.to_string(),
            None => {
                let state = State::Answer {
                    q: question.to_string(),
                    at: 0,
                    refs: Vec::new(),
                    tr: answer.traditional,
                    v: Voting::default(),
                };
                match self.keep(&state, None) {
                    Some(k) => k,
                    None => return Vec::new(),
                }
            }
        };
        let mut row = Vec::new();
        if let Some(s) = &answer.suggestion {
            row.push(button(
                html::truncate_chars(&lang.t(&format!("您是不是要找：{s}")), 30),
                Callback::Suggestion(key.clone()),
            ));
        }
        if span.is_some() {
            row.push(button(lang.t("按原文查找"), Callback::Verbatim(key)));
        }
        vec![row]
    }

    /// Store (or update) button state; `None` if the database refused, in which case the
    /// reply goes out without buttons rather than not at all.
    fn keep(&self, state: &State, key: Option<&str>) -> Option<String> {
        let json = serde_json::to_string(state).ok()?;
        let result = match key {
            Some(k) => self
                .store
                .update_button_state(k, &json)
                .map(|_| k.to_string()),
            None => self.store.put_button_state(&json),
        };
        match result {
            Ok(k) => Some(k),
            Err(e) => {
                tracing::warn!("button state not stored: {e}");
                None
            }
        }
    }

    /// A button was pressed; `data` is its callback data, `by` who pressed it where (its
    /// text is empty).
    pub(crate) fn press(&self, data: &str, by: &Inbound) -> Press {
        let Ok(action) = data.parse::<Callback>() else {
            return expired();
        };
        if let Callback::Miss { id, act } = action {
            return self.miss_pressed(by, id, act);
        }
        if let Callback::MissesPage(offset) = action {
            return match self.is_admin(by.user) {
                true => Press::Edit(super::feedback::misses_page(&self.store, offset)),
                false => refusal_notice(),
            };
        }
        if let Callback::Unwatch(id) = action {
            return match super::watches::unwatch_pressed(&self.store, by, id) {
                Ok(list) => Press::EditAndNotice(list, "已取消关注".into()),
                Err(why) => Press::Notice(why),
            };
        }
        if let Callback::Example(i) = action {
            return match EXAMPLES.get(i) {
                Some(q) => Press::Send(vec![self.question(q)]),
                None => expired(),
            };
        }
        let Some(key) = action.key() else {
            return expired();
        };
        let state = match self.store.button_state(key) {
            Ok(Some(json)) => serde_json::from_str::<State>(&json).ok(),
            _ => None,
        };
        let Some(state) = state else {
            return expired();
        };
        let step = |index: usize, verb: Step| match &state {
            State::Answer { refs, tr, .. } => match refs.get(index) {
                Some(r) => self.passage_press(verb, r, Lang::from_traditional(*tr)),
                None => expired(),
            },
            State::Notice { refs, .. } => match refs.get(index) {
                Some(r) => self.passage_press(verb, r, Lang::Simplified),
                None => expired(),
            },
            State::Passage { r, tr } => self.passage_press(verb, r, Lang::from_traditional(*tr)),
        };
        match (&action, &state) {
            (Callback::More(_), State::Answer { q, at, v, .. }) => {
                Press::Edit(self.answer_page(q, at + PAGE, Some(key), *v))
            }
            (Callback::Back(_), State::Answer { q, at, v, .. }) => {
                Press::Edit(self.answer_page(q, at.saturating_sub(PAGE), Some(key), *v))
            }
            (Callback::Vote { up, .. }, State::Answer { q, at, .. }) => {
                let reason = None;
                self.vote(key, q, *at, *up, reason, by)
            }
            (Callback::Reason { code, .. }, State::Answer { q, at, .. }) => {
                match crate::store::Reason::ALL.get(*code) {
                    Some(reason) => self.vote(key, q, *at, false, Some(*reason), by),
                    None => expired(),
                }
            }
            (Callback::Suggestion(_), State::Answer { q, .. }) => {
                match self.ask(q, 1).and_then(|a| a.suggested_question) {
                    Some(fixed) => Press::Send(vec![self.question(&fixed)]),
                    None => expired(),
                }
            }
            (Callback::Verbatim(_), State::Answer { q, .. }) => {
                match self.ask(q, 1).and_then(|a| a.understood.span) {
                    Some(span) => Press::Send(vec![self.question(&format!("\"{span}\""))]),
                    None => expired(),
                }
            }
            (Callback::Vote { up, .. }, State::Notice { .. }) => {
                self.notice_vote(key, &state, *up, None, by)
            }
            (Callback::Reason { code, .. }, State::Notice { .. }) => {
                match crate::store::Reason::ALL.get(*code) {
                    Some(reason) => self.notice_vote(key, &state, false, Some(*reason), by),
                    None => expired(),
                }
            }
            (Callback::Actions(_), State::Notice { .. }) => self.notice_toggle(key, state),
            (Callback::Full { index, .. }, _) => step(*index, Step::Full),
            (Callback::Previous { index, .. }, _) => step(*index, Step::Previous),
            (Callback::Next { index, .. }, _) => step(*index, Step::Next),
            _ => expired(),
        }
    }

    /// 试一试, 已处理, 忽略 under an entry of `/misses` (admins only).
    fn miss_pressed(&self, by: &Inbound, id: usize, act: MissAct) -> Press {
        if !self.is_admin(by.user) {
            return refusal_notice();
        }
        let store = &self.store;
        let miss = match store.miss(id as i64) {
            Ok(Some(m)) => m,
            Ok(None) => return Press::Notice("这条记录已经不在了。".into()),
            Err(e) => {
                tracing::error!("reading a miss failed: {e}");
                return Press::Notice("抱歉，暂时无法读取，请稍后再试。".into());
            }
        };
        let (state, done) = match act {
            MissAct::Try => return Press::Send(vec![self.try_again(&miss.question)]),
            MissAct::Close => (MissState::Closed, "已标记为已处理"),
            MissAct::Ignore => (MissState::Ignored, "已忽略，不再列出"),
        };
        match store.set_miss_state(miss.id, state, crate::store::now()) {
            Ok(_) => {
                Press::EditAndNotice(super::feedback::misses_page(&self.store, 0), done.into())
            }
            Err(e) => {
                tracing::error!("updating a miss failed: {e}");
                Press::Notice("抱歉，暂时无法保存，请稍后再试。".into())
            }
        }
    }

    /// A reader's 👍/👎 (with a reason, after a 👎) on the answer page at `at`: recorded
    /// with the passages it showed, then the buttons say it was counted.
    fn vote(
        &self,
        key: &str,
        question: &str,
        at: usize,
        up: bool,
        reason: Option<crate::store::Reason>,
        by: &Inbound,
    ) -> Press {
        let Some(answer) = self.ask(question, page_top(at)) else {
            return Press::Notice(SORRY.into());
        };
        let shown: Vec<crate::store::Shown> = answer
            .hits
            .iter()
            .skip(at)
            .take(PAGE)
            .map(crate::store::Shown::from)
            .collect();
        if let Err(notice) = self.record_vote(key, question, &shown, answer.level, up, reason, by) {
            return notice;
        }
        let v = Voting {
            up: Some(up),
            reasons: !up && reason.is_none(),
        };
        let lang = Lang::from_traditional(answer.traditional);
        Press::EditAndNotice(
            self.page_of(&answer, question, at, Some(key), v),
            lang.t(&thanks(reason)),
        )
    }

    /// Record a reader's vote on the message whose button state is `key`; the refusal to
    /// show when the database would not take it.
    #[allow(clippy::too_many_arguments)]
    fn record_vote(
        &self,
        key: &str,
        question: &str,
        shown: &[crate::store::Shown],
        level: Level,
        up: bool,
        reason: Option<crate::store::Reason>,
        by: &Inbound,
    ) -> Result<(), Press> {
        let generation = self.library().generation();
        let vote = crate::store::NewVote {
            answer: key,
            reader: by.user,
            vote: if up {
                crate::store::Vote::Up
            } else {
                crate::store::Vote::Down
            },
            reason,
            question,
            shown,
            level,
            generation: generation.as_deref(),
            at: crate::store::now(),
        };
        match self.store.record_vote(&vote) {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!("recording a vote failed: {e}");
                Err(Press::Notice("抱歉，暂时无法记录，请稍后再试。".into()))
            }
        }
    }

    fn passage_press(&self, verb: Step, r: &(String, usize), lang: Lang) -> Press {
        let lib = self.library();
        let Some(issue) = lib.corpus().issue(&r.0) else {
            return expired();
        };
        if r.1 >= issue.passages.len() {
            return expired();
        }
        let target = match verb {
            Step::Full => Some(group_start(issue, r.1)),
            Step::Previous => previous_group(issue, r.1),
            Step::Next => next_group(issue, r.1),
        };
        match target {
            Some(start) => match self.group_view(&*lib, issue, start, lang) {
                Some(replies) => Press::Send(replies),
                None => Press::Notice(lang.t(SORRY)),
            },
            None if verb == Step::Previous => Press::Notice(lang.t("已经是本期第一条了")),
            None => Press::Notice(lang.t("已经是本期最后一条了")),
        }
    }

    /// The whole clause (or unnumbered run) starting at passage `start`, split on paragraph
    /// boundaries into messages under the limit; 上一条/下一条 under the last one. `None` when a
    /// text cannot be read (the next search reports the damage).
    fn group_view(
        &self,
        lib: &dyn Library,
        issue: &Issue,
        start: usize,
        lang: Lang,
    ) -> Option<Vec<Reply>> {
        let end = group_end(issue, start);
        let first = &issue.passages[start];
        let article = issue.article_of(first);
        let source = crate::render::SourceLine::of_passage(&issue.meta, article, first).to_string();
        let header = format!("<b>{}</b>\n\n", escape(&lang.t(&source)));
        let body: Vec<String> = (start..=end)
            .map(|i| lib.passage_text(&issue.meta.id, i))
            .collect::<Option<_>>()?;
        let body = body.join("\n");
        // Leave room for the header and a part counter.
        let budget = MAX_MESSAGE - html::visible_len(&header) - 16;
        let pieces = html::split_paragraphs(&body, budget);
        let total = pieces.len();
        let key = self.keep(
            &State::Passage {
                r: (issue.meta.id.clone(), start),
                tr: lang == Lang::Traditional,
            },
            None,
        );
        let replies = pieces
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                let mut out = String::new();
                if i == 0 {
                    out.push_str(&header);
                }
                out.push_str(&escape(&lang.t(&piece)));
                if total > 1 {
                    out.push_str(&format!("\n\n（{}/{}）", i + 1, total));
                }
                let buttons = match (&key, i + 1 == total) {
                    (Some(k), true) => vec![vec![
                        button(
                            lang.t("‹ 上一条"),
                            Callback::Previous {
                                key: k.clone(),
                                index: 0,
                            },
                        ),
                        button(
                            lang.t("下一条 ›"),
                            Callback::Next {
                                key: k.clone(),
                                index: 0,
                            },
                        ),
                    ]],
                    _ => Vec::new(),
                };
                Reply { html: out, buttons }
            })
            .collect();
        Some(replies)
    }

    /// Inline mode: up to ten passages; picking one posts it with its source line.
    pub(crate) fn inline(&self, query: &str) -> Vec<InlineItem> {
        let query = query.trim();
        if query.is_empty() || query.chars().count() > MAX_QUESTION_CHARS {
            return Vec::new();
        }
        let Some(answer) = self.ask(query, INLINE_RESULTS) else {
            return Vec::new();
        };
        if answer.not_found() {
            return Vec::new();
        }
        let hedge = answer
            .hedged()
            .then(|| crate::render::HEDGE.trim_end_matches('：'));
        answer
            .hits
            .iter()
            .take(INLINE_RESULTS)
            .enumerate()
            .map(|(i, h)| {
                let source = crate::render::SourceLine::of_hit(h).to_string();
                let text = html::truncate_chars(&h.text, 3000);
                InlineItem {
                    id: format!("{}-{}-{i}", h.passage.issue, h.passage.index),
                    title: html::truncate_chars(
                        &match &h.clause {
                            Some(c) => format!("{} · {c}", h.article),
                            None => h.article.clone(),
                        },
                        60,
                    ),
                    description: match hedge {
                        Some(hedge) => {
                            html::truncate_chars(&format!("{hedge}｜{}", h.best_sentence.text), 120)
                        }
                        None => html::truncate_chars(&h.best_sentence.text, 120),
                    },
                    html: format!("<b>{}</b>\n\n{}", escape(&source), escape(&text)),
                }
            })
            .collect()
    }

    fn start(&self, payload: &str, m: &Inbound) -> Vec<Reply> {
        let mut replies = Vec::new();
        if payload == "subscribe" {
            replies.push(self.subscribe(m));
        }
        let lib = self.library();
        let latest = lib
            .corpus()
            .latest()
            .map(|i| i.meta.display())
            .unwrap_or_else(|| format!("《{MAGAZINE}》"));
        let html = format!(
            "你好！我是《{MAGAZINE}》问答机器人，可以回答关于杂志各期内容的问题，并给出出处（期号、页码、文章、条目）。\n\n\
             直接发来问题即可，最新收录：{}。\n试试下面的示例问题，或发送 /help 查看全部命令。",
            escape(&latest)
        );
        let buttons = EXAMPLES
            .iter()
            .enumerate()
            .map(|(i, q)| vec![button(*q, Callback::Example(i))])
            .collect();
        replies.push(Reply { html, buttons });
        replies
    }

    fn help(&self, user: u64) -> Reply {
        let mut html = String::from(
            "<b>怎么用</b>\n私聊里直接发问题；在群里用 /ask 问题，或 @我 提问。\n\
             用关键词更准；用英文引号可查确切的词句，如 \"两个维护\"。\n\
             在任意聊天框输入 @我 加问题，可把答案分享到那里。\n\n",
        );
        html.push_str(&escape(&Command::descriptions().to_string()));
        if self.is_admin(user) {
            html.push('\n');
            html.push_str(&escape(&AdminCommand::descriptions().to_string()));
        }
        Reply::text(html)
    }

    fn toc(&self, arg: &str) -> Vec<Reply> {
        let lib = self.library();
        let corpus = lib.corpus();
        let issue = if arg.is_empty() {
            corpus.latest()
        } else {
            match parse_issue_id(arg) {
                Some(id) => corpus.issue(&id),
                None => {
                    return vec![Reply::text(format!(
                        "“{}”不是期号。请写成 年-期，例如 /toc 2019-03；/issues 列出已收录的各期。",
                        escape(&html::truncate_chars(arg, 40))
                    ))]
                }
            }
        };
        let Some(issue) = issue else {
            return vec![Reply::text(
                "没有收录这一期。/issues 列出已收录的各期。".into(),
            )];
        };
        let text = crate::render::toc::Toc::of(issue).html();
        split_html_lines(&text)
    }

    fn issues(&self) -> Reply {
        let lib = self.library();
        let mut issues: Vec<&Issue> = lib.corpus().issues.iter().collect();
        if issues.is_empty() {
            return Reply::text("还没有收录任何一期。".into());
        }
        issues.sort_by_key(|i| std::cmp::Reverse((i.meta.year, i.meta.number)));
        let mut html = String::from("<b>已收录的各期</b>\n");
        for i in issues.iter().take(60) {
            let total = i
                .meta
                .total
                .map(|t| format!("（总第{t}期）"))
                .unwrap_or_default();
            html.push_str(&format!(
                "{}{} · {} 篇 · /toc {}\n",
                escape(&i.meta.display()),
                total,
                i.articles.iter().filter(|a| a.in_toc).count(),
                escape(&i.meta.id)
            ));
        }
        Reply::text(html)
    }

    fn subscribe(&self, m: &Inbound) -> Reply {
        if m.kind != ChatKind::Private && !m.group_admin {
            return Reply::text("只有本群管理员可以为群订阅新刊通知。".into());
        }
        match self.store.subscribe(m.chat, m.kind) {
            Ok(true) => Reply::text(
                "已订阅：新一期收录后，我会把目录发到这里。/unsubscribe 可随时取消。".into(),
            ),
            Ok(false) => Reply::text("已经订阅过了，新一期收录后会通知这里。".into()),
            Err(e) => {
                tracing::error!("subscribe failed: {e}");
                Reply::text("抱歉，暂时无法订阅，请稍后再试。".into())
            }
        }
    }

    fn unsubscribe(&self, m: &Inbound) -> Reply {
        if m.kind != ChatKind::Private && !m.group_admin {
            return Reply::text("只有本群管理员可以取消本群的订阅。".into());
        }
        match self.store.unsubscribe(m.chat) {
            Ok(true) => Reply::text("已取消订阅。想再收到新刊通知，发送 /subscribe 即可。".into()),
            Ok(false) => Reply::text("这里没有订阅新刊通知。".into()),
            Err(e) => {
                tracing::error!("unsubscribe failed: {e}");
                Reply::text("抱歉，暂时无法取消订阅，请稍后再试。".into())
            }
        }
    }

    /// Does `text` mention `@botname`? Telegram usernames are ASCII and case-insensitive.
    pub(crate) fn mentions_me(&self, text: &str) -> bool {
        self.mention_at(text).is_some()
    }

    fn mention_at(&self, text: &str) -> Option<std::ops::Range<usize>> {
        let needle = format!("@{}", self.username()).to_ascii_lowercase();
        // ASCII lowercasing keeps every byte offset, so the range fits `text` too.
        let at = text.to_ascii_lowercase().find(&needle)?;
        Some(at..at + needle.len())
    }

    /// The question without `@botname` (wherever it stands).
    fn strip_mention(&self, text: &str) -> String {
        let mut text = text.to_string();
        while let Some(r) = self.mention_at(&text) {
            text.replace_range(r, " ");
        }
        text.trim().to_string()
    }
}

/// The answer to an admin command from anyone else.
pub(super) fn refusal() -> Reply {
    Reply::text("抱歉，这个命令只有管理员可以使用。".into())
}

/// One row per passage listed (from the `at`+1st on), given by its citation: 全文, 上一条,
/// 下一条 and 复制引文.
fn passage_rows(key: &str, cites: &[String], at: usize, lang: Lang) -> Vec<Vec<Button>> {
    let step = |label: &str, n: &str, cb: Callback| button(format!("{n} {}", lang.t(label)), cb);
    cites
        .iter()
        .enumerate()
        .map(|(index, cite)| {
            let n = circled(at + index + 1);
            let key = key.to_string();
            vec![
                step(
                    "全文",
                    &n,
                    Callback::Full {
                        key: key.clone(),
                        index,
                    },
                ),
                step(
                    "上一条",
                    &n,
                    Callback::Previous {
                        key: key.clone(),
                        index,
                    },
                ),
                step("下一条", &n, Callback::Next { key, index }),
                // The citation is copied as printed (Simplified), whatever the script.
                copy_button(format!("{n} {}", lang.t("复制引文")), cite),
            ]
        })
        .collect()
}

/// The toast after a vote.
fn thanks(reason: Option<crate::store::Reason>) -> String {
    match reason {
        Some(r) => format!("谢谢反馈（{}）", r.label()),
        None => "谢谢反馈".to_string(),
    }
}

/// How many passages a search for the page at `at` needs (one more tells whether there is a
/// next page).
fn page_top(at: usize) -> usize {
    (at + PAGE + 1).min(MAX_RESULTS)
}

/// An admin's button pressed by someone else.
pub(super) fn refusal_notice() -> Press {
    Press::Notice("这个按钮只有管理员可以使用。".into())
}

fn expired() -> Press {
    Press::Notice("这个按钮已过期，请重新提问。".into())
}
