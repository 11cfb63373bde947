//! The buttons of a watcher's notice of a new issue: the same as an answer's. Each passage it
//! lists gets 全文, 上一条, 下一条 and 复制引文, and the notice gets the vote row. A notice can
//! list many more passages than an answer page (three per watched word), so past one page the
//! per-passage rows wait behind a 更多操作 toggle instead of crowding out the text.

use super::{button, expired, passage_rows, thanks, Callback, Core, Inbound, Press, Reply, State};
use super::{Lang, Voting, PAGE, SORRY};
use crate::bot::watches::WatchNotice;
use crate::search::Level;
use crate::store::{Reason, Shown};

/// Telegram allows 100 buttons under a message: 20 rows of four, the toggle and the votes
/// stay well inside it. (A notice is cut to one message long before it lists more.)
const MAX_PASSAGE_ROWS: usize = 20;

impl Core {
    /// `n` as the message it is sent as, its button state stored. Without the database, the
    /// notice still goes out, without buttons.
    pub(crate) fn notice_reply(&self, n: &WatchNotice) -> Reply {
        let state = State::Notice {
            html: n.html.clone(),
            q: format!("关注：{}", n.words.join("、")),
            refs: n
                .hits
                .iter()
                .map(|h| (h.passage.issue.clone(), h.passage.index))
                .collect(),
            cites: n.hits.iter().map(crate::render::cite::citation).collect(),
            shown: n.hits.iter().map(Shown::from).collect(),
            v: Voting::default(),
            open: false,
        };
        self.notice_page(&state, None)
            .unwrap_or_else(|| Reply::text(n.html.clone()))
    }

    /// Store a notice's `state` under `key` (a new key if `None`) and lay out its message;
    /// `None` if the database refused or `state` is not a notice's.
    fn notice_page(&self, state: &State, key: Option<&str>) -> Option<Reply> {
        let State::Notice {
            html,
            cites,
            v,
            open,
            ..
        } = state
        else {
            return None;
        };
        let key = self.keep(state, key)?;
        let lang = Lang::Simplified;
        let many = cites.len() > PAGE;
        let mut buttons = Vec::new();
        if !many || *open {
            let shown = &cites[..cites.len().min(MAX_PASSAGE_ROWS)];
            buttons.extend(passage_rows(&key, shown, 0, lang));
        }
        if many {
            let label = if *open {
                "收起操作 ▴".to_string()
            } else {
                format!("更多操作（{} 段）▾", cites.len())
            };
            buttons.push(vec![button(label, Callback::Actions(key.clone()))]);
        }
        buttons.extend(crate::bot::feedback::vote_rows(&key, v.up, v.reasons, lang));
        Some(Reply {
            html: html.clone(),
            buttons,
        })
    }

    /// 👍/👎 (and a reason) under a notice: recorded with the passages it lists, then its
    /// buttons say so.
    pub(super) fn notice_vote(
        &self,
        key: &str,
        state: &State,
        up: bool,
        reason: Option<Reason>,
        by: &Inbound,
    ) -> Press {
        let State::Notice { q, shown, .. } = state else {
            return expired();
        };
        // A notice is not an answer to a question: it lists what the issue says of the words.
        if let Err(refused) = self.record_vote(key, q, shown, Level::Confident, up, reason, by) {
            return refused;
        }
        let mut next = state.clone();
        if let State::Notice { v, .. } = &mut next {
            *v = Voting {
                up: Some(up),
                reasons: !up && reason.is_none(),
            };
        }
        match self.notice_page(&next, Some(key)) {
            Some(page) => Press::EditAndNotice(page, thanks(reason)),
            None => Press::Notice(thanks(reason)),
        }
    }

    /// 更多操作 / 收起操作: open or close the per-passage rows.
    pub(super) fn notice_toggle(&self, key: &str, mut state: State) -> Press {
        if let State::Notice { open, .. } = &mut state {
            *open = !*open;
        }
        match self.notice_page(&state, Some(key)) {
            Some(page) => Press::Edit(page),
            None => Press::Notice(SORRY.into()),
        }
    }
}
