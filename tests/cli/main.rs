//! berry's one integration-test binary: every test drives the real `berry` binary.

mod common;

mod completions;
mod config;
mod context;
mod fakes;
mod help;
mod pr;
mod push;
mod review;
mod status;
mod verify;
