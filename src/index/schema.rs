//! The fields of a passage document.
//!
//! One document per passage. The passage text is searched; so are, as separate fields with
//! their own weights at query time, the clause/section heading, the article title and the
//! column, because readers often name the heading or the article rather than the words of the
//! paragraph itself. Only the passage's number is stored: the text lives in the generation's
//! `texts.bin` (see [`super::texts`]).

use super::tokenizer::TOKENIZER_NAME;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

/// Bumped whenever the schema, the analysis or the files of a generation change, so that old
/// generations are rebuilt (3: passage texts moved out of the snapshot into `texts.bin`).
pub(crate) const SCHEMA_VERSION: u32 = 3;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub text: Field,
    pub heading: Field,
    pub title: Field,
    pub column: Field,
    /// Position of the passage in the engine's flat passage table (issues in corpus order).
    pub pid: Field,
    pub issue: Field,
}

impl Fields {
    pub(crate) fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            text: schema.get_field("text")?,
            heading: schema.get_field("heading")?,
            title: schema.get_field("title")?,
            column: schema.get_field("column")?,
            pid: schema.get_field("pid")?,
            issue: schema.get_field("issue")?,
        })
    }
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let text = b.add_text_field("text", indexed.clone());
    let heading = b.add_text_field("heading", indexed.clone());
    let title = b.add_text_field("title", indexed.clone());
    let column = b.add_text_field("column", indexed);
    let pid = b.add_u64_field("pid", FAST | STORED);
    let issue = b.add_text_field("issue", STRING | STORED);
    let schema = b.build();
    (
        schema,
        Fields {
            text,
            heading,
            title,
            column,
            pid,
            issue,
        },
    )
}
