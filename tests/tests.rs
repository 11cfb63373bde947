//! One integration-test binary: the modules below share `util` and the fake Bot API.

mod bench;
mod bot;
mod fake_telegram;
mod store;
mod util;
