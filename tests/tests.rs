//! One integration-test binary: each module covers one area, sharing `util`.

mod util;

mod corpus;
mod search;
