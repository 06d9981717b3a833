//! berry's one integration-test binary: every test drives the real `berry` binary.

mod common;

mod complete;
mod config;
mod context;
mod help;
mod nats;
mod review;
mod status;
mod tracker;
mod verify;
