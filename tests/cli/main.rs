//! berry's one integration-test binary: every test drives the real `berry` binary.

mod common;

mod bad_inputs;
mod checklist;
mod commit;
mod commit_gate;
mod complete;
mod completions;
mod concurrency;
mod config;
mod context;
mod crash;
mod demo;
mod failures;
mod fakes;
mod freeze;
mod health;
mod help;
mod listen;
mod model;
mod nats;
mod pr;
mod push;
mod review;
mod rollback;
mod secret_guard;
mod secrets;
mod ssh;
mod status;
mod terminal;
mod test_step;
mod tracker;
mod tracker_commit;
mod verify;
mod watch;
