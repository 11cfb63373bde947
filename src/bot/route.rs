//! Which handler a message goes to: one decision shared by the Telegram schema and
//! `kuayue chat`, so that the terminal twin cannot route a line differently from the bot.
//!
//! The order is the contract: a document first (its caption may look like a command), then
//! the readers' commands, then the admins' (which are parsed for everyone, so that a reader
//! who tries one is refused politely instead of having it searched as a question), then any
//! other text, which is a question (or an unknown command, answered as such by the core).
//! Who may run an admin command is not decided here: the schema puts the admins' filter
//! between the route and the handler, as teloxide's examples do.

use super::commands::{AdminCommand, Command};
use teloxide::utils::command::BotCommands;

/// What a message is, as far as routing goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// A file (an admin's raw issue to import; anyone else's is declined).
    Document,
    /// One of the readers' commands.
    Command(Command),
    /// One of the admins' commands (not yet checked against `ADMIN_IDS`).
    Admin(AdminCommand),
    /// Any other text: a question, or something the core answers as an unknown command.
    Text,
    /// No text at all: a sticker, a photo, a service message.
    Other,
}

/// The parts of a message that routing looks at.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Incoming<'a> {
    pub text: Option<&'a str>,
    pub has_document: bool,
}

/// Route a message. `bot_name` is the bot's username, so that `/help@OtherBot` in a group is
/// not taken for one of ours.
pub(crate) fn route(m: Incoming<'_>, bot_name: &str) -> Route {
    if m.has_document {
        return Route::Document;
    }
    let Some(text) = m.text else {
        return Route::Other;
    };
    if let Ok(cmd) = Command::parse(text, bot_name) {
        return Route::Command(cmd);
    }
    if let Ok(cmd) = AdminCommand::parse(text, bot_name) {
        return Route::Admin(cmd);
    }
    Route::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Route {
        route(
            Incoming {
                text: Some(t),
                has_document: false,
            },
            "KuayueBot",
        )
    }

    #[test]
    fn each_kind_of_message_has_its_route() {
        assert_eq!(text("/help"), Route::Command(Command::Help));
        assert_eq!(
            text("/toc 2019-03"),
            Route::Command(Command::Toc("2019-03".into()))
        );
        assert_eq!(text("/reindex"), Route::Admin(AdminCommand::Reindex));
        assert_eq!(
            text("/import corpus/raw.txt"),
            Route::Admin(AdminCommand::Import("corpus/raw.txt".into()))
        );
        assert_eq!(text("党的政治建设的首要任务是什么"), Route::Text);
        assert_eq!(text("/nosuchcommand"), Route::Text);
        assert_eq!(route(Incoming::default(), "KuayueBot"), Route::Other);
    }

    #[test]
    fn a_document_wins_over_its_caption() {
        let m = Incoming {
            text: Some("/import"),
            has_document: true,
        };
        assert_eq!(route(m, "KuayueBot"), Route::Document);
    }

    #[test]
    fn commands_addressed_to_another_bot_are_not_ours() {
        assert_eq!(text("/help@KuayueBot"), Route::Command(Command::Help));
        assert_eq!(text("/help@OtherBot"), Route::Text);
    }
}
