//! The `kuayue` command line: one subcommand per job, all sharing `CORPUS_DIR` / `DATA_DIR`.
//!
//! Each group of subcommands lives in its own file next to this one; this file only declares
//! the interface (a contract: other tools script against these names and flags) and
//! dispatches.

mod bot_cmds;
mod corpus_cmds;
mod feedback_cmds;
mod ops_cmds;
mod search_cmds;

use crate::config::Paths;
use crate::corpus::IssueId;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// 《跨越》问答机器人: ask the magazine a question, offline or on Telegram.
#[derive(Debug, Parser)]
#[command(name = "kuayue", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer questions from the local index (builds it on first use).
    ///
    /// With no QUESTION, reads questions from standard input, one per line (nothing there is
    /// an option). A question starting with `-` goes after `--`: `kuayue ask -- -5度怎么办`.
    Ask {
        /// The question; several words are joined with spaces.
        question: Vec<String>,
        /// How many passages to show.
        #[arg(long, default_value_t = 3)]
        top: usize,
        /// Print one JSON object per question.
        #[arg(long)]
        json: bool,
        /// Print only a citation line per passage, as quoted in official documents.
        #[arg(long, conflicts_with = "json")]
        cite: bool,
        /// The script of the printed answer: `auto` follows the question's, `trad` converts
        /// passages, titles and the program's words to Traditional for display (citations
        /// and JSON stay as printed).
        #[arg(long, value_enum, default_value_t = search_cmds::Script::Auto)]
        script: search_cmds::Script,
        /// Search only this issue (YYYY-NN, e.g. 2019-03).
        #[arg(long, value_name = "YYYY-NN")]
        issue: Option<IssueId>,
    },
    /// Build (or rebuild) the index from the corpus and say what was indexed.
    Index,
    /// Run a question file (dev-set JSONL) and print Recall@1, Recall@3, MRR and every miss.
    Eval {
        file: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure dictionary load, index build, query latency and memory.
    Bench {
        /// How many times the question set is repeated.
        #[arg(long, default_value_t = 1000)]
        rounds: usize,
        /// Size of the synthetic corpus (the issue replicated under this many identities).
        #[arg(long, default_value_t = 100)]
        issues: usize,
        /// Question file used as the query mix.
        #[arg(long)]
        questions: Option<PathBuf>,
    },
    /// The benchmark's probe of a start (run by `bench` in a child process): open the index
    /// of CORPUS_DIR/DATA_DIR, answer QUESTION, print this process's peak RSS in KB.
    #[command(hide = true)]
    BenchProbe { question: String },
    /// Print an issue's table of contents (the newest, or the one given as YYYY-NN).
    Toc {
        issue: Option<IssueId>,
        #[arg(long)]
        json: bool,
    },
    /// Print every passage in reading order, as the index sees them.
    Dump {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Import the raw text of a new issue into the corpus.
    Import {
        raw: PathBuf,
        /// Replace the issue if it is already in the corpus.
        #[arg(long)]
        replace: bool,
    },
    /// List the questions the bot could not answer well (the misses queue in DATA_DIR), most
    /// asked first.
    Misses {
        /// Only misses last asked on or after this day (UTC+8).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = feedback_cmds::parse_since)]
        since: Option<i64>,
        /// Include the misses editors closed or ignored.
        #[arg(long)]
        all: bool,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Run the Telegram bot (settings from the environment or .env).
    Bot,
    /// Check a deployment: settings, corpus, index, database, token, webhook; one line each.
    Doctor,
    /// Copy the database (consistently, even while the bot runs) and the corpus into DEST,
    /// a new directory, with a manifest of checksums.
    Backup { dest: PathBuf },
    /// Restore a backup made by `kuayue backup` into DATA_DIR and CORPUS_DIR, after checking
    /// it; refused while a bot runs on DATA_DIR.
    Restore { src: PathBuf },
    /// Talk to the bot's handlers in this terminal, without Telegram.
    Chat,
}

/// Run the parsed command line. Errors are sentences for the user; `main` prints them.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths::from_env();
    match cli.command {
        Command::Ask {
            question,
            top,
            json,
            cite,
            script,
            issue,
        } => {
            let show = search_cmds::Show { json, cite, script };
            search_cmds::ask(&paths, &question, top, show, issue.as_ref())
        }
        Command::Index => search_cmds::index(&paths),
        Command::Eval { file, json } => search_cmds::eval(&paths, &file, json),
        Command::Bench {
            rounds,
            issues,
            questions,
        } => search_cmds::bench(&paths, rounds, issues, questions.as_deref()),
        Command::BenchProbe { question } => {
            crate::search::bench::probe(&paths, &question, &mut std::io::stdout())
        }
        Command::Toc { issue, json } => corpus_cmds::toc(&paths, issue.as_ref(), json),
        Command::Dump { json } => corpus_cmds::dump(&paths, json),
        Command::Import { raw, replace } => corpus_cmds::import(&paths, &raw, replace),
        Command::Misses { since, all, json } => feedback_cmds::misses(&paths, since, all, json),
        Command::Bot => bot_cmds::bot(),
        Command::Doctor => ops_cmds::doctor(),
        Command::Backup { dest } => ops_cmds::backup(&paths, &dest),
        Command::Restore { src } => ops_cmds::restore(&paths, &src),
        Command::Chat => bot_cmds::chat(&paths),
    }
}
