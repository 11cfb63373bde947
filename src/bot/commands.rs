//! The bot's commands. The doc comment of each variant is its line in `/help` and in the
//! client's command menu (registered with setMyCommands at start). Admin commands are a
//! separate enum so that the menu shows them only in admins' chats.

use teloxide::utils::command::BotCommands;

// Commands for everyone. (The enum's doc comment heads its part of /help, so it is written
// for readers.)
/// 命令：
#[derive(BotCommands, Debug, Clone, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// 开始：简介和示例问题
    Start(String),
    /// 使用说明
    Help,
    /// 提问，例如 /ask 党的政治建设的首要任务是什么
    Ask(String),
    /// 目录：最新一期，或指定一期，如 /toc 2019-03
    Toc(String),
    /// 已收录的各期
    Issues,
    /// 订阅新刊通知
    Subscribe,
    /// 取消订阅
    Unsubscribe,
    /// 关注一个词语，新一期提到它时通知你，如 /watch 大湾区
    Watch(String),
    /// 我关注的词语
    Watches,
    /// 取消关注，如 /unwatch 大湾区
    Unwatch(String),
}

// Commands for the numeric user ids in `ADMIN_IDS`.
/// 管理员命令：
#[derive(BotCommands, Debug, Clone, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub(crate) enum AdminCommand {
    /// 从语料目录重建索引，并通知新刊
    Reindex,
    /// 导入新一期：把 .txt 原文作为文件发来，说明写 /import
    ///
    /// The argument is a path on disk, used only by `kuayue chat`; on Telegram the text of
    /// an issue comes as a document.
    Import(String),
    /// 统计：期数、段落、订阅者、今日提问、通知、反馈
    Stats,
    /// 最近一周读者没有找到答案的问题
    Misses,
    /// 加同义词组，立即生效：/synonym 十九大 = 党的十九大
    Synonym(String),
    /// 加词典词条并重建索引：/dict 新词 [词性]
    Dict(String),
}
