//! Renderers: turn an `Answer` into what a reader sees. They never search themselves.

pub mod html;
