//! berry's one integration-test binary: every test drives the real `berry` binary.

mod common;

mod commit;
mod complete;
mod completions;
mod config;
mod context;
mod demo;
mod fakes;
mod help;
mod nats;
mod pr;
mod push;
mod review;
mod status;
mod test_step;
mod tracker;
mod verify;
mod watch;
